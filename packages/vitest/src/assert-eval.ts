/**
 * `assertEval`: hold a finished run to a bar inside any test — an `it.effect`, a plain `it` — and throw an
 * assertion error whose message is the failure table.
 *
 * @example
 * ```ts
 * it.effect("capitals", () => Effect.gen(function*() {
 *   const result = yield* evaluate(cases, [exactMatch()])
 *   assertEval(result, { minPassRate: 0.9 })
 * }))
 * ```
 */
import { AssertionError } from "node:assert"
import type { RunResult } from "@assay/core"
import { type EvalBar, formatVerdict, judgeRun } from "./failures.js"

/**
 * Options of {@link assertEval}: the bar, and the name shown in the message.
 *
 * @example
 * ```ts
 * const options: AssertEvalOptions = { name: "capitals", minPassRate: 1, thresholds: { "exact-match": 1 } }
 * ```
 * @since 0.1.0
 */
export interface AssertEvalOptions extends EvalBar {
  /** Shown in the message (default: the run's identifier, else "eval"). */
  readonly name?: string | undefined
}

/**
 * Throw an AssertionError listing the failing cases when the run's pass rate is below `minPassRate` (default
 * 1: every scored case must pass). Input, expected and actual output come from each case result's `testCase`.
 * A `thresholds` key naming no metric of the run is an error.
 *
 * @example
 * ```ts
 * assertEval(result, { thresholds: { "answer-relevancy": 0.7 } })
 * ```
 * @since 0.1.0
 */
export const assertEval = (result: RunResult, options: AssertEvalOptions = {}): void => {
  const verdict = judgeRun(result, options)
  if (verdict.ok) return
  const message = formatVerdict(options.name ?? result.identifier ?? "eval", verdict)
  throw new AssertionError({ message })
}
