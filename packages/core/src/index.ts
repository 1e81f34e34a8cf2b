/**
 * @assay/core — test cases, dataset loaders, metrics and the concurrent evaluation engine.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { evaluate, exactMatch, LLMTestCase } from "@assay/core"
 * Effect.runPromise(evaluate([LLMTestCase.make({ input: "q", actualOutput: "a", expectedOutput: "a" })], [exactMatch()]))
 * ```
 */
export * from "./model/content.js"
export * from "./model/tool-call.js"
export * from "./model/test-case.js"
export * from "./model/decode.js"
export * as Metric from "./metric/metric.js"
export * from "./metric/registry.js"
export * from "./metric/repetition.js"
export { MetricError, type Outcome, TokenUsage } from "./metric/metric.js"
export * from "./result/run-result.js"
export * from "./result/summary.js"
export * from "./result/case-content.js"
export * from "./stats/stats.js"
export * from "./cache/eval-cache.js"
export * from "./cache/cache-key.js"
export * from "./engine/errors.js"
export * from "./engine/options.js"
export * from "./engine/cost-budget.js"
export * from "./engine/source.js"
export * from "./engine/evaluate.js"
export * from "./metrics/index.js"
export * as Eval from "./eval/eval.js"
export { type EvalCase, type EvalData, type EvalDefaults, type EvalTask, isEval, type TaskResult } from "./eval/eval.js"
export * from "./eval/run.js"
export * from "./dataset/index.js"
export * from "./cache/task-cache.js"
export * from "./engine/current-case.js"
export * from "./engine/tracing.js"
