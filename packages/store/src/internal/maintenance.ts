/**
 * Cache maintenance: statistics (rows per metric, responses, runs, size on disk, schema version), clearing,
 * and pruning by age or by size.
 *
 * @example
 * ```ts
 * const m = yield* Maintenance
 * const stats = yield* m.stats
 * yield* m.prune({ olderThan: "30 days", maxBytes: 500_000_000 })
 * ```
 */
import { Clock, Duration, Effect } from "effect"
import { Database } from "./database.js"
import { compact, databaseSize } from "./dialect.js"
import type { StoreError } from "./errors.js"
import { MIGRATIONS_TABLE } from "./migrations.js"
import { mergeBatches } from "./cache-sql.js"

/**
 * What the database holds.
 *
 * @example
 * ```ts
 * const { cacheRows, perMetric, sizeBytes, schemaVersion } = yield* m.stats
 * ```
 */
export interface StoreStats {
  readonly path: string
  readonly schemaVersion: number
  /** Cached metric results (one per case × metric). */
  readonly cacheRows: number
  /** Cases with at least one cached result. */
  readonly cachedCases: number
  readonly perMetric: ReadonlyArray<{ readonly metric: string; readonly rows: number }>
  readonly responseRows: number
  readonly runs: number
  readonly caseResults: number
  readonly sizeBytes: number
}

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

/**
 * The maintenance service; see the module doc.
 *
 * @example
 * ```ts
 * const stats = yield* Effect.flatMap(Maintenance, (m) => m.stats)
 * ```
 */
export class Maintenance extends Effect.Service<Maintenance>()("assay/store/Maintenance", {
  effect: Effect.gen(function*() {
    const db = yield* Database
    const { sql } = db
    const count = (table: string) =>
      Effect.map(sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)}`, (rows) => Number(rows[0]?.n ?? 0))
    /** Every cached outcome as a row `(key = metric tag)`: SQLite's `json_each`, Postgres's `jsonb_each`. */
    const outcomes = sql.literal(sql.onDialectOrElse({
      pg: () => "eval_cache c CROSS JOIN LATERAL jsonb_each(c.outcomes::jsonb) o",
      orElse: () => "eval_cache c, json_each(c.outcomes) o"
    }))
    const cachedResults = Effect.map(
      sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${outcomes}`,
      (rows) => Number(rows[0]?.n ?? 0)
    )
    const sizeBytes = db.provided(databaseSize)
    const storedCaseCount = Effect.map(
      sql<{ n: number | null }>`SELECT SUM(cases) AS n FROM run_batches`,
      (rows) => Number(rows[0]?.n ?? 0)
    )

    const merged = sql.withTransaction(db.provided(mergeBatches))

    /** Current statistics (staged cache rows are merged first). */
    const stats: Effect.Effect<StoreStats, StoreError> = db.refine(Effect.gen(function*() {
      yield* merged
      const version = yield* sql<{ v: number | null }>`SELECT MAX(migration_id) AS v FROM ${sql(MIGRATIONS_TABLE)}`
      const perMetric = yield* sql<{ metric: string; rows: number }>`SELECT COALESCE(m.name, o.key) AS metric, COUNT(*) AS rows
        FROM ${outcomes} LEFT JOIN eval_cache_metrics m ON m.metric_tag = o.key
        GROUP BY 1 ORDER BY 1`
      return {
        path: db.path,
        schemaVersion: Number(version[0]?.v ?? 0),
        cacheRows: perMetric.reduce((n, r) => n + Number(r.rows), 0),
        cachedCases: yield* count("eval_cache"),
        perMetric: perMetric.map((r) => ({ metric: r.metric, rows: Number(r.rows) })),
        responseRows: yield* count("response_cache"),
        runs: yield* count("runs"),
        caseResults: (yield* count("run_cases")) + (yield* storedCaseCount),
        sizeBytes: yield* sizeBytes
      }
    }))

    const deleted = (before: { cache: number; responses: number; runs: number }) =>
      Effect.map(Effect.all([cachedResults, count("response_cache"), count("runs")]), ([cache, responses, runs]): Deleted => ({
        cacheRows: before.cache - cache,
        responseRows: before.responses - responses,
        runs: before.runs - runs
      }))
    const measured = <E>(change: Effect.Effect<void, E>) =>
      Effect.gen(function*() {
        yield* merged
        const before = { cache: yield* cachedResults, responses: yield* count("response_cache"), runs: yield* count("runs") }
        yield* sql.withTransaction(change)
        const result = yield* deleted(before)
        if (result.cacheRows + result.responseRows + result.runs > 0) yield* db.provided(compact)
        return result
      })

    /** Delete everything chosen (default: both caches, not the runs). */
    const clear = (options: ClearOptions = {}): Effect.Effect<Deleted, StoreError> =>
      db.refine(measured(Effect.gen(function*() {
        if (options.cache ?? true) yield* Effect.zipRight(sql`DELETE FROM eval_cache`, sql`DELETE FROM eval_cache_batches`).pipe(
          Effect.zipRight(sql`DELETE FROM eval_cache_metrics`)
        )
        if (options.responses ?? true) yield* sql`DELETE FROM response_cache`
        if (options.runs ?? false) {
          yield* Effect.zipRight(sql`DELETE FROM run_cases`, sql`DELETE FROM run_batches`).pipe(Effect.zipRight(sql`DELETE FROM runs`))
        }
      })))

    /** Delete old entries and/or the oldest entries beyond a size budget. */
    const prune = (options: PruneOptions): Effect.Effect<Deleted, StoreError> =>
      db.refine(measured(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* sql`DELETE FROM response_cache WHERE expires_at <= ${now}`
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

    return { stats, clear, prune } as const
  })
}) {}
