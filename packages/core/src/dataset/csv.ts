/**
 * `.csv` datasets: a header row names the fields (snake_case or camelCase); list columns (`context`,
 * `retrieval_context`, `tags`) are split on `|`; structured columns (`tools_called`, `expected_tools`,
 * `metadata`, `turns`) hold JSON. Empty cells are absent fields. Parsed by csv-parse as a stream (records are
 * pulled in chunks), so memory stays flat.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { csvDataset } from "./csv.js"
 * Stream.runCount(csvDataset("cases.csv"))
 * ```
 */
import type { TestCase } from "../model/test-case.js"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeStream from "@effect/platform-node/NodeStream" // not the index, which loads undici
import { parse } from "csv-parse"
import { Chunk, Effect, Either, identity, Stream } from "effect"
import { DatasetError, unreadable } from "./errors.js"
import { decodeCase, parseJsonText, type Validation } from "./decode.js"
import { utf8Checker } from "./utf8.js"

const LIST_COLUMNS = new Set(["context", "retrieval_context", "retrievalContext", "tags"])
const JSON_COLUMNS = new Set([
  "tools_called", "toolsCalled", "expected_tools", "expectedTools", "metadata", "additional_metadata", "turns"
])

interface CsvRecord {
  readonly info: { readonly lines: number }
  readonly record: Readonly<Record<string, string>>
}

/**
 * Turn one CSV row into a raw case object (before core's decoding).
 *
 * @example
 * ```ts
 * rowToRaw({ input: "q", context: "a|b" }, "c.csv", 2) // Either.right({ input: "q", context: ["a", "b"] })
 * ```
 * @since 0.1.0
 */
export const rowToRaw = (row: Readonly<Record<string, string>>, file: string, line: number): Either.Either<Record<string, unknown>, DatasetError> => {
  const raw: Record<string, unknown> = {}
  for (const [column, cell] of Object.entries(row)) {
    if (cell === "") continue
    if (LIST_COLUMNS.has(column)) {
      raw[column] = cell.split("|").map((part) => part.trim()).filter((part) => part !== "")
    } else if (JSON_COLUMNS.has(column)) {
      const parsed = parseJsonText(cell, file, line)
      if (Either.isLeft(parsed)) {
        return Either.left(new DatasetError({ file, line, detail: `column ${column}: ${parsed.left.detail}` }))
      }
      raw[column] = parsed.right
    } else {
      raw[column] = cell
    }
  }
  return Either.right(raw)
}

const csvError = (file: string) => (error: unknown): DatasetError => {
  const lines = typeof error === "object" && error !== null && "lines" in error && typeof error.lines === "number"
    ? error.lines
    : undefined
  const detail = error instanceof Error ? error.message : String(error)
  return new DatasetError({ file, ...(lines !== undefined ? { line: lines } : {}), detail: `invalid CSV: ${detail}` })
}

/**
 * Stream the cases of a `.csv` file.
 *
 * @example
 * ```ts
 * csvDataset("examples/capitals.csv")
 * ```
 * @since 0.1.0
 */
export const csvDataset = (file: string, validation?: Validation): Stream.Stream<TestCase, DatasetError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const utf8 = validation === undefined ? undefined : utf8Checker({ file, strict: validation.strictInput })
    const decodeRecords = (records: Chunk.Chunk<CsvRecord>) =>
      Effect.suspend(() => {
        const cases: Array<TestCase> = []
        for (const { info, record } of records) {
          const decoded = Either.flatMap(rowToRaw(record, file, info.lines), (raw) => decodeCase(raw, file, info.lines, validation?.check))
          if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
          cases.push(decoded.right)
        }
        return Effect.succeed(Chunk.unsafeFromArray(cases))
      })
    return fs.stream(file, { chunkSize: FileSystem.MiB(1) }).pipe(
      Stream.mapError(unreadable(file)),
      utf8 === undefined ? identity : utf8.pass,
      NodeStream.pipeThroughDuplex<DatasetError, CsvRecord>(
        () => parse({ columns: true, info: true, bom: true, skip_empty_lines: true }),
        csvError(file),
        { chunkSize: 4096 }
      ),
      Stream.mapChunksEffect(decodeRecords),
      Stream.concat(utf8 === undefined ? Stream.empty : Stream.execute(utf8.finish))
    )
  }))
