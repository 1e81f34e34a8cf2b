/**
 * Answer relevancy and faithfulness: does the actual output address the input, and does it stick to the
 * retrieval context?
 *
 * - **answer-relevancy** = relevant statements ÷ statements of the actual output. The judge splits the output
 *   into statements, then marks each `yes` (relevant to the input), `idk` (supporting, counted relevant) or
 *   `no`. No statements → 1.
 * - **faithfulness** = supported claims ÷ claims of the actual output, where a claim is supported unless the
 *   retrieval context contradicts it (`no`); `idk` (not mentioned) counts as supported, as in deepeval. No
 *   claims → 1.
 *
 * @example
 * ```ts
 * const metrics = [answerRelevancy({ threshold: 0.7 }), faithfulness({})]
 * ```
 */
import type { Metric } from "@assay/core"
import type { Judge } from "../judge.js"
import { fieldText } from "./fields.js"
import type { JudgeMetricOptions } from "./judge-metric.js"
import { extractedVerdicts, ratioMetric } from "./steps.js"

/**
 * Answer-relevancy prompt templates.
 *
 * @since 0.1.0
 */
export const answerRelevancyTemplates = {
  statements: `Break the following text into short, self-contained statements (one fact, claim or instruction each).

Text:
{{output}}

Reply with JSON only: {"statements": ["...", ...]}`,
  verdicts: `For each statement, decide whether it is relevant to answering the input.
Answer "yes" if relevant, "no" if irrelevant, "idk" if it is supporting information that is neither. Give a short reason for each "no".

Input:
{{input}}

Statements:
{{statements}}

Reply with JSON only, one verdict per statement in order: {"verdicts": [{"verdict": "yes"|"no"|"idk", "reason": "..."}]}`
}

/**
 * Answer relevancy; see the module doc.
 *
 * @example
 * ```ts
 * answerRelevancy({ threshold: 0.8, includeReason: true })
 * ```
 * @since 0.1.0
 */
export const answerRelevancy = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  ratioMetric({
    name: "answer-relevancy",
    templates: answerRelevancyTemplates,
    requires: ["input", "actualOutput"],
    options,
    bad: "no",
    empty: 1,
    describe: "statements are irrelevant to the input",
    verdicts: (testCase, ctx) =>
      extractedVerdicts(ctx, {
        extract: { step: "statements", key: "statements", vars: { output: fieldText(testCase, "actualOutput") } },
        judge: { step: "verdicts", vars: (list) => ({ input: fieldText(testCase, "input"), statements: list }) }
      })
  })

/**
 * Faithfulness prompt templates.
 *
 * @since 0.1.0
 */
export const faithfulnessTemplates = {
  claims: `Extract every factual claim made in the following text. Keep each claim self-contained.

Text:
{{output}}

Reply with JSON only: {"claims": ["...", ...]}`,
  verdicts: `For each claim, decide whether the retrieval context supports it.
Answer "yes" if the context supports it, "no" if the context contradicts it, "idk" if the context does not mention it. Give a short reason for each "no" quoting the context.

Retrieval context:
{{context}}

Claims:
{{claims}}

Reply with JSON only, one verdict per claim in order: {"verdicts": [{"verdict": "yes"|"no"|"idk", "reason": "..."}]}`
}

/**
 * Faithfulness; see the module doc.
 *
 * @example
 * ```ts
 * faithfulness({ threshold: 0.9 })
 * ```
 * @since 0.1.0
 */
export const faithfulness = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  ratioMetric({
    name: "faithfulness",
    templates: faithfulnessTemplates,
    requires: ["actualOutput", "retrievalContext"],
    options,
    bad: "no",
    empty: 1,
    describe: "claims contradict the retrieval context",
    verdicts: (testCase, ctx) =>
      extractedVerdicts(ctx, {
        extract: { step: "claims", key: "claims", vars: { output: fieldText(testCase, "actualOutput") } },
        judge: { step: "verdicts", vars: (list) => ({ context: fieldText(testCase, "retrievalContext"), claims: list }) }
      })
  })
