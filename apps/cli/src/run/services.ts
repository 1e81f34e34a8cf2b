/**
 * The per-run services a plan asks for, provided around the engine: the SQLite evaluation cache (unless
 * `--no-cache`) and the LLM judge (only when a judged metric is selected).
 *
 * @example
 * ```ts
 * import { provideRunServices } from "./services.js"
 * provideRunServices(evaluate(source, metrics, options), plan, needsJudge)
 * ```
 */
import { Effect } from "effect"
import { UsageError } from "../errors.js"
import type { RunPlan } from "./plan.js"

/**
 * Provide the cache and judge a run needs.
 *
 * @example
 * ```ts
 * provideRunServices(run, { ...plan, cache: null }, false) // no cache, no judge
 * ```
 */
export const provideRunServices = <A, E, R>(
  run: Effect.Effect<A, E, R>,
  plan: RunPlan,
  needsJudge: boolean
): Effect.Effect<A, E | UsageError, R> => {
  // SEAM (@assay/store): provide its SQLite EvalCache layer at plan.cache when the package lands.
  // SEAM (@assay/judge): build the judge layer from plan.judge when a judged metric is selected.
  if (needsJudge && plan.judge === null) {
    return Effect.fail(new UsageError({ message: "a selected metric needs an LLM judge: pass --judge <provider>:<model>" }))
  }
  return run
}
