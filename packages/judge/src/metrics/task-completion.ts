/**
 * Task completion: did the agent accomplish the task in the input, judging by its output, the tools it
 * called and, when the case has one, the trace of its steps (`metadata.trace`: any JSON, e.g. a list of spans or
 * steps, shown to the judge as it is)? The judge names the task and the outcome and gives a score in [0, 1] (1 = fully accomplished);
 * that score is the metric's score.
 *
 * @example
 * ```ts
 * taskCompletion({ threshold: 0.7 })
 * ```
 */
import type { Metric, TestCase } from "@assay/core"
import { Effect, Schema } from "effect"
import type { Judge } from "../judge.js"
import { fieldText } from "./fields.js"
import { type JudgeMetricOptions, judgeMetric } from "./judge-metric.js"

/**
 * Task-completion prompt templates.
 *
 * @example
 * ```ts
 * render(templates.verdict, { input, output, tools: "[]" })
 * ```
 * @since 0.1.0
 */
export const templates = {
  verdict: `Determine the task the user asked for, what the agent actually achieved (from its output and the tools it called), and how completely the outcome accomplishes the task, from 0 (not at all) to 1 (fully).

Input:
{{input}}

Actual output:
{{output}}

Tools called:
{{tools}}

Trace of the agent's steps:
{{trace}}

Reply with JSON only: {"task": "...", "outcome": "...", "score": <number 0-1>, "reason": "..."}`
}

const Verdict = Schema.Struct({
  task: Schema.String,
  outcome: Schema.String,
  score: Schema.Number.pipe(Schema.between(0, 1)),
  reason: Schema.optional(Schema.String)
})

/** The case's `metadata.trace` as indented JSON ("(none)" without one). */
const traceText = (testCase: TestCase): string => {
  const trace = testCase.metadata?.trace
  return trace === undefined ? "(none)" : typeof trace === "string" ? trace : JSON.stringify(trace, null, 2)
}

/**
 * Task completion; see the module doc.
 *
 * @example
 * ```ts
 * taskCompletion({})
 * ```
 * @since 0.1.0
 */
export const taskCompletion = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  judgeMetric({
    name: "task-completion",
    version: "2",
    templates,
    requires: ["input", "actualOutput"],
    options,
    config: {},
    score: (testCase, ctx) =>
      Effect.map(
        ctx.ask(Verdict, "verdict", {
          input: fieldText(testCase, "input"),
          output: fieldText(testCase, "actualOutput"),
          tools: fieldText(testCase, "toolsCalled"),
          trace: traceText(testCase)
        }),
        (v) => ({ score: v.score, reason: `task: ${v.task}; outcome: ${v.outcome}${v.reason ? `; ${v.reason}` : ""}` })
      )
  })
