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
import { jsonDataset } from "./json.js"
import { jsonlDataset } from "./jsonl.js"

/**
 * The case stream of a dataset file, chosen by extension.
 *
 * @example
 * ```ts
 * loadDataset("cases.csv") // Stream<TestCase, DatasetError, FileSystem>
 * ```
 */
export const loadDataset = (file: string): Stream.Stream<TestCase, DatasetError, FileSystem.FileSystem> => {
  const lower = file.toLowerCase()
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return jsonlDataset(file)
  if (lower.endsWith(".json")) return jsonDataset(file)
  if (lower.endsWith(".csv")) return csvDataset(file)
  return Stream.fail(new DatasetError({ file, detail: "unsupported dataset format (use .json, .jsonl or .csv)" }))
}
