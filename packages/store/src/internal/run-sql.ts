/**
 * The run store's statements for case results. A commit of the run store's writer appends one row per run to
 * `run_batches`: the batch's case indices (a JSON array, read by `resume` without decoding results) and its
 * results (a JSON array, one result per line, compressed on SQLite: `batch-codec.ts`). A row of JSON per case
 * made the inserts and the checkpoint a large share of a big run (docs/performance.md, "Design choices").
 *
 * Runs written by earlier versions keep their results in `run_cases` (a row per case); every reader here
 * reads both tables. A case stored twice (an `onResults` sink called again for a case) reads as its latest
 * result.
 *
 * @example
 * ```ts
 * yield* appendResults(runId, results)
 * const { legacy, batched } = yield* storedResults(runId)
 * ```
 */
import { SqlClient, type SqlError } from "@effect/sql"
import type { CaseResult } from "@assay/core"
import { Effect } from "effect"
import { batchEntries, packBatch } from "./batch-codec.js"

/**
 * A batch of results as stored: a JSON array holding one result per line, so that a reader can take each
 * result's JSON without parsing the batch (`run-json.ts`); `JSON.stringify` never writes a raw line break, so
 * the line breaks are the separators.
 *
 * @example
 * ```ts
 * resultsJson([a, b]) // '[{"index":0,…},\n{"index":1,…}]'
 * ```
 */
export const resultsJson = (results: ReadonlyArray<CaseResult>): string => {
  let json = "["
  for (let i = 0; i < results.length; i++) json += (i === 0 ? "" : ",\n") + JSON.stringify(results[i])
  return `${json}]`
}

/**
 * The same JSON as {@link resultsJson}, as UTF-8 bytes written a result at a time into one growing buffer
 * (most results are ASCII, which encodes far faster alone than inside a batch holding a single other
 * character; no intermediate buffer per result).
 *
 * @example
 * ```ts
 * packBatch(resultsBytes(results))
 * ```
 */
export const resultsBytes = (results: ReadonlyArray<CaseResult>): Uint8Array => {
  let buffer = Buffer.allocUnsafe(1 << 16)
  let at = 0
  const put = (text: string) => {
    const room = at + text.length * 3 // a UTF-16 unit is at most 3 bytes of UTF-8
    if (room > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(room, buffer.length * 2))
      buffer.copy(grown, 0, 0, at)
      buffer = grown
    }
    at += buffer.write(text, at)
  }
  put("[")
  for (let i = 0; i < results.length; i++) put((i === 0 ? "" : ",\n") + JSON.stringify(results[i]))
  put("]")
  return buffer.subarray(0, at)
}

/**
 * Append a batch of results of one run.
 *
 * @example
 * ```ts
 * yield* sql.withTransaction(appendResults(runId, results))
 * ```
 */
export const appendResults = (runId: string, results: ReadonlyArray<CaseResult>): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const indexes = results.map((r) => r.index)
    const first = indexes.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
    const batch = sql.onDialectOrElse({ pg: (): string | Uint8Array => resultsJson(results), orElse: () => packBatch(resultsBytes(results)) })
    return sql`INSERT INTO run_batches (run_id, cases, indices, batch, first_index)
      VALUES (${runId}, ${results.length}, ${JSON.stringify(indexes)}, ${batch}, ${first})`
  })

/**
 * The SQL expression counting the stored results of the run `r` (a row of `runs` aliased `r`). A case stored
 * twice counts twice (batches are counted, not decoded); the engine hands each case to a sink once.
 *
 * @example
 * ```ts
 * sql`SELECT r.*, ${finishedCases(sql)} AS finished_cases FROM runs r`
 * ```
 */
export const finishedCases = (sql: SqlClient.SqlClient) =>
  sql.literal(`((SELECT COUNT(*) FROM run_cases c WHERE c.run_id = r.run_id)
    + (SELECT COALESCE(SUM(b.cases), 0) FROM run_batches b WHERE b.run_id = r.run_id))`)

/**
 * The stored results of a run, undecoded: `run_cases` rows of earlier versions (JSON text each) and the
 * results of `run_batches`, oldest batch first.
 *
 * @example
 * ```ts
 * const { legacy, batched } = yield* storedResults(runId)
 * ```
 */
export const storedResults = (runId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const legacy = yield* sql<{ readonly result: string }>`SELECT result FROM run_cases WHERE run_id = ${runId} ORDER BY case_index`
    const rows = yield* sql<{ readonly seq: number; readonly batch: string | Uint8Array }>`SELECT seq, batch FROM run_batches
      WHERE run_id = ${runId} ORDER BY seq`
    const batched: Array<unknown> = []
    for (const row of rows) for (const result of yield* batchEntries<unknown>(row, "run_batches")) batched.push(result)
    return { legacy: legacy.map((r) => r.result), batched }
  })

/**
 * The indices of the cases a run has stored results for.
 *
 * @example
 * ```ts
 * const done = yield* storedIndices(runId)
 * ```
 */
export const storedIndices = (runId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const done = new Set<number>()
    for (const row of yield* sql<{ case_index: number }>`SELECT case_index FROM run_cases WHERE run_id = ${runId}`) {
      done.add(Number(row.case_index))
    }
    for (const row of yield* sql<{ seq: number; indices: string }>`SELECT seq, indices FROM run_batches WHERE run_id = ${runId}`) {
      for (const index of yield* batchEntries<number>({ seq: row.seq, batch: row.indices }, "run_batches")) done.add(index)
    }
    return done as ReadonlySet<number>
  })
