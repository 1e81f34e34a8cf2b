/**
 * JSON Lines datasets: one case per line, streamed. The file is read in 1 MiB chunks and each chunk's lines
 * are decoded together (one stream chunk per file chunk, not a stream element per line), so memory stays flat
 * however long the file is. Blank lines are skipped; errors name the line.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { jsonlDataset } from "./jsonl.js"
 * const count = Stream.runCount(jsonlDataset("cases.jsonl")) // Effect<number, DatasetError, FileSystem>
 * ```
 */
import type { TestCase } from "../model/test-case.js"
import * as FileSystem from "@effect/platform/FileSystem"
import { Chunk, Effect, Either, identity, Stream } from "effect"
import { DatasetError, unreadable } from "./errors.js"
import { decodeCase, parseJsonText, type Validation } from "./decode.js"
import { utf8Checker } from "./utf8.js"

/** Read size of the JSONL reader. */
const CHUNK_SIZE = FileSystem.MiB(1)

/**
 * Stream the cases of a `.jsonl` file.
 *
 * @example
 * ```ts
 * jsonlDataset("examples/capitals.jsonl").pipe(Stream.take(1))
 * ```
 * @since 0.1.0
 */
export const jsonlDataset = (file: string, validation?: Validation): Stream.Stream<TestCase, DatasetError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const utf8 = validation === undefined ? undefined : utf8Checker({ file, strict: validation.strictInput })
    let line = 0 // fresh for every run of the stream
    const decodeLines = (lines: Chunk.Chunk<string>) =>
      Effect.suspend(() => {
        const cases: Array<TestCase> = []
        for (const text of lines) {
          line++
          if (text.trim() === "") continue
          const decoded = Either.flatMap(parseJsonText(text, file, line), (raw) => decodeCase(raw, file, line, validation?.check))
          if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
          cases.push(decoded.right)
        }
        return Effect.succeed(Chunk.unsafeFromArray(cases))
      })
    return fs.stream(file, { chunkSize: CHUNK_SIZE }).pipe(
      Stream.mapError(unreadable(file)),
      utf8 === undefined ? identity : utf8.pass,
      Stream.decodeText(),
      Stream.splitLines,
      Stream.mapChunksEffect(decodeLines),
      Stream.concat(utf8 === undefined ? Stream.empty : Stream.execute(utf8.finish))
    )
  }))
