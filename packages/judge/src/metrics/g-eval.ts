/**
 * G-Eval: an LLM judge scores a case 0–10 against criteria or explicit evaluation steps.
 *
 * Steps: when only `criteria` is given, the judge first writes 3–4 evaluation steps from it; then it scores the
 * chosen case fields against the steps, replying `{"score": 0..10, "reason": "..."}`.
 *
 * Score: `s / 10` where `s` is the judge's score. When the provider returns token logprobs, `s` is instead
 * the probability-weighted score over the top alternatives of the score token (the first integer token of
 * the reply): `s = Σ pᵢ·vᵢ / Σ pᵢ` for alternatives whose token is an integer `vᵢ` in 0..10 — the G-Eval
 * paper's way to get a fine-grained score from a coarse scale.
 *
 * @example
 * ```ts
 * const correctness = gEval({ name: "correctness", criteria: "Is the actual output factually consistent with the expected output?",
 *   evaluationParams: ["input", "actualOutput", "expectedOutput"] })
 * ```
 */
import { type CaseField, type Metric, MetricError } from "@assay/core"
import type { Judge } from "../judge.js"
import { Effect, Schema } from "effect"
import type { TokenLogprob } from "../chat.js"
import { fieldsBlock } from "./fields.js"
import { type JudgeContext, type JudgeMetricOptions, judgeMetric, type Scored } from "./judge-metric.js"
import { numbered } from "./template.js"

/**
 * G-Eval prompt templates (version {@link version}).
 *
 * @example
 * ```ts
 * render(templates.score, { steps: "1. Check facts", fields: "Input:\nq" })
 * ```
 * @since 0.1.0
 */
export const templates = {
  steps: `You will evaluate a response against this criterion:
{{criteria}}

Write 3 to 4 concise evaluation steps that an evaluator should follow, considering only these parts: {{params}}.
Reply with JSON only: {"steps": ["step 1", "step 2", ...]}`,
  score: `You are an evaluator. Follow the evaluation steps to score the test case from 0 (worst) to 10 (best).

Evaluation steps:
{{steps}}

Test case:
{{fields}}

Reply with JSON only, the score first: {"score": <integer 0-10>, "reason": "<one or two sentences quoting the case>"}`
}
/**
 * @example
 * ```ts
 * gEval({ name: "x", criteria: "c" }).config.templateVersion === version // true
 * ```
 * @since 0.1.0
 */
export const version = "1"

/**
 * G-Eval options.
 *
 * @example
 * ```ts
 * const options: GEvalOptions = { name: "correctness", criteria: "Is it correct?" }
 * ```
 * @since 0.1.0
 */
export interface GEvalOptions extends JudgeMetricOptions {
  /** Metric name shown in results (e.g. "correctness"). */
  readonly name: string
  readonly criteria?: string | undefined
  readonly evaluationSteps?: ReadonlyArray<string> | undefined
  /** Case fields shown to the judge (default input and actual output). */
  readonly evaluationParams?: ReadonlyArray<CaseField> | undefined
  /** Top alternatives to request for the score token; 0 disables logprob weighting (default 20). */
  readonly topLogprobs?: number | undefined
}

const Steps = Schema.Struct({ steps: Schema.NonEmptyArray(Schema.String) })
const Score = Schema.Struct({ score: Schema.Number.pipe(Schema.between(0, 10)), reason: Schema.optional(Schema.String) })

/**
 * The probability-weighted score from the first integer token's alternatives, or undefined without logprobs.
 *
 * @example
 * ```ts
 * weightedScore([{ token: "8", logprob: Math.log(0.6), top: [{ token: "8", logprob: Math.log(0.6) }, { token: "9", logprob: Math.log(0.4) }] }]) // 8.4
 * ```
 * @since 0.1.0
 */
export const weightedScore = (logprobs: ReadonlyArray<TokenLogprob> | undefined): number | undefined => {
  const scoreToken = logprobs?.find((t) => /^\s*\d+\s*$/.test(t.token))
  if (scoreToken === undefined) return undefined
  const options = (scoreToken.top.length > 0 ? scoreToken.top : [scoreToken])
    .map((t) => ({ value: Number(t.token.trim()), p: Math.exp(t.logprob) }))
    .filter((t) => /^\d+$/.test(String(t.value)) && t.value >= 0 && t.value <= 10)
  const mass = options.reduce((sum, t) => sum + t.p, 0)
  return mass > 0 ? options.reduce((sum, t) => sum + t.p * t.value, 0) / mass : undefined
}

/**
 * What one G-Eval scoring needs: the criteria or steps, the names of the parts shown (for the steps prompt) and
 * the parts' text itself.
 *
 * @example
 * ```ts
 * const spec: GEvalScoring = { name: "c", criteria: "Is it right?", evaluationSteps: undefined, params: "input", fields: "Input:\nq", topLogprobs: 0 }
 * ```
 * @since 0.1.0
 */
export interface GEvalScoring {
  readonly name: string
  readonly criteria: string | undefined
  readonly evaluationSteps: ReadonlyArray<string> | undefined
  readonly params: string
  readonly fields: string
  readonly topLogprobs: number
}

/**
 * G-Eval's two steps inside any judge metric whose templates include {@link templates} (`steps`, `score`):
 * steps from the criteria when none are given, then the (logprob-weighted) score ÷ 10. Shared by `g-eval`,
 * `conversational-g-eval` and the DAG metric's G-Eval leaves.
 *
 * @example
 * ```ts
 * gEvalScore(ctx, { name: "c", criteria: "Is it right?", evaluationSteps: undefined, params: "input", fields, topLogprobs: 20 })
 * ```
 * @since 0.1.0
 */
export const gEvalScore = (ctx: JudgeContext, spec: GEvalScoring): Effect.Effect<Scored, MetricError, Judge> =>
  Effect.gen(function*() {
    if (spec.evaluationSteps === undefined && spec.criteria === undefined) {
      return yield* new MetricError({ metric: spec.name, message: "g-eval needs criteria or evaluationSteps" })
    }
    const steps = spec.evaluationSteps ?? (yield* ctx.ask(Steps, "steps", { criteria: spec.criteria ?? "", params: spec.params })).steps
    const { logprobs, value } = yield* ctx.askWithLogprobs(Score, "score", { steps: numbered(steps), fields: spec.fields }, spec.topLogprobs)
    const raw = (spec.topLogprobs > 0 ? weightedScore(logprobs) : undefined) ?? value.score
    return { score: raw / 10, reason: value.reason }
  })

/**
 * Build a G-Eval metric; see the module doc.
 *
 * @example
 * ```ts
 * gEval({ name: "helpfulness", evaluationSteps: ["Check the answer addresses the question", "Penalize filler"] })
 * ```
 * @since 0.1.0
 */
export const gEval = (options: GEvalOptions): Metric.Metric<Judge> => {
  const params = options.evaluationParams ?? ["input", "actualOutput"]
  const topLogprobs = options.topLogprobs ?? 20
  return judgeMetric({
    name: options.name,
    version,
    templates,
    requires: params,
    options,
    config: { metric: "g-eval", criteria: options.criteria ?? null, evaluationSteps: options.evaluationSteps ?? null, params, topLogprobs },
    score: (testCase, ctx) =>
      gEvalScore(ctx, {
        name: options.name,
        criteria: options.criteria,
        evaluationSteps: options.evaluationSteps,
        params: params.join(", "),
        fields: fieldsBlock(testCase, params),
        topLogprobs
      })
  })
}
