/**
 * Task completion: did the agent accomplish the task in the input, judging by its output and the tools it
 * called? The judge names the task and the outcome and gives a score in [0, 1] (1 = fully accomplished);
 * that score is the metric's score.
 *
 * @example
 * ```ts
 * taskCompletion({ threshold: 0.7 })
 * ```
 */
import type { Metric } from "@assay/core"
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
 */
export const templates = {
  verdict: `Determine the task the user asked for, what the agent actually achieved (from its output and the tools it called), and how completely the outcome accomplishes the task, from 0 (not at all) to 1 (fully).

Input:
{{input}}

Actual output:
{{output}}

Tools called:
{{tools}}

Reply with JSON only: {"task": "...", "outcome": "...", "score": <number 0-1>, "reason": "..."}`
}

const Verdict = Schema.Struct({
  task: Schema.String,
  outcome: Schema.String,
  score: Schema.Number.pipe(Schema.between(0, 1)),
  reason: Schema.optional(Schema.String)
})

/**
 * Task completion; see the module doc.
 *
 * @example
 * ```ts
 * taskCompletion({})
 * ```
 */
export const taskCompletion = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  judgeMetric({
    name: "task-completion",
    version: "1",
    templates,
    requires: ["input", "actualOutput"],
    options,
    config: {},
    score: (testCase, ctx) =>
      Effect.map(
        ctx.ask(Verdict, "verdict", {
          input: fieldText(testCase, "input"),
          output: fieldText(testCase, "actualOutput"),
          tools: fieldText(testCase, "toolsCalled")
        }),
        (v) => ({ score: v.score, reason: `task: ${v.task}; outcome: ${v.outcome}${v.reason ? `; ${v.reason}` : ""}` })
      )
  })
