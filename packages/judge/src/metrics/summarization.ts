/**
 * Summarization: is the summary (actual output) faithful to the source (input), and does it cover it?
 *
 * Score = min(alignment, coverage):
 * - alignment = summary claims not contradicted by the source ÷ claims (no claims → 1);
 * - coverage = the judge writes `assessmentQuestions` closed questions the source answers "yes"; coverage =
 *   questions the summary also answers "yes" ÷ questions (no questions → 1).
 *
 * @example
 * ```ts
 * summarization({ assessmentQuestions: 5, threshold: 0.6 })
 * ```
 */
import type { Metric } from "@assay/core"
import { Effect } from "effect"
import type { Judge } from "../judge.js"
import { fieldText } from "./fields.js"
import { type JudgeMetricOptions, judgeMetric, ratio } from "./judge-metric.js"
import { extractThenJudge } from "./steps.js"

/**
 * Summarization prompt templates.
 *
 * @example
 * ```ts
 * render(templates.questions, { n: "5", source })
 * ```
 * @since 0.1.0
 */
export const templates = {
  claims: `Extract every factual claim made in the following summary.

Summary:
{{summary}}

Reply with JSON only: {"claims": ["...", ...]}`,
  alignment: `For each claim, decide whether the source text supports it ("yes"), contradicts it ("no") or does not mention it ("idk"). Give a short reason for each "no".

Source text:
{{source}}

Claims:
{{claims}}

Reply with JSON only, one verdict per claim in order: {"verdicts": [{"verdict": "yes"|"no"|"idk", "reason": "..."}]}`,
  questions: `Write {{n}} closed yes/no questions about the most important information in the source text; the source text must answer each of them "yes".

Source text:
{{source}}

Reply with JSON only: {"questions": ["...", ...]}`,
  coverage: `Answer each question using only the summary: "yes" if the summary answers it yes, "no" if it answers no, "idk" if the summary does not say.

Summary:
{{summary}}

Questions:
{{questions}}

Reply with JSON only, one verdict per question in order: {"verdicts": [{"verdict": "yes"|"no"|"idk", "reason": "..."}]}`
}

/**
 * Summarization options.
 *
 * @example
 * ```ts
 * summarization({ assessmentQuestions: 8 })
 * ```
 * @since 0.1.0
 */
export interface SummarizationOptions extends JudgeMetricOptions {
  /** Closed questions generated from the source for coverage (default 5). */
  readonly assessmentQuestions?: number | undefined
}

/**
 * Summarization; see the module doc.
 *
 * @example
 * ```ts
 * summarization({})
 * ```
 * @since 0.1.0
 */
export const summarization = (options: SummarizationOptions = {}): Metric.Metric<Judge> => {
  const n = options.assessmentQuestions ?? 5
  return judgeMetric({
    name: "summarization",
    version: "1",
    templates,
    requires: ["input", "actualOutput"],
    options,
    config: { assessmentQuestions: n },
    score: (testCase, ctx) =>
      Effect.gen(function*() {
        const source = fieldText(testCase, "input")
        const summary = fieldText(testCase, "actualOutput")
        const aligned = yield* extractThenJudge(ctx, {
          extract: { step: "claims", key: "claims", vars: { summary } },
          judge: { step: "alignment", vars: (claims) => ({ source, claims }) }
        })
        const covered = yield* extractThenJudge(ctx, {
          extract: { step: "questions", key: "questions", vars: { source, n: String(n) } },
          judge: { step: "coverage", vars: (questions) => ({ summary, questions }) }
        })
        const alignment = ratio(aligned.verdicts, "no", 1)
        const coverage = covered.verdicts.length === 0
          ? 1
          : covered.verdicts.filter((v) => v.verdict === "yes").length / covered.verdicts.length
        const score = Math.min(alignment, coverage)
        return { score, reason: `${score.toFixed(2)}: alignment ${alignment.toFixed(2)}, coverage ${coverage.toFixed(2)}` }
      })
  })
}

