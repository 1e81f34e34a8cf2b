/**
 * A metric is a plain value: a name, a threshold, the case fields it needs, a configuration that identifies
 * it (the cache key uses it), and `measure`, an Effect that scores one case. `R` lets a metric depend on
 * services (a judge, an embedder) that a Layer provides.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Metric } from "@assay/core"
 * const nonEmpty = Metric.make({
 *   name: "non-empty",
 *   requires: ["actualOutput"],
 *   measure: (c) => Effect.succeed({ score: c._tag === "LLMTestCase" && c.actualOutput ? 1 : 0 })
 * })
 * ```
 */
import { Effect, Schema } from "effect"
import type { CaseField, TestCase } from "../model/test-case.js"

/**
 * Token usage of a metric's model calls.
 *
 * @since 0.1.0
 */
export const TokenUsage = Schema.Struct({ input: Schema.Number, output: Schema.Number })
export type TokenUsage = typeof TokenUsage.Type

/**
 * What a metric returns for one case. `score` is in [0, 1].
 *
 * @since 0.1.0
 */
export interface Outcome {
  readonly score: number
  readonly reason?: string | undefined
  /** Money spent (in the price table's currency, USD by default). */
  readonly cost?: number | undefined
  readonly tokens?: TokenUsage | undefined
  /** Intermediate steps (extracted claims, verdicts…) for verbose output. */
  readonly verbose?: ReadonlyArray<string> | undefined
}

/**
 * A metric failed to produce a score.
 *
 * @since 0.1.0
 */
export class MetricError extends Schema.TaggedError<MetricError>()("MetricError", {
  metric: Schema.String,
  message: Schema.String
}) {}

/**
 * Which kind of case a metric scores.
 *
 * @since 0.1.0
 */
export type CaseKind = TestCase["_tag"]

/**
 * A metric: see the module doc.
 *
 * @since 0.1.0
 */
export interface Metric<R = never> {
  readonly name: string
  readonly threshold: number
  /** Strict mode: only a score of 1 passes. */
  readonly strict: boolean
  readonly appliesTo: CaseKind
  readonly requires: ReadonlyArray<CaseField>
  /**
   * Everything that identifies this metric's behaviour: implementation version, options, judge model,
   * prompt template hash… Two metrics with equal name and config must score identically.
   */
  readonly config: Readonly<Record<string, unknown>>
  readonly measure: (testCase: TestCase) => Effect.Effect<Outcome, MetricError, R>
  /**
   * A CPU-only metric (no I/O, no waiting): the engine measures it inline in the case's worker fiber instead
   * of handing it to the metric pool. On a single-threaded runtime running pure computations "concurrently"
   * buys nothing and costs two fiber wake-ups per measurement. Deterministic metrics set it; judges do not.
   */
  readonly inline: boolean
}

/**
 * What {@link make} needs; the rest has defaults (threshold 0.5, not strict, single-turn cases, not inline).
 *
 * @since 0.1.0
 */
export interface MetricSpec<R> {
  readonly name: string
  readonly threshold?: number | undefined
  readonly strict?: boolean | undefined
  readonly appliesTo?: CaseKind | undefined
  readonly requires?: ReadonlyArray<CaseField> | undefined
  readonly config?: Readonly<Record<string, unknown>> | undefined
  readonly inline?: boolean | undefined
  readonly measure: (testCase: TestCase) => Effect.Effect<Outcome, MetricError, R>
}

/**
 * Build a metric from a spec.
 *
 * @example
 * ```ts
 * const m = make({ name: "always", measure: () => Effect.succeed({ score: 1 }) })
 * ```
 * @since 0.1.0
 */
export const make = <R = never>(spec: MetricSpec<R>): Metric<R> => ({
  name: spec.name,
  threshold: spec.threshold ?? 0.5,
  strict: spec.strict ?? false,
  appliesTo: spec.appliesTo ?? "LLMTestCase",
  requires: spec.requires ?? [],
  config: spec.config ?? {},
  inline: spec.inline ?? false,
  measure: spec.measure
})

/**
 * Whether a score passes a metric: score ≥ threshold, or score = 1 in strict mode.
 *
 * @example
 * ```ts
 * passes({ threshold: 0.5, strict: false }, 0.7) // true
 * ```
 * @since 0.1.0
 */
export const passes = (metric: Pick<Metric<unknown>, "threshold" | "strict">, score: number): boolean =>
  metric.strict ? score >= 1 : score >= metric.threshold

/**
 * A metric whose case kind matches and whose required fields are all present. Used by metric implementations
 * that only make sense for single-turn cases.
 *
 * @example
 * ```ts
 * const m = make({ name: "len", measure: llmOnly("len", (c) => Effect.succeed({ score: c.input.length > 0 ? 1 : 0 })) })
 * ```
 * @since 0.1.0
 */
export const llmOnly = <R>(
  name: string,
  measure: (testCase: Extract<TestCase, { _tag: "LLMTestCase" }>) => Effect.Effect<Outcome, MetricError, R>
) =>
(testCase: TestCase): Effect.Effect<Outcome, MetricError, R> =>
  testCase._tag === "LLMTestCase"
    ? measure(testCase)
    : Effect.fail(new MetricError({ metric: name, message: "this metric scores single-turn cases only" }))

/**
 * A score clamped into [0, 1], or undefined when it is NaN (the synchronous rule behind {@link clampScore}).
 *
 * @example
 * ```ts
 * normalizeScore(1.2) // 1
 * normalizeScore(NaN) // undefined
 * ```
 * @since 0.1.0
 */
export const normalizeScore = (score: number): number | undefined =>
  Number.isNaN(score) ? undefined : Math.min(1, Math.max(0, score))

/**
 * The message of the MetricError for a NaN score.
 *
 * @since 0.1.0
 */
export const NOT_A_NUMBER = "score is not a number"

/**
 * Clamp a score into [0, 1]; NaN becomes a MetricError.
 *
 * @example
 * ```ts
 * clampScore("bleu", 1.2) // Effect.succeed(1)
 * ```
 * @since 0.1.0
 */
export const clampScore = (metric: string, score: number): Effect.Effect<number, MetricError> => {
  const normalized = normalizeScore(score)
  return normalized === undefined
    ? Effect.fail(new MetricError({ metric, message: NOT_A_NUMBER }))
    : Effect.succeed(normalized)
}
