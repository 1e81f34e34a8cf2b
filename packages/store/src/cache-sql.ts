/**
 * The cache's statements. A row of `eval_cache` holds every cached outcome of one case as a JSON object keyed
 * by metric tag. New outcomes are appended as one JSON batch per transaction to `eval_cache_batches` — one
 * statement and a page or two per commit, where upserting each case into the keyed B-tree would dirty a page
 * per case per commit — and merged into `eval_cache` in bulk, in key order, by {@link mergeBatches}: a row
 * already cached is patched (`json_patch`: a metric's newer outcome replaces its older one, other metrics
 * stay). Lookups pass the keys as one JSON array, so the statement text (and the prepared statement) is the
 * same for every chunk.
 *
 * These are SQLite's JSON functions; a Postgres layer would use `jsonb_array_elements` and `||` here.
 *
 * @example
 * ```ts
 * yield* appendBatch(JSON.stringify([[caseKey, { [tag]: 0.75 }]]), Date.now())
 * yield* sql.withTransaction(mergeBatches)
 * const rows = yield* selectCases(JSON.stringify([caseKey]))
 * ```
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"

/**
 * Append one batch: a JSON array of `[caseKey, outcomesByTag]` pairs.
 *
 * @example
 * ```ts
 * yield* appendBatch('[["k1",{"t1":1}]]', now)
 * ```
 */
export const appendBatch = (batchJson: string, now: number): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`INSERT INTO eval_cache_batches (batch, created_at) VALUES (${batchJson}, ${now})`)

/**
 * Merge every pending batch into `eval_cache` and return how many batches there were. Run it in a transaction.
 *
 * @example
 * ```ts
 * const merged = yield* sql.withTransaction(mergeBatches)
 * ```
 */
export const mergeBatches: Effect.Effect<number, SqlError.SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [counted] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM eval_cache_batches`
  const n = Number(counted?.n ?? 0)
  if (n === 0) return 0
  // Key order makes the B-tree inserts sequential; (seq, position) makes the newest outcome win.
  // `WHERE true` keeps SQLite's parser from reading ON CONFLICT as a join constraint.
  yield* sql`INSERT INTO eval_cache (case_key, outcomes, created_at)
    SELECT e.value ->> 0, e.value -> 1, b.created_at FROM eval_cache_batches b, json_each(b.batch) e
    WHERE true ORDER BY 1, b.seq, e.key
    ON CONFLICT (case_key) DO UPDATE SET outcomes = json_patch(eval_cache.outcomes, excluded.outcomes),
      created_at = excluded.created_at`
  yield* sql`DELETE FROM eval_cache_batches`
  return n
})

/**
 * The cached rows of the given case keys (a JSON array of keys), in no particular order.
 *
 * @example
 * ```ts
 * const rows = yield* selectCases('["k1","k2"]')
 * ```
 */
export const selectCases = (keysJson: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ readonly case_key: string; readonly outcomes: string }>`SELECT case_key, outcomes FROM eval_cache
      WHERE case_key IN (SELECT value FROM json_each(${keysJson}))`)

/**
 * Record the names of metric tags (for statistics).
 *
 * @example
 * ```ts
 * yield* nameTags([{ tag: "t1", name: "bleu" }])
 * ```
 */
export const nameTags = (tags: ReadonlyArray<{ readonly tag: string; readonly name: string }>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO eval_cache_metrics (metric_tag, name)
      SELECT value ->> 0, value ->> 1 FROM json_each(${JSON.stringify(tags.map((t) => [t.tag, t.name]))})
      WHERE true ON CONFLICT (metric_tag) DO UPDATE SET name = excluded.name`)
