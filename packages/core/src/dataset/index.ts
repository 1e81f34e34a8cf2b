/**
 * Dataset loading by file extension: `.json`, `.jsonl` (also `.ndjson`) and `.csv`, each a
 * `Stream<TestCase, DatasetError, FileSystem>` the engine consumes. A format's reader (and its parser:
 * csv-parse, @streamparser/json, yaml) is imported when a file of that format is first read, so a program that
 * never reads a file does not load them.
 *
 * @example
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { Effect, Stream } from "effect"
 * import { loadDataset } from "@assay/core"
 * Stream.runCount(loadDataset("examples/capitals.jsonl")).pipe(Effect.provide(NodeContext.layer))
 * ```
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import { Effect, Stream } from "effect"
import type { TestCase } from "../model/test-case.js"
import type { Validation } from "./decode.js"
import { DatasetError } from "./errors.js"

export type { CaseCheck, Validation } from "./decode.js"
export { DatasetError } from "./errors.js"
export { datasetDigest } from "./digest.js"

/** The case stream of a dataset file: what every format's reader returns. */
type CaseStream = Stream.Stream<TestCase, DatasetError, FileSystem>

/**
 * The stream of a format's reader, imported on first use; a reader that cannot be imported (the CSV reader
 * needs @effect/platform-node installed) is a DatasetError naming the file.
 */
const lazyReader = <M>(file: string, load: () => Promise<M>, open: (reader: M) => CaseStream): CaseStream =>
  Stream.unwrap(Effect.map(
    Effect.tryPromise({
      try: load,
      catch: (error) => new DatasetError({ file, detail: `cannot load the reader of this format: ${error instanceof Error ? error.message : String(error)}` })
    }),
    open
  ))

/**
 * The case stream of a dataset file, chosen by extension; `validation` adds the checks of a run's first read.
 * A relative path is read from the working directory.
 *
 * @example
 * ```ts
 * loadDataset("cases.csv") // Stream<TestCase, DatasetError, FileSystem>
 * ```
 * @since 0.1.0
 */
export const loadDataset = (file: string, validation?: Validation): CaseStream => {
  const lower = file.toLowerCase()
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
    return lazyReader(file, () => import("./jsonl.js"), (reader) => reader.jsonlDataset(file, validation))
  }
  if (lower.endsWith(".json")) return lazyReader(file, () => import("./json.js"), (reader) => reader.jsonDataset(file, validation))
  if (lower.endsWith(".csv")) return lazyReader(file, () => import("./csv.js"), (reader) => reader.csvDataset(file, validation))
  return Stream.fail(new DatasetError({ file, detail: "unsupported dataset format (use .json, .jsonl or .csv)" }))
}
