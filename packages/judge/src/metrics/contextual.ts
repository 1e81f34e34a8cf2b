/**
 * Retrieval metrics over `retrievalContext` (the retrieved nodes, in rank order).
 *
 * - **contextual-precision**: the judge marks each node relevant (`yes`) or not for producing the expected
 *   output. Score = weighted cumulative precision `(1/R) Σₖ relₖ · (relevant in 1..k)/k` with `R` relevant
 *   nodes — 1 when every relevant node ranks above every irrelevant one; 0 when none is relevant.
 * - **contextual-recall**: the expected output is split into sentences; each is attributable to the retrieval
 *   context (`yes`) or not. Score = attributable ÷ sentences (no sentences → 1).
 * - **contextual-relevancy**: each node is split into statements judged relevant to the input or not. Score =
 *   relevant statements ÷ statements over all nodes (none → 0).
 *
 * @example
 * ```ts
 * const rag = [contextualPrecision({}), contextualRecall({}), contextualRelevancy({})]
 * ```
 */
import type { Metric } from "@assay/core"
import { Effect } from "effect"
import type { Judge } from "../judge.js"
import { fieldText } from "./fields.js"
import { type JudgeMetricOptions, judgeMetric, reasonFrom, type Verdict } from "./judge-metric.js"
import { extractedVerdicts, judgeEach, ratioMetric } from "./steps.js"

/**
 * Weighted cumulative precision of relevance verdicts in rank order.
 *
 * @example
 * ```ts
 * weightedPrecision(["yes", "no", "yes"]) // (1/1 + 2/3) / 2 ≈ 0.833
 * ```
 * @since 0.1.0
 */
export const weightedPrecision = (relevance: ReadonlyArray<Verdict["verdict"]>): number => {
  let relevant = 0
  let sum = 0
  relevance.forEach((v, k) => {
    if (v === "yes") {
      relevant++
      sum += relevant / (k + 1)
    }
  })
  return relevant === 0 ? 0 : sum / relevant
}

const nodesOf = (testCase: Parameters<Metric.Metric["measure"]>[0]) =>
  testCase._tag === "LLMTestCase" ? testCase.retrievalContext ?? [] : []

/**
 * Contextual-precision prompt templates.
 *
 * @since 0.1.0
 */
export const contextualPrecisionTemplates = {
  verdicts: `Given the input and the expected output, decide for each retrieved node whether it was useful to arrive at the expected output ("yes") or not ("no"). Give a short reason for each.

Input:
{{input}}

Expected output:
{{expected}}

Retrieved nodes (in rank order):
{{nodes}}

Reply with JSON only, one verdict per node in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

/**
 * Contextual precision; see the module doc.
 *
 * @example
 * ```ts
 * contextualPrecision({ threshold: 0.7 })
 * ```
 * @since 0.1.0
 */
export const contextualPrecision = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  judgeMetric({
    name: "contextual-precision",
    version: "1",
    templates: contextualPrecisionTemplates,
    requires: ["input", "expectedOutput", "retrievalContext"],
    options,
    config: {},
    score: (testCase, ctx) =>
      Effect.map(
        judgeEach(ctx, nodesOf(testCase), "verdicts", (nodes) => ({
          input: fieldText(testCase, "input"),
          expected: fieldText(testCase, "expectedOutput"),
          nodes
        })),
        (verdicts) => {
          const score = weightedPrecision(verdicts.map((v) => v.verdict))
          return { score, reason: reasonFrom(score, `relevant nodes at ranks ${verdicts.flatMap((v, i) => (v.verdict === "yes" ? [i + 1] : [])).join(", ") || "none"}`, verdicts, "no") }
        }
      )
  })

/**
 * Contextual-recall prompt templates.
 *
 * @since 0.1.0
 */
export const contextualRecallTemplates = {
  sentences: `Split the following text into its sentences.

Text:
{{expected}}

Reply with JSON only: {"sentences": ["...", ...]}`,
  verdicts: `For each sentence, decide whether it can be attributed to the retrieval context ("yes") or not ("no"). Give a short reason for each "no".

Retrieval context:
{{context}}

Sentences:
{{sentences}}

Reply with JSON only, one verdict per sentence in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

/**
 * Contextual recall; see the module doc.
 *
 * @example
 * ```ts
 * contextualRecall({})
 * ```
 * @since 0.1.0
 */
export const contextualRecall = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  ratioMetric({
    name: "contextual-recall",
    templates: contextualRecallTemplates,
    requires: ["expectedOutput", "retrievalContext"],
    options,
    bad: "no",
    empty: 1,
    describe: "expected sentences are not supported by the retrieval context",
    verdicts: (testCase, ctx) =>
      extractedVerdicts(ctx, {
        extract: { step: "sentences", key: "sentences", vars: { expected: fieldText(testCase, "expectedOutput") } },
        judge: { step: "verdicts", vars: (sentences) => ({ context: fieldText(testCase, "retrievalContext"), sentences }) }
      })
  })

/**
 * Contextual-relevancy prompt templates.
 *
 * @since 0.1.0
 */
export const contextualRelevancyTemplates = {
  statements: `Break the following retrieved text into short, self-contained statements.

Text:
{{node}}

Reply with JSON only: {"statements": ["...", ...]}`,
  verdicts: `For each statement, decide whether it is relevant to the input ("yes") or not ("no"). Give a short reason for each "no".

Input:
{{input}}

Statements:
{{statements}}

Reply with JSON only, one verdict per statement in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

/**
 * Contextual relevancy; see the module doc.
 *
 * @example
 * ```ts
 * contextualRelevancy({ threshold: 0.6 })
 * ```
 * @since 0.1.0
 */
export const contextualRelevancy = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  ratioMetric({
    name: "contextual-relevancy",
    templates: contextualRelevancyTemplates,
    requires: ["input", "retrievalContext"],
    options,
    bad: "no",
    empty: 0,
    describe: "retrieved statements are irrelevant to the input",
    verdicts: (testCase, ctx) =>
      Effect.map(
        Effect.forEach(nodesOf(testCase), (node) =>
          extractedVerdicts(ctx, {
            extract: { step: "statements", key: "statements", vars: { node } },
            judge: { step: "verdicts", vars: (statements) => ({ input: fieldText(testCase, "input"), statements }) }
          })),
        (perNode) => perNode.flat()
      )
  })
