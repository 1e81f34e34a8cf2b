/**
 * New cache rows are appended to `eval_cache_staging` (a sequential table: a commit touches a few pages) and
 * merged into the keyed `eval_cache` table in large sorted batches. Random 256-bit keys inserted straight into
 * the keyed B-tree dirty one page per row per commit, which made per-case commits ~5× slower. Rows are durable
 * in either table; readers look at both (the later staging row wins).
 *
 * @example
 * ```ts
 * yield* sql.withTransaction(mergeStaging)
 * ```
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"

/**
 * The cache columns shared by both tables.
 *
 * @example
 * ```ts
 * sql.unsafe(`SELECT ${CACHE_COLUMNS} FROM eval_cache_staging`)
 * ```
 */
export const CACHE_COLUMNS = "cache_key, metric, score, reason, input_tokens, output_tokens, verbose, created_at"

/**
 * Move every staged row into `eval_cache` (newest row per key wins). Run it inside a transaction.
 *
 * @example
 * ```ts
 * const moved = yield* sql.withTransaction(mergeStaging)
 * ```
 */
export const mergeStaging: Effect.Effect<number, SqlError.SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [counted] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM eval_cache_staging`
  const n = Number(counted?.n ?? 0)
  if (n === 0) return 0
  // `WHERE true` keeps SQLite's parser from reading ON CONFLICT as a join constraint.
  yield* sql.unsafe(`INSERT INTO eval_cache (${CACHE_COLUMNS})
    SELECT ${CACHE_COLUMNS} FROM eval_cache_staging
    WHERE seq IN (SELECT MAX(seq) FROM eval_cache_staging GROUP BY cache_key)
    ORDER BY cache_key
    ON CONFLICT (cache_key) DO UPDATE SET score = excluded.score, metric = excluded.metric, reason = excluded.reason,
      input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, verbose = excluded.verbose,
      created_at = excluded.created_at`)
  yield* sql`DELETE FROM eval_cache_staging`
  return n
})
