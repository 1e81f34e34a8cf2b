/**
 * The database's statistics for `assay cache stats`: cached results per metric, responses, runs, stored case
 * results, size on disk and schema version. Its counts also measure what a deletion removed (`maintenance.ts`).
 *
 * @example
 * ```ts
 * const stats = yield* statsOf(db)
 * ```
 */
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { mergeBatches } from "./cache-sql.js"
import type { DatabaseApi } from "./database.js"
import { databaseSize } from "./dialect.js"
import type { StoreError } from "./errors.js"
import { MIGRATIONS_TABLE } from "./migrations.js"

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
 * The rows of `table`.
 *
 * @example
 * ```ts
 * const runs = yield* count(sql, "runs")
 * ```
 */
export const count = (sql: SqlClient.SqlClient, table: string) =>
  Effect.map(sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)}`, (rows) => Number(rows[0]?.n ?? 0))

/** Every cached outcome as a row `(key = metric tag)`: SQLite's `json_each`, Postgres's `jsonb_each`. */
const outcomesOf = (sql: SqlClient.SqlClient) =>
  sql.literal(sql.onDialectOrElse({
    pg: () => "eval_cache c CROSS JOIN LATERAL jsonb_each(c.outcomes::jsonb) o",
    orElse: () => "eval_cache c, json_each(c.outcomes) o"
  }))

/**
 * Cached metric results (one per case × metric).
 *
 * @example
 * ```ts
 * const n = yield* cachedResults(sql)
 * ```
 */
export const cachedResults = (sql: SqlClient.SqlClient) =>
  Effect.map(sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${outcomesOf(sql)}`, (rows) => Number(rows[0]?.n ?? 0))

/** Case results stored in batches (`run_batches`). */
const storedCaseCount = (sql: SqlClient.SqlClient) =>
  Effect.map(sql<{ n: number | null }>`SELECT SUM(cases) AS n FROM run_batches`, (rows) => Number(rows[0]?.n ?? 0))

/**
 * Merge the cache's log into the keyed table, so that counts and deletions see every cached case.
 *
 * @example
 * ```ts
 * yield* merged(db)
 * ```
 */
export const merged = (db: DatabaseApi) => db.sql.withTransaction(db.provided(mergeBatches))

/**
 * Current statistics (staged cache rows are merged first).
 *
 * @example
 * ```ts
 * const { cacheRows, sizeBytes } = yield* statsOf(db)
 * ```
 */
export const statsOf = (db: DatabaseApi): Effect.Effect<StoreStats, StoreError> =>
  db.refine(Effect.gen(function*() {
    const { sql } = db
    yield* merged(db)
    const version = yield* sql<{ v: number | null }>`SELECT MAX(migration_id) AS v FROM ${sql(MIGRATIONS_TABLE)}`
    const perMetric = yield* sql<{ metric: string; rows: number }>`SELECT COALESCE(m.name, o.key) AS metric, COUNT(*) AS rows
      FROM ${outcomesOf(sql)} LEFT JOIN eval_cache_metrics m ON m.metric_tag = o.key
      GROUP BY 1 ORDER BY 1`
    return {
      path: db.path,
      schemaVersion: Number(version[0]?.v ?? 0),
      cacheRows: perMetric.reduce((n, r) => n + Number(r.rows), 0),
      cachedCases: yield* count(sql, "eval_cache"),
      perMetric: perMetric.map((r) => ({ metric: r.metric, rows: Number(r.rows) })),
      responseRows: yield* count(sql, "response_cache"),
      runs: yield* count(sql, "runs"),
      caseResults: (yield* count(sql, "run_cases")) + (yield* storedCaseCount(sql)),
      sizeBytes: yield* db.provided(databaseSize)
    }
  }))
