/**
 * The frame shared by every LLM-as-judge metric: options (threshold, strict, includeReason, verbose, judge
 * model), config for the cache identity (template version, prompt hash, judge model, metric options), a
 * context that renders a template, asks the judge for a schema-checked verdict, tallies tokens and cost, and
 * records intermediate verdicts for `verbose`, plus the verdict-list schema most metrics use.
 *
 * @example
 * ```ts
 * const m = judgeMetric({ name: "x", version: "1", templates, requires: ["input"], options: {}, config: {},
 *   score: (c, ctx) => Effect.map(ctx.ask(Schema.Struct({ score: Schema.Number }), "score", { input: "q" }), (v) => ({ score: v.score })) })
 * ```
 */
import { type CaseField, Metric, MetricError, type Outcome, type TestCase } from "@assay/core"
import { Effect, Ref, Schema } from "effect"
import type { ChatImage, TokenLogprob } from "../chat.js"
import { Judge } from "../judge.js"
import { addSpend, noSpend, structured } from "../verdict.js"
import { traced } from "../tracing.js"
import { promptHash, render, type Templates } from "./template.js"

/**
 * Options every judge metric accepts.
 *
 * @example
 * ```ts
 * faithfulness({ threshold: 0.8, verbose: true, judge: "openai:gpt-4o-mini" })
 * ```
 * @since 0.1.0
 */
export interface JudgeMetricOptions {
  /** Pass mark (default 0.5). */
  readonly threshold?: number | undefined
  /** Only a score of 1 passes. */
  readonly strict?: boolean | undefined
  /** Attach a reason to the outcome (default true). */
  readonly includeReason?: boolean | undefined
  /** Keep and log intermediate verdicts (default false). */
  readonly verbose?: boolean | undefined
  /**
   * The judge (`provider:model`, as `Judge.model` reports it) this metric is configured for. It is part of the
   * cache identity; when set, running under another judge is a MetricError rather than a silently wrong cache hit.
   */
  readonly judge?: string | undefined
}

/**
 * The Schema of {@link JudgeMetricOptions}, for factories' params.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(JudgeMetricOptionsSchema)({ threshold: 0.7 })
 * ```
 * @since 0.1.0
 */
export const JudgeMetricOptionsSchema = Schema.Struct({
  threshold: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
  strict: Schema.optional(Schema.Boolean),
  includeReason: Schema.optional(Schema.Boolean),
  verbose: Schema.optional(Schema.Boolean),
  judge: Schema.optional(Schema.String)
})

/**
 * What a metric's scoring step hands back.
 *
 * @example
 * ```ts
 * const scored: Scored = { score: 0.5, reason: "half the claims hold" }
 * ```
 * @since 0.1.0
 */
export interface Scored {
  readonly score: number
  readonly reason?: string | undefined
}

/**
 * Tools a metric's scoring step uses.
 *
 * @example
 * ```ts
 * const verdict = yield* ctx.ask(Schema.Struct({ score: Schema.Number }), "score", { input })
 * ```
 * @since 0.1.0
 */
export interface JudgeContext {
  readonly metric: string
  /** Render template `step` with `vars`, ask the judge, decode the reply with `schema` (with repairs). */
  readonly ask: <A, I>(
    schema: Schema.Schema<A, I>,
    step: string,
    vars: Readonly<Record<string, string>>,
    options?: { readonly topLogprobs?: number | undefined; readonly images?: ReadonlyArray<ChatImage> | undefined }
  ) => Effect.Effect<A, MetricError, Judge>
  /** Same as `ask`, also returning the reply's token logprobs. */
  readonly askWithLogprobs: <A, I>(
    schema: Schema.Schema<A, I>,
    step: string,
    vars: Readonly<Record<string, string>>,
    topLogprobs: number
  ) => Effect.Effect<{ readonly value: A; readonly logprobs: ReadonlyArray<TokenLogprob> | undefined }, MetricError, Judge>
}

/**
 * What {@link judgeMetric} needs.
 *
 * @example
 * ```ts
 * judgeMetric({ ...spec, options: { threshold: 0.7 } })
 * ```
 * @since 0.1.0
 */
export interface JudgeMetricSpec {
  readonly name: string
  readonly version: string
  readonly templates: Templates
  readonly appliesTo?: Metric.CaseKind | undefined
  readonly requires: ReadonlyArray<CaseField>
  readonly options: JudgeMetricOptions
  /** Metric-specific settings that change scoring (part of the cache identity). */
  readonly config: Readonly<Record<string, unknown>>
  readonly score: (testCase: TestCase, context: JudgeContext) => Effect.Effect<Scored, MetricError, Judge>
}

/**
 * Build a judge metric; see the module doc.
 *
 * @example
 * ```ts
 * judgeMetric({ name: "n", version: "1", templates: {}, requires: [], options: {}, config: {}, score: () => Effect.succeed({ score: 1 }) })
 * ```
 * @since 0.1.0
 */
export const judgeMetric = (spec: JudgeMetricSpec): Metric.Metric<Judge> =>
  Metric.make({
    name: spec.name,
    threshold: spec.options.threshold ?? 0.5,
    strict: spec.options.strict ?? false,
    appliesTo: spec.appliesTo ?? "LLMTestCase",
    requires: spec.requires,
    config: {
      ...spec.config,
      templateVersion: spec.version,
      promptHash: promptHash(spec.version, spec.templates),
      judge: spec.options.judge ?? null,
      includeReason: spec.options.includeReason ?? true
    },
    measure: (testCase) =>
      Effect.gen(function*() {
        const judge = yield* Judge
        if (spec.options.judge !== undefined && spec.options.judge !== judge.model) {
          return yield* new MetricError({
            metric: spec.name,
            message: `configured for judge ${spec.options.judge} but the run's judge is ${judge.model}`
          })
        }
        const spend = yield* Ref.make(noSpend)
        const notes = yield* Ref.make<ReadonlyArray<string>>([])
        const askWith = <A, I>(
          schema: Schema.Schema<A, I>,
          step: string,
          vars: Readonly<Record<string, string>>,
          topLogprobs: number,
          images: ReadonlyArray<ChatImage> | undefined
        ) =>
          Effect.gen(function*() {
            const template = spec.templates[step]
            if (template === undefined) return yield* Effect.dieMessage(`${spec.name}: no template "${step}"`)
            const content = render(template, vars)
            const result = yield* structured(schema, {
              metric: spec.name,
              messages: [images === undefined || images.length === 0 ? { role: "user", content } : { role: "user", content, images }],
              topLogprobs: topLogprobs > 0 ? topLogprobs : undefined
            })
            yield* Ref.update(spend, (s) => addSpend(s, result.spend))
            if (spec.options.verbose) {
              const line = `${step}: ${result.reply.text}`
              yield* Ref.update(notes, (n) => [...n, line])
              yield* Effect.logInfo(`${spec.name} ${line}`)
            }
            return { value: result.value, logprobs: result.reply.logprobs }
          })
        const context: JudgeContext = {
          metric: spec.name,
          ask: (schema, step, vars, options) =>
            Effect.map(askWith(schema, step, vars, options?.topLogprobs ?? 0, options?.images), (r) => r.value),
          askWithLogprobs: (schema, step, vars, topLogprobs) => askWith(schema, step, vars, topLogprobs, undefined)
        }
        const scored = yield* spec.score(testCase, context)
        const score = yield* Metric.clampScore(spec.name, scored.score)
        const total = yield* Ref.get(spend)
        const verbose = yield* Ref.get(notes)
        const outcome: Outcome = {
          score,
          reason: spec.options.includeReason === false ? undefined : scored.reason,
          cost: total.cost,
          tokens: { input: total.input, output: total.output },
          verbose: spec.options.verbose ? verbose : undefined
        }
        return outcome
      }).pipe(traced(`metric.${spec.name}`))
  })

/**
 * A yes/no/idk verdict with an optional reason.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Verdict)({ verdict: "yes" })
 * ```
 * @since 0.1.0
 */
export const Verdict = Schema.Struct({
  verdict: Schema.Literal("yes", "no", "idk"),
  reason: Schema.optional(Schema.NullOr(Schema.String))
})
export type Verdict = typeof Verdict.Type

/**
 * `{"verdicts": [...]}` with exactly `count` verdicts — a wrong count goes back to the judge as a repair.
 *
 * @example
 * ```ts
 * const schema = verdictList(3)
 * ```
 * @since 0.1.0
 */
export const verdictList = (count: number) =>
  Schema.Struct({ verdicts: Schema.Array(Verdict) }).pipe(
    Schema.filter((v) => v.verdicts.length === count || `expected exactly ${count} verdicts, got ${v.verdicts.length}`)
  )

/**
 * `{"<key>": ["...", ...]}`: a list of extracted strings.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(stringList("claims"))({ claims: ["a"] })
 * ```
 * @since 0.1.0
 */
export const stringList = <K extends string>(key: K) => Schema.Struct({ [key]: Schema.Array(Schema.String) } as { [P in K]: Schema.Array$<typeof Schema.String> })

/**
 * The share of verdicts that are not `exclude` (empty → `empty`).
 *
 * @example
 * ```ts
 * ratio([{ verdict: "yes" }, { verdict: "no" }], "no", 1) // 0.5
 * ```
 * @since 0.1.0
 */
export const ratio = (verdicts: ReadonlyArray<Verdict>, exclude: Verdict["verdict"], empty: number): number =>
  verdicts.length === 0 ? empty : verdicts.filter((v) => v.verdict !== exclude).length / verdicts.length

/**
 * A reason assembled from the verdicts (no extra judge call): the score and the reasons of the verdicts
 * that cost points.
 *
 * @example
 * ```ts
 * reasonFrom(0.5, "1 of 2 statements are irrelevant", [{ verdict: "no", reason: "off topic" }], "no")
 * ```
 * @since 0.1.0
 */
export const reasonFrom = (score: number, summary: string, verdicts: ReadonlyArray<Verdict>, bad: Verdict["verdict"]): string => {
  const why = verdicts.flatMap((v, i) => (v.verdict === bad && v.reason ? [`#${i + 1}: ${v.reason}`] : []))
  return `${score.toFixed(2)}: ${summary}${why.length > 0 ? ` (${why.join("; ")})` : ""}`
}
