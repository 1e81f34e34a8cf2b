/**
 * The run-specific checks of a dataset's validating read: lines that are not UTF-8 (a warning, or an error with
 * `--strict-input`), and cases without an `actualOutput` when a selected metric needs one and nothing will
 * produce it (no `--target`) — a data error naming `file:line` before anything runs, unless
 * `--skip-on-missing-params` asks to skip those metrics instead.
 *
 * @example
 * ```ts
 * import { validationOf } from "./validation.js"
 * datasetFingerprint(loadDataset(plan.dataset, validationOf(plan, metrics)))
 * ```
 */
import type { CaseCheck, Metric, Validation } from "@assay/core"
import type { RunPlan } from "./plan.js"

/**
 * The check for missing outputs, or undefined when every case may lack one.
 *
 * @example
 * ```ts
 * outputCheck(plan, [exactMatch()])?.(LLMTestCase.make({ input: "q" })) // "actual_output: is missing, …"
 * ```
 */
export const outputCheck = (plan: RunPlan, metrics: ReadonlyArray<Metric.Metric<unknown>>): CaseCheck | undefined => {
  const needing = needingOutput(plan, metrics)
  if (needing.length === 0) return undefined
  const problem = `actual_output: is missing, and ${needing.join(", ")} need${needing.length === 1 ? "s" : ""} it ` +
    "(add it, generate it with --target, or pass --skip-on-missing-params to skip those metrics)"
  return (testCase) => testCase._tag === "LLMTestCase" && testCase.actualOutput === undefined ? problem : undefined
}

/**
 * The metrics whose need of an `actualOutput` every case must meet (none with a target, or with
 * `--skip-on-missing-params`): what {@link outputCheck} checks.
 *
 * @example
 * ```ts
 * needingOutput(plan, [exactMatch()]) // ["exact-match"]
 * ```
 */
export const needingOutput = (plan: RunPlan, metrics: ReadonlyArray<Metric.Metric<unknown>>): ReadonlyArray<string> =>
  plan.target !== null || plan.skipOnMissingParams
    ? []
    : metrics.filter((m) => m.appliesTo === "LLMTestCase" && m.requires.includes("actualOutput")).map((m) => m.name)

/**
 * The validation of a run's first read of its dataset.
 *
 * @example
 * ```ts
 * validationOf(plan, metrics) // { strictInput: false, check: … }
 * ```
 */
export const validationOf = (plan: RunPlan, metrics: ReadonlyArray<Metric.Metric<unknown>>): Validation => ({
  strictInput: plan.strictInput,
  check: outputCheck(plan, metrics)
})
