/**
 * The cache's statements. A row of `eval_cache` holds every cached outcome of one case as a JSON object keyed
 * by metric tag. New outcomes are appended as one batch per transaction to the log `eval_cache_batches`
 * — one statement and a page or two per commit, where upserting each case into the keyed B-tree would dirty
 * a page per case per commit — and merged into `eval_cache` in bulk, in key order, by {@link mergeBatches}:
 * in a row already cached, a metric's newer outcome replaces its older one whole, and other metrics stay.
 * A batch is a JSON array of `[caseKey, outcomesByTag]` pairs, compressed on SQLite (`batch-codec.ts`).
 * Lookups pass the keys as one JSON array, so the statement text (and the prepared statement) is the same for
 * every chunk.
 *
 * Each statement has a SQLite form (its JSON1 functions) and a Postgres form (`jsonb`). On Postgres, appends
 * take a table lock, so batch sequence numbers are committed in order (readers remember the last one they
 * read; a number committed late would be skipped).
 *
 * @example
 * ```ts
 * yield* appendBatch(JSON.stringify([[caseKey, { [tag]: { score: 0.75 } }]]), 1, Date.now())
 * yield* sql.withTransaction(mergeBatches)
 * const rows = yield* selectCases(JSON.stringify([caseKey]))
 * ```
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"
import { batchJson, isDamagedBatch } from "./batch-codec.js"

/**
 * Append one batch: its JSON text, or on SQLite its compressed JSON (`packBatch`).
 *
 * @example
 * ```ts
 * yield* appendBatch('[["k1",{"t1":{"score":1}}]]', 1, now)
 * ```
 */
export const appendBatch = (batch: string | Uint8Array, cases: number, now: number): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const insert = sql`INSERT INTO eval_cache_batches (batch, cases, created_at) VALUES (${batch}, ${cases}, ${now})`
    // SHARE ROW EXCLUSIVE conflicts with itself, not with readers: one appender at a time, until it commits.
    return sql.onDialectOrElse({
      pg: () => Effect.zipRight(sql`LOCK TABLE eval_cache_batches IN SHARE ROW EXCLUSIVE MODE`, insert),
      orElse: () => insert
    })
  })

/**
 * The batches appended after `afterSeq`, oldest first, and how many cases they hold in all.
 *
 * @example
 * ```ts
 * const { cases } = yield* pendingSince(0)
 * const rows = yield* batchesSince(0)
 * ```
 */
export const pendingSince = (afterSeq: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ cases: number | null }>`SELECT SUM(cases) AS cases FROM eval_cache_batches WHERE seq > ${afterSeq}`,
      (rows) => ({ cases: Number(rows[0]?.cases ?? 0) })
    ))

/**
 * See {@link pendingSince}.
 *
 * @example
 * ```ts
 * for (const row of yield* batchesSince(lastSeq)) yield* batchEntries(row, "eval_cache_batches")
 * ```
 */
export const batchesSince = (afterSeq: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<StoredBatch>`SELECT seq, batch, created_at FROM eval_cache_batches WHERE seq > ${afterSeq} ORDER BY seq`)

/**
 * A row of the log: its batch as stored (JSON text, or compressed JSON on SQLite).
 *
 * @example
 * ```ts
 * const rows: ReadonlyArray<StoredBatch> = yield* batchesSince(0)
 * ```
 */
export interface StoredBatch {
  readonly seq: number
  readonly batch: string | Uint8Array
  readonly created_at: number
}

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
  yield* sql.onDialectOrElse({
    // Postgres may not update one row twice in one statement: outcomes are first folded per case, newest
    // last (jsonb keeps the last value of a repeated key), then merged into the stored object with `||`.
    pg: () =>
      sql`INSERT INTO eval_cache (case_key, outcomes, created_at)
        SELECT e.value ->> 0, jsonb_object_agg(o.key, o.value ORDER BY b.seq, e.position)::text, MAX(b.created_at)
        FROM eval_cache_batches b
          CROSS JOIN LATERAL jsonb_array_elements(b.batch::jsonb) WITH ORDINALITY AS e(value, position)
          CROSS JOIN LATERAL jsonb_each(e.value -> 1) AS o
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (case_key) DO UPDATE SET outcomes = (eval_cache.outcomes::jsonb || excluded.outcomes::jsonb)::text,
          created_at = excluded.created_at`,
    // A statement per batch, oldest first: SQLite cannot read a compressed batch, so each is decompressed here
    // and passed as UTF-8 bytes (read back as text by CAST, with no conversion). Key order makes each batch's
    // B-tree inserts sequential; within a batch, position order makes the later outcome of a case win.
    // `WHERE true` keeps SQLite's parser from reading ON CONFLICT as a join constraint. A batch that cannot
    // be decompressed is left out with a warning (and deleted with the rest); a damaged stored row is replaced.
    orElse: () =>
      Effect.flatMap(batchesSince(0), (rows) =>
        Effect.forEach(rows, (row) =>
          Effect.flatMap(batchJson(row, "eval_cache_batches"), (json) =>
            sql`INSERT INTO eval_cache (case_key, outcomes, created_at)
            SELECT e.value ->> 0, e.value -> 1, ${row.created_at} FROM json_each(CAST(${json} AS TEXT)) e
            WHERE true ORDER BY 1, e.key
            ON CONFLICT (case_key) DO UPDATE SET outcomes = (
              SELECT json_group_object(key, json(value)) FROM (
                SELECT o.key, o.value
                  FROM json_each(CASE WHEN json_valid(eval_cache.outcomes) THEN eval_cache.outcomes ELSE '{}' END) o
                  WHERE o.key NOT IN (SELECT n.key FROM json_each(excluded.outcomes) n)
                UNION ALL SELECT n.key, n.value FROM json_each(excluded.outcomes) n)),
              created_at = excluded.created_at`).pipe(
              Effect.catchIf(isDamagedBatch, (error) => Effect.logWarning(`${error.message}; its cases are dropped from the cache`))
            ), { discard: true }))
  })
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
    sql.onDialectOrElse({
      pg: () =>
        sql<{ readonly case_key: string; readonly outcomes: string }>`SELECT case_key, outcomes FROM eval_cache
          WHERE case_key IN (SELECT jsonb_array_elements_text(${keysJson}::jsonb))`,
      orElse: () =>
        sql<{ readonly case_key: string; readonly outcomes: string }>`SELECT case_key, outcomes FROM eval_cache
          WHERE case_key IN (SELECT value FROM json_each(${keysJson}))`
    }))

/**
 * Record the names of metric tags (for statistics).
 *
 * @example
 * ```ts
 * yield* nameTags([{ tag: "t1", name: "bleu" }])
 * ```
 */
export const nameTags = (tags: ReadonlyArray<{ readonly tag: string; readonly name: string }>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const pairs = JSON.stringify(tags.map((t) => [t.tag, t.name]))
    return sql.onDialectOrElse({
      // One row per tag: Postgres may not update one row twice in one statement.
      pg: () =>
        sql`INSERT INTO eval_cache_metrics (metric_tag, name)
          SELECT DISTINCT ON (value ->> 0) value ->> 0, value ->> 1 FROM jsonb_array_elements(${pairs}::jsonb)
          ON CONFLICT (metric_tag) DO UPDATE SET name = excluded.name`,
      orElse: () =>
        sql`INSERT INTO eval_cache_metrics (metric_tag, name)
          SELECT value ->> 0, value ->> 1 FROM json_each(${pairs})
          WHERE true ON CONFLICT (metric_tag) DO UPDATE SET name = excluded.name`
    })
  })
