/**
 * More conversational metrics over a `ConversationalTestCase`'s turns.
 *
 * - **turn-relevancy** = assistant turns relevant to the conversation so far ÷ assistant turns. Each assistant
 *   turn is judged against the `windowSize` turns before it (default 10); one call judges every turn. No
 *   assistant turns → 1.
 * - **conversational-g-eval**: G-Eval's criteria or steps scored 0–10 over the whole conversation (the
 *   transcript, plus the scenario, expected outcome and chatbot role when the case has them), ÷ 10.
 *
 * @example
 * ```ts
 * const chat = [turnRelevancy({ windowSize: 5 }), conversationalGEval({ name: "empathy", criteria: "Is the assistant empathetic?" })]
 * ```
 */
import { contentText, type Metric, type TestCase } from "@assay/core"
import type { Judge } from "../judge.js"
import { transcript } from "./conversational.js"
import { gEvalScore, templates as gEvalTemplates } from "./g-eval.js"
import { judgeMetric, type JudgeMetricOptions } from "./judge-metric.js"
import { judgeEach, ratioMetric } from "./steps.js"

/**
 * Turn-relevancy prompt templates.
 *
 * @since 0.1.0
 */
export const turnRelevancyTemplates = {
  verdicts: `Decide whether each assistant turn of a conversation is relevant to what came before it.

For each assistant turn listed below, its preceding turns are shown above it. Answer "yes" when the assistant turn responds relevantly to them and "no" when it is off topic or ignores the user. Give a short reason for each "no".

{{windows}}

Reply with JSON only, one verdict per assistant turn in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

/**
 * Turn-relevancy options.
 *
 * @example
 * ```ts
 * const options: TurnRelevancyOptions = { windowSize: 4 }
 * ```
 * @since 0.1.0
 */
export interface TurnRelevancyOptions extends JudgeMetricOptions {
  /** How many preceding turns each assistant turn is judged against (default 10). */
  readonly windowSize?: number | undefined
}

/** One block per assistant turn: its preceding window, then the turn. */
const windows = (testCase: TestCase, size: number): ReadonlyArray<string> => {
  const turns = testCase._tag === "ConversationalTestCase" ? testCase.turns : []
  return turns.flatMap((turn, i) => {
    if (turn.role !== "assistant") return []
    const before = turns.slice(Math.max(0, i - size), i).map((t, k) => `  ${Math.max(0, i - size) + k + 1}. [${t.role}] ${contentText(t.content)}`)
    return [`Assistant turn ${i + 1}, after:\n${before.join("\n") || "  (nothing)"}\nAssistant turn ${i + 1}: ${contentText(turn.content)}`]
  })
}

/**
 * Turn relevancy; see the module doc.
 *
 * @example
 * ```ts
 * turnRelevancy({ threshold: 0.8 })
 * ```
 * @since 0.1.0
 */
export const turnRelevancy = (options: TurnRelevancyOptions = {}): Metric.Metric<Judge> => {
  const size = options.windowSize ?? 10
  return ratioMetric({
    name: "turn-relevancy",
    templates: turnRelevancyTemplates,
    appliesTo: "ConversationalTestCase",
    requires: ["turns"],
    options,
    config: { windowSize: size },
    bad: "no",
    empty: 1,
    describe: "assistant turns are irrelevant",
    verdicts: (testCase, ctx) => judgeEach(ctx, windows(testCase, size), "verdicts", (list) => ({ windows: list }))
  })
}

/**
 * Conversational G-Eval options.
 *
 * @example
 * ```ts
 * const options: ConversationalGEvalOptions = { name: "resolution", criteria: "Did the assistant resolve the issue?" }
 * ```
 * @since 0.1.0
 */
export interface ConversationalGEvalOptions extends JudgeMetricOptions {
  readonly name: string
  readonly criteria?: string | undefined
  readonly evaluationSteps?: ReadonlyArray<string> | undefined
  /** Top alternatives for the score token; 0 disables logprob weighting (default 20). */
  readonly topLogprobs?: number | undefined
}

/** The conversation and the case's scenario fields as prompt sections. */
const conversationBlock = (testCase: TestCase): string => {
  if (testCase._tag !== "ConversationalTestCase") return ""
  const extra: ReadonlyArray<readonly [string, string | undefined]> = [
    ["Scenario", testCase.scenario],
    ["Expected outcome", testCase.expectedOutcome],
    ["Chatbot role", testCase.chatbotRole]
  ]
  return [
    ...extra.flatMap(([label, value]) => (value === undefined ? [] : [`${label}:\n${value}`])),
    `Conversation:\n${transcript(testCase)}`
  ].join("\n\n")
}

/**
 * Conversational G-Eval; see the module doc.
 *
 * @example
 * ```ts
 * conversationalGEval({ name: "politeness", evaluationSteps: ["Check every assistant turn is polite"] })
 * ```
 * @since 0.1.0
 */
export const conversationalGEval = (options: ConversationalGEvalOptions): Metric.Metric<Judge> => {
  const topLogprobs = options.topLogprobs ?? 20
  return judgeMetric({
    name: options.name,
    version: "1",
    templates: gEvalTemplates,
    appliesTo: "ConversationalTestCase",
    requires: ["turns"],
    options,
    config: {
      metric: "conversational-g-eval",
      criteria: options.criteria ?? null,
      evaluationSteps: options.evaluationSteps ?? null,
      topLogprobs
    },
    score: (testCase, ctx) =>
      gEvalScore(ctx, {
        name: options.name,
        criteria: options.criteria,
        evaluationSteps: options.evaluationSteps,
        params: "the whole conversation (and its scenario, expected outcome and chatbot role when given)",
        fields: conversationBlock(testCase),
        topLogprobs
      })
  })
}
