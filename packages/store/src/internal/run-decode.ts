/**
 * Reading stored runs back: case results validated, and what a value that does not decode means (a corrupt
 * database, named in a {@link StoreError}). Shared by the run store and the run viewer.
 *
 * @example
 * ```ts
 * const results = yield* validateResults(values).pipe(Effect.mapError(corruptRun(db.path)))
 * ```
 */
import { CaseResult } from "@assay/core"
import type { SqlError } from "@effect/sql"
import { Effect, type ParseResult, Schema } from "effect"
import { classify } from "./classify.js"
import { StoreError } from "./errors.js"

const isCaseResult = Schema.is(CaseResult)
const decodeResults = Schema.decodeUnknown(Schema.Array(CaseResult))

/**
 * Stored results, validated. A CaseResult's schema has no transformations, so well-formed JSON values are
 * checked in place (`Schema.is`: no copy of a large run's results); only when one is malformed does the decoder
 * run, for its error message. Unlike the decoder, the check keeps fields beyond the schema (this version writes
 * none): rejecting them would cost more than decoding.
 *
 * @example
 * ```ts
 * const results = yield* validateResults(JSON.parse(text))
 * ```
 */
export const validateResults = (values: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<CaseResult>, ParseResult.ParseError> =>
  values.every(isCaseResult) ? Effect.succeed(values as ReadonlyArray<CaseResult>) : decodeResults(values)

/**
 * One stored batch of results, validated by its first and last result (the whole batch when either fails).
 * A batch is one `JSON.stringify` of results by one writer, so its results share their shape: a batch of
 * another shape (written by an incompatible version) fails on its ends, and damage inside it fails zlib's
 * checksum on SQLite before it is parsed. Checking every result of a large run cost as much as parsing it.
 *
 * @example
 * ```ts
 * const results = yield* validateBatch(yield* batchEntries(row, "run_batches"))
 * ```
 */
export const validateBatch = (values: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<CaseResult>, ParseResult.ParseError> =>
  values.length === 0 || (isCaseResult(values[0]) && isCaseResult(values[values.length - 1]))
    ? Effect.succeed(values as ReadonlyArray<CaseResult>)
    : decodeResults(values)

/**
 * A stored run that does not decode: the database at `path` is corrupt.
 *
 * @example
 * ```ts
 * Effect.mapError(decodeRun(row), corruptRun(db.path))
 * ```
 */
export const corruptRun = (path: string) => (e: ParseResult.ParseError): StoreError =>
  new StoreError({ path, reason: "corrupt", detail: `a stored run does not decode: ${e.message}` })

/**
 * A failure reading a run: a value that does not decode (corrupt), or the driver's error, classified.
 *
 * @example
 * ```ts
 * Effect.mapError(read, readFailure(db.path))
 * ```
 */
export const readFailure = (path: string) => (e: SqlError.SqlError | ParseResult.ParseError): StoreError =>
  e._tag === "ParseError" ? corruptRun(path)(e) : classify(path, e)
