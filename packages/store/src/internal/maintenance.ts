/**
 * Cache maintenance: statistics (rows per metric, responses, runs, size on disk, schema version:
 * `store-stats.ts`), clearing, and pruning by age or by size.
 *
 * @example
 * ```ts
 * const m = yield* Maintenance
 * const stats = yield* m.stats
 * yield* m.prune({ olderThan: "30 days", maxBytes: 500_000_000 })
 * ```
 */
import type { SqlClient } from "@effect/sql"
import { Clock, Duration, Effect } from "effect"
import { Database, type DatabaseApi } from "./database.js"
import { compact } from "./dialect.js"
import type { StoreError } from "./errors.js"
import { unmarkAll } from "./run-reuse.js"
import { cachedResults, count, merged, statsOf } from "./store-stats.js"

/**
 * What to clear. Default: the metric cache and the response cache (runs are kept).
 *
 * @example
 * ```ts
 * yield* m.clear({ cache: true, responses: false, runs: true })
 * ```
 */
export interface ClearOptions {
  readonly cache?: boolean | undefined
  readonly responses?: boolean | undefined
  readonly runs?: boolean | undefined
}

/**
 * How to prune the metric and response caches.
 *
 * @example
 * ```ts
 * yield* m.prune({ olderThan: "30 days", maxBytes: 200_000_000 })
 * ```
 */
export interface PruneOptions {
  /** Delete cached cases last written longer ago than this, and responses older than this (plus expired ones). */
  readonly olderThan?: Duration.DurationInput | undefined
  /** Keep the most recently written cached cases whose total payload fits in this many bytes. */
  readonly maxBytes?: number | undefined
}

/**
 * Rows deleted.
 *
 * @example
 * ```ts
 * const { cacheRows } = yield* m.prune({ olderThan: "7 days" })
 * ```
 */
export interface Deleted {
  readonly cacheRows: number
  readonly responseRows: number
  readonly runs: number
}

/** Approximate payload of a cache row (one case), in bytes (standard SQL). */
const ROW_BYTES = "(LENGTH(case_key) + LENGTH(outcomes) + 16)"

/** What a deletion is measured by: cached results, responses and runs. */
const measures = (sql: SqlClient.SqlClient) =>
  Effect.all({ cache: cachedResults(sql), responses: count(sql, "response_cache"), runs: count(sql, "runs") })

/**
 * Run a deletion in one transaction and count what it deleted; give the freed pages back when it deleted
 * anything.
 */
const measured = <E>(db: DatabaseApi, change: Effect.Effect<void, E>) =>
  Effect.gen(function*() {
    yield* merged(db)
    const before = yield* measures(db.sql)
    yield* db.sql.withTransaction(change)
    const after = yield* measures(db.sql)
    const result: Deleted = {
      cacheRows: before.cache - after.cache,
      responseRows: before.responses - after.responses,
      runs: before.runs - after.runs
    }
    if (result.cacheRows + result.responseRows + result.runs > 0) yield* db.provided(compact)
    return result
  })

/** Delete everything chosen (default: both caches, not the runs). */
const clearAll = (db: DatabaseApi, options: ClearOptions = {}): Effect.Effect<Deleted, StoreError> =>
  db.refine(measured(db, Effect.gen(function*() {
    const { sql } = db
    if (options.cache ?? true) {
      yield* Effect.zipRight(sql`DELETE FROM eval_cache`, sql`DELETE FROM eval_cache_batches`).pipe(
        Effect.zipRight(sql`DELETE FROM eval_cache_metrics`),
        Effect.zipRight(unmarkAll(sql))
      )
    }
    if (options.responses ?? true) yield* sql`DELETE FROM response_cache`
    if (options.runs ?? false) {
      yield* Effect.zipRight(sql`DELETE FROM run_cases`, sql`DELETE FROM run_batches`).pipe(Effect.zipRight(sql`DELETE FROM runs`))
    }
  })))

/** Delete old entries and/or the oldest entries beyond a size budget. */
const pruneOld = (db: DatabaseApi, options: PruneOptions): Effect.Effect<Deleted, StoreError> =>
  db.refine(measured(db, Effect.gen(function*() {
    const { sql } = db
    const now = yield* Clock.currentTimeMillis
    yield* sql`DELETE FROM response_cache WHERE expires_at <= ${now}`
    // A run's results stand for cache entries that pruning may delete: no run is reused whole afterwards.
    yield* unmarkAll(sql)
    if (options.olderThan !== undefined) {
      const cutoff = now - Duration.toMillis(options.olderThan)
      yield* sql`DELETE FROM eval_cache WHERE created_at < ${cutoff}`
      yield* sql`DELETE FROM response_cache WHERE created_at < ${cutoff}`
    }
    if (options.maxBytes !== undefined) {
      yield* sql`DELETE FROM eval_cache WHERE case_key IN (
        SELECT case_key FROM (
          SELECT case_key, SUM(${sql.literal(ROW_BYTES)}) OVER (ORDER BY created_at DESC, case_key) AS running
          FROM eval_cache
        ) ranked WHERE running > ${options.maxBytes})`
    }
  })))

/**
 * The maintenance service; see the module doc.
 *
 * @example
 * ```ts
 * const stats = yield* Effect.flatMap(Maintenance, (m) => m.stats)
 * ```
 */
export class Maintenance extends Effect.Service<Maintenance>()("assay/store/Maintenance", {
  effect: Effect.map(Database, (db) => ({
    /** Current statistics (staged cache rows are merged first). */
    stats: statsOf(db),
    /** Delete everything chosen (default: both caches, not the runs). */
    clear: (options?: ClearOptions) => clearAll(db, options),
    /** Delete old entries and/or the oldest entries beyond a size budget. */
    prune: (options: PruneOptions) => pruneOld(db, options)
  } as const))
}) {}
