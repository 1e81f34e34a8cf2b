/**
 * A run's validating read of its dataset file, skipped when the run store remembers its verdict for the same
 * bytes under the same checks: the key is the SHA-256 of the file's content (read a chunk at a time, far
 * cheaper than parsing and decoding every case) with the format, the checks applied and the reader rules, so
 * an edit to any byte reads and checks the file again. A file with bytes that are not UTF-8 is always read (its
 * warning is printed every run). What the store cannot answer is read as if never seen.
 *
 * @example
 * ```ts
 * import { checkedDataset } from "./dataset-check.js"
 * const { fingerprint, count } = yield* checkedDataset(plan, metrics)
 * ```
 */
import { datasetDigest, loadDataset, type Metric } from "@assay/core"
import { datasetFingerprint, type DatasetFingerprint } from "@assay/store"
import { Effect, Option } from "effect"
import { createHash } from "node:crypto"
import type { RunPlan } from "./plan.js"
import { RunLog } from "./run-log.js"
import { needingOutput, validationOf } from "./validation.js"

/** Bump whenever the dataset readers or the fingerprint can read the same bytes differently. */
const CHECK_RULES = 1

/**
 * The key of a dataset's check: its content digest, format and the checks applied; see the module doc.
 *
 * @example
 * ```ts
 * checkKey(plan, metrics, "9f86d0…") // "3a7bd3…"
 * ```
 */
export const checkKey = (plan: RunPlan, metrics: ReadonlyArray<Metric.Metric<unknown>>, digest: string): string =>
  createHash("sha256").update(JSON.stringify({
    rules: CHECK_RULES,
    format: plan.dataset.toLowerCase().replace(/^.*\./, ""),
    digest,
    strictInput: plan.strictInput,
    needingOutput: needingOutput(plan, metrics)
  })).digest("hex")

/**
 * The dataset's fingerprint and case count: remembered for its key, or found by the validating read (and then
 * remembered); see the module doc. With them, the digest of the file's bytes (undefined when they are not all
 * UTF-8): unlike the fingerprint, it changes when only a case's name or tags do.
 *
 * @example
 * ```ts
 * const dataset = yield* checkedDataset(plan, metrics)
 * ```
 */
export const checkedDataset = (plan: RunPlan, metrics: ReadonlyArray<Metric.Metric<unknown>>) =>
  Effect.gen(function*() {
    const log = yield* RunLog
    const digest = yield* datasetDigest(plan.dataset)
    const key = Option.map(digest, (d) => checkKey(plan, metrics, d))
    if (Option.isSome(key)) {
      const known = yield* log.datasetCheck(key.value).pipe(Effect.orElseSucceed(() => Option.none<DatasetFingerprint>()))
      if (Option.isSome(known)) return { ...known.value, digest: Option.getOrUndefined(digest) }
    }
    const found = yield* datasetFingerprint(loadDataset(plan.dataset, validationOf(plan, metrics)))
    if (Option.isSome(key)) yield* Effect.ignore(log.rememberDatasetCheck(key.value, found))
    return { ...found, digest: Option.getOrUndefined(digest) }
  })
