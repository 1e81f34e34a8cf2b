/**
 * A run's stored results read back as their JSON (UTF-8 bytes), in case order, without parsing or even
 * decoding them: a report that only copies each result's JSON (`assay run --out`) splices the stored bytes. A batch holds one result per line
 * (`resultsJson` in `run-sql.ts`), aligned with its `indices`; it is checked as `validateBatch` checks a
 * parsed batch, by its first and last result (and that they are the cases `indices` names). A batch written
 * before results went one per line, and the rows of `run_cases`, are parsed and each result stringified:
 * the bytes are what `JSON.stringify` makes of the parsed result either way.
 *
 * @example
 * ```ts
 * yield* Stream.runForEach(streamResultJson(db, "r1"), (item) => Console.log(item.index, item.json.length))
 * ```
 */
import { CaseResult } from "@assay/core"
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect, type ParseResult, Schema, Stream } from "effect"
import { batchEntries, batchJson } from "./batch-codec.js"
import type { DatabaseApi } from "./database.js"
import type { StoreError } from "./errors.js"
import { readFailure, validateBatch, validateResults } from "./run-decode.js"
import { type BatchRow, orderedItems } from "./run-read.js"

/**
 * A stored case result as its JSON (what `JSON.stringify` makes of it, as UTF-8 bytes), with its case index.
 *
 * @example
 * ```ts
 * const item: StoredResultJson = { index: 0, json: Buffer.from('{"index":0,"name":null,…}') }
 * ```
 * @since 0.1.0
 */
export interface StoredResultJson {
  readonly index: number
  readonly json: Uint8Array
}

const isCaseResult = Schema.is(CaseResult)

/** Parsed results as JSON items (legacy rows, batches not written one result per line). */
const stringified = (results: ReadonlyArray<CaseResult>): ReadonlyArray<StoredResultJson> =>
  results.map((result) => ({ index: result.index, json: Buffer.from(JSON.stringify(result)) }))

/** A batch read the slow way: parsed and checked as a whole (its error names the damage), then stringified. */
const parsedBatch = (row: BatchRow) =>
  Effect.map(Effect.flatMap(batchEntries<unknown>(row, "run_batches"), validateBatch), stringified)

const NEWLINE = 0x0a
const COMMA = 0x2c

/** The lines of a batch written one result per line (each without its comma), or undefined when it is not `count` such lines. */
const lines = (bytes: Uint8Array, count: number): ReadonlyArray<Uint8Array> | undefined => {
  if (count === 0 || bytes[0] !== 0x5b || bytes[bytes.length - 1] !== 0x5d) return undefined
  const parts: Array<Uint8Array> = []
  let start = 1
  for (let at = bytes.indexOf(NEWLINE, start); at !== -1; at = bytes.indexOf(NEWLINE, start)) {
    if (bytes[at - 1] !== COMMA) return undefined
    parts.push(bytes.subarray(start, at - 1))
    start = at + 1
  }
  parts.push(bytes.subarray(start, bytes.length - 1))
  return parts.length === count ? parts : undefined
}

/** Whether `json` is a case result of case `index` (a result at either end of a batch). */
const endHolds = (json: Uint8Array, index: number | undefined): boolean => {
  const value: unknown = JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString())
  return isCaseResult(value) && value.index === index
}

/** The JSON items of one stored batch; see the module doc. */
const batchItems = (row: BatchRow): Effect.Effect<ReadonlyArray<StoredResultJson>, SqlError.SqlError | ParseResult.ParseError> =>
  Effect.flatMap(batchEntries<number>({ seq: row.seq, batch: row.indices }, "run_batches"), (indices) =>
    Effect.flatMap(batchJson(row, "run_batches"), (raw) => {
      const parts = lines(typeof raw === "string" ? Buffer.from(raw) : raw, indices.length)
      if (parts === undefined) return parsedBatch(row)
      const last = parts.length - 1
      const whole = Effect.try({
        try: () => endHolds(parts[0]!, indices[0]) && endHolds(parts[last]!, indices[last]),
        catch: () => false
      })
      return Effect.flatMap(Effect.merge(whole), (ok): Effect.Effect<ReadonlyArray<StoredResultJson>, SqlError.SqlError | ParseResult.ParseError> =>
        ok ? Effect.succeed(parts.map((json, i) => ({ index: indices[i]!, json }))) : parsedBatch(row))
    }))

/**
 * The stored results of a run as their JSON, in input order (a case stored twice: its latest result), streamed
 * a few batches at a time; see the module doc.
 *
 * @example
 * ```ts
 * const texts = streamResultJson(db, "r1")
 * ```
 * @since 0.1.0
 */
export const streamResultJson = (db: DatabaseApi, runId: string): Stream.Stream<StoredResultJson, StoreError> =>
  orderedItems(
    runId,
    (legacy) => Effect.map(validateResults(legacy.map((row) => JSON.parse(row) as unknown)), stringified),
    batchItems
  ).pipe(
    Stream.provideService(SqlClient.SqlClient, db.sql),
    Stream.mapError(readFailure(db.path))
  )
