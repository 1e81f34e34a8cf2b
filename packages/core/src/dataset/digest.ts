/**
 * A dataset file's content digest: SHA-256 of its bytes, read a chunk at a time. A file with bytes that are not
 * UTF-8 has none: reading it prints a warning (or fails under `--strict-input`) that a run must not skip.
 *
 * @example
 * ```ts
 * const digest = yield* datasetDigest("cases.jsonl") // Option.some("9f86d0…")
 * ```
 */
import { FileSystem } from "@effect/platform"
import { Effect, Option, Stream } from "effect"
import { isUtf8 } from "node:buffer"
import { createHash } from "node:crypto"
import { type DatasetError, unreadable } from "./errors.js"
import { lastCharStart } from "./utf8.js"

/**
 * The SHA-256 of `file`'s bytes (hex), or none when they are not all UTF-8; see the module doc.
 *
 * @example
 * ```ts
 * datasetDigest("cases.jsonl").pipe(Effect.map(Option.isSome))
 * ```
 * @since 0.1.0
 */
export const datasetDigest = (file: string): Effect.Effect<Option.Option<string>, DatasetError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    Effect.suspend(() => {
      const hash = createHash("sha256")
      let carry: Uint8Array = new Uint8Array(0)
      let utf8 = true
      const add = (chunk: Uint8Array) => {
        hash.update(chunk)
        if (!utf8) return
        // Only a character cut at the previous chunk's end spans two chunks: check it with the continuation
        // bytes that complete it, and the rest of this chunk in place (no copy of the whole chunk).
        let from = 0
        while (from < chunk.length && from < 3 && (chunk[from]! & 0xc0) === 0x80) from++
        if (from === chunk.length) {
          carry = Buffer.concat([carry, chunk])
          return
        }
        if (carry.length > 0 || from > 0) utf8 = isUtf8(Buffer.concat([carry, chunk.subarray(0, from)]))
        const rest = chunk.subarray(from)
        const cut = lastCharStart(rest)
        utf8 = utf8 && isUtf8(rest.subarray(0, cut))
        carry = rest.slice(cut)
      }
      return fs.stream(file, { chunkSize: FileSystem.MiB(1) }).pipe(
        Stream.mapError(unreadable(file)),
        Stream.runForEach((chunk) => Effect.sync(() => add(chunk))),
        Effect.map(() => (utf8 && isUtf8(carry) ? Option.some(hash.digest("hex")) : Option.none()))
      )
    }))
