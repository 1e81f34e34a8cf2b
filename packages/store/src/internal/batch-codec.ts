/**
 * How a batch of the cache's log (`eval_cache_batches`) or of a run's results (`run_batches`) is stored. On
 * SQLite a batch is its JSON compressed with zlib (deflate, level 1) into a BLOB; on Postgres it stays JSON
 * text (Postgres compresses large values itself, and merges the cache log with its own JSON functions).
 *
 * Why compress: results repeat themselves (metric tags, field names, reason templates), so batches shrink
 * many times over, and handing SQLite the JSON text costs more than compressing it: better-sqlite3 converts
 * the string, SQLite writes it to the WAL and the checkpoint copies it again.
 *
 * Compression runs on the calling thread, synchronously: `zlib.deflate` on the thread pool was slower for
 * batches of this size (a thread-pool round trip per chunk) and held more memory at peak. Level 1 compresses
 * these batches nearly as well as level 6, several times faster; brotli (quality 1) compressed a little smaller
 * but ran slower inside a run. Figures: docs/performance.md, "Design choices". The zlib format carries a checksum: a damaged batch fails to read
 * instead of yielding wrong outcomes.
 *
 * Batches written before compression (JSON text) are still read. A batch that cannot be read fails with an
 * SqlError coded {@link DAMAGED_BATCH} (classified as a corrupt database, naming the file); the cache skips such
 * a batch with a warning, so it costs only its own cases.
 *
 * @example
 * ```ts
 * const stored = packBatch(JSON.stringify([[caseKey, outcomes]]))
 * const pairs = yield* batchEntries({ seq: 1, batch: stored }, "eval_cache_batches")
 * ```
 */
import type { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import { deflateSync, inflateSync } from "node:zlib"

/**
 * Compress a batch's JSON (text, or its UTF-8 bytes) for storage.
 *
 * @example
 * ```ts
 * const blob = packBatch('[["k1",{"t1":{"score":1}}]]')
 * ```
 */
export const packBatch = (json: string | Uint8Array): Uint8Array => deflateSync(json, { level: 1 })

/**
 * A batch's JSON as the database stores it: compressed on SQLite, as is on Postgres.
 *
 * @example
 * ```ts
 * sql`INSERT INTO eval_cache_batches (batch, cases, created_at) VALUES (${storedBatch(sql, json)}, ${n}, ${now})`
 * ```
 */
export const storedBatch = (sql: SqlClient.SqlClient, json: string): string | Uint8Array =>
  sql.onDialectOrElse({ pg: (): string | Uint8Array => json, orElse: () => packBatch(json) })

/**
 * The error code of a batch that fails to decompress (zlib's checksum) or to parse.
 *
 * @example
 * ```ts
 * classify(path, error).reason // "corrupt" when the code is DAMAGED_BATCH
 * ```
 */
export const DAMAGED_BATCH = "ASSAY_DAMAGED_BATCH"

/**
 * True for the error of a batch that cannot be decoded (see {@link DAMAGED_BATCH}).
 *
 * @example
 * ```ts
 * Effect.catchIf(batchJson(row, table), isDamagedBatch, () => Effect.succeed("[]"))
 * ```
 */
export const isDamagedBatch = (error: SqlError): boolean =>
  typeof error.cause === "object" && error.cause !== null && (error.cause as { code?: unknown }).code === DAMAGED_BATCH

/** A row of the log, as far as decoding is concerned. */
interface Stored {
  readonly seq: number
  readonly batch: string | Uint8Array
}

const decoding = <A>(row: Stored, table: string, decode: () => A): Effect.Effect<A, SqlError> =>
  Effect.try({
    try: decode,
    catch: (e) => {
      const message = `batch ${row.seq} of ${table} is damaged: ${e instanceof Error ? e.message : String(e)}`
      return new SqlError({ message, cause: { code: DAMAGED_BATCH, message } })
    }
  })

/** Output chunks of 256 KiB: a batch of a few hundred results inflates into one or two instead of a dozen joined. */
const INFLATE_CHUNK = 1 << 18

const unpack = (batch: string | Uint8Array): string | Buffer =>
  typeof batch === "string" ? batch : inflateSync(batch, { chunkSize: INFLATE_CHUNK })

/**
 * The JSON of a stored batch: as stored (a batch of text) or decompressed (a BLOB, as UTF-8 bytes).
 *
 * @example
 * ```ts
 * sql`SELECT value FROM json_each(CAST(${yield* batchJson(row, "eval_cache_batches")} AS TEXT))`
 * ```
 */
export const batchJson = (row: Stored, table: string): Effect.Effect<string | Buffer, SqlError> =>
  typeof row.batch === "string" ? Effect.succeed(row.batch) : decoding(row, table, () => unpack(row.batch))

/**
 * The `[caseKey, outcomesByTag]` pairs of a stored batch.
 *
 * @example
 * ```ts
 * for (const [key, outcomes] of yield* batchEntries(row, "eval_cache_batches")) index.set(key, outcomes)
 * ```
 */
export const batchEntries = <A>(row: Stored, table: string): Effect.Effect<ReadonlyArray<A>, SqlError> =>
  decoding(row, table, () => JSON.parse(unpack(row.batch).toString()) as ReadonlyArray<A>)
