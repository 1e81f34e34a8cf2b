/**
 * Dataset loading by file extension: `.json`, `.jsonl` (also `.ndjson`) and `.csv`, each a
 * `Stream<TestCase, DatasetError>` the engine consumes.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { loadDataset } from "./dataset/index.js"
 * Stream.runCount(loadDataset("examples/capitals.jsonl"))
 * ```
 */
import type { TestCase } from "@assay/core"
import type { FileSystem } from "@effect/platform"
import { Stream } from "effect"
import { DatasetError } from "../errors.js"
import { csvDataset } from "./csv.js"
import type { Validation } from "./decode.js"
import { jsonDataset } from "./json.js"
import { jsonlDataset } from "./jsonl.js"

export type { CaseCheck, Validation } from "./decode.js"

/**
 * The case stream of a dataset file, chosen by extension; `validation` adds the checks of a run's first read.
 *
 * @example
 * ```ts
 * loadDataset("cases.csv") // Stream<TestCase, DatasetError, FileSystem>
 * ```
 */
export const loadDataset = (file: string, validation?: Validation): Stream.Stream<TestCase, DatasetError, FileSystem.FileSystem> => {
  const lower = file.toLowerCase()
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return jsonlDataset(file, validation)
  if (lower.endsWith(".json")) return jsonDataset(file, validation)
  if (lower.endsWith(".csv")) return csvDataset(file, validation)
  return Stream.fail(new DatasetError({ file, detail: "unsupported dataset format (use .json, .jsonl or .csv)" }))
}
