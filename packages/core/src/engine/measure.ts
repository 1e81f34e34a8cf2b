/**
 * One unit of work: one metric on one case — repeats (epochs of a case without a task), timeout, and turning the outcome (or the error) into a
 * {@link MetricResult}. Cache lookups happen before, a slice of cases at a time (`lookup.ts`).
 *
 * @example
 * ```ts
 * const result = yield* measureOne(metric, testCase, { timeout: "30 seconds", repeat: 1, repeatReducer: "mean" })
 * ```
 */
import { Clock, Duration, Effect } from "effect"
import type { CachedOutcome } from "../cache/eval-cache.js"
import { MetricError, normalizeScore, NOT_A_NUMBER, passes, type Metric, type Outcome } from "../metric/metric.js"
import { currentRepetition } from "../metric/repetition.js"
import { missingFields, type TestCase } from "../model/test-case.js"
import type { MetricResult } from "../result/run-result.js"
import { reducedReason, reduceScores } from "./epochs.js"
import { spendAttributes, traced } from "./tracing.js"
import type { RepeatReducer } from "./options.js"

/** How to measure: everything the engine decided for this run. */
export interface MeasureSettings {
  readonly timeout: Duration.Duration | undefined
  readonly repeat: number
  readonly repeatReducer: RepeatReducer
  /** Whether the run's tracer records spans (`recordsSpans`): without one, no span is even considered. */
  readonly spans: boolean
}

const ZERO_TOKENS = { input: 0, output: 0 } as const

/**
 * Why a metric cannot run on a case (another kind of case, or required fields missing), or undefined when it can.
 *
 * @example
 * ```ts
 * unmetRequirement(exactMatch(), LLMTestCase.make({ input: "q" })) // "missing required fields: actualOutput, expectedOutput"
 * ```
 */
export const unmetRequirement = (metric: Metric<unknown>, testCase: TestCase): string | undefined => {
  if (metric.appliesTo !== testCase._tag) return `metric ${metric.name} scores ${metric.appliesTo} cases, not ${testCase._tag}`
  const missing = missingFields(testCase, metric.requires)
  return missing.length === 0 ? undefined : `missing required field${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`
}

/**
 * A result for a metric that did not run.
 *
 * @example
 * ```ts
 * skippedResult(metric, "missing actualOutput")
 * ```
 */
export const skippedResult = (metric: Metric<unknown>, reason: string): MetricResult => ({
  name: metric.name,
  score: null,
  threshold: metric.threshold,
  strict: metric.strict,
  success: false,
  reason,
  error: null,
  skipped: true,
  cached: false,
  cost: 0,
  tokens: ZERO_TOKENS,
  durationMs: 0
})

/**
 * A result for a metric that errored.
 *
 * @example
 * ```ts
 * erroredResult(metric, "timed out after 30s", 30000)
 * ```
 */
export const erroredResult = (metric: Metric<unknown>, error: string, durationMs: number): MetricResult => ({
  ...skippedResult(metric, ""),
  reason: null,
  error,
  skipped: false,
  durationMs
})

const scoredResult = (metric: Metric<unknown>, outcome: Outcome, cached: boolean, durationMs: number): MetricResult => {
  const result: { -readonly [K in keyof MetricResult]: MetricResult[K] } = {
    name: metric.name,
    score: outcome.score,
    threshold: metric.threshold,
    strict: metric.strict,
    success: passes(metric, outcome.score),
    reason: outcome.reason ?? null,
    error: null,
    skipped: false,
    cached,
    cost: cached ? 0 : outcome.cost ?? 0,
    tokens: outcome.tokens ?? ZERO_TOKENS,
    durationMs
  }
  // Set, not spread: an object spread here took a slow generic path (it runs once per metric per case).
  if (outcome.verbose !== undefined) result.verbose = outcome.verbose
  return result
}

/**
 * Reduce the k outcomes of a metric measured k times on one case (scores already clamped): the reduced outcome
 * (summed cost and tokens) and its epoch scores.
 */
const reduceRepeats = (outcomes: ReadonlyArray<Outcome>, reducer: RepeatReducer): Outcome => {
  const scores = outcomes.map((o) => o.score)
  const { pick, score } = reduceScores(scores, reducer)
  const sum = (f: (o: Outcome) => number) => outcomes.reduce((acc, o) => acc + f(o), 0)
  const decided = outcomes[pick]!
  return {
    score,
    reason: reducedReason(reducer, scores, pick, decided.reason),
    cost: sum((o) => o.cost ?? 0),
    tokens: { input: sum((o) => o.tokens?.input ?? 0), output: sum((o) => o.tokens?.output ?? 0) },
    ...(decided.verbose === undefined ? {} : { verbose: decided.verbose })
  }
}

/** The outcome of one job: a result, and the cache entry to write when it is a fresh success. */
export interface Measured {
  readonly result: MetricResult
  readonly fresh: Outcome | undefined
}

/**
 * The result of a metric served from the cache: marked `cached`, costing nothing, taking no time.
 *
 * @example
 * ```ts
 * cachedResult(metric, { score: 0.75 }).cached // true
 * ```
 */
export const cachedResult = (metric: Metric<unknown>, outcome: CachedOutcome): MetricResult =>
  scoredResult(metric, outcome, true, 0)

/**
 * What the cache keeps of a fresh outcome (everything but its cost).
 *
 * @example
 * ```ts
 * toCachedOutcome({ score: 1, cost: 0.02 }) // { score: 1 }
 * ```
 */
export const toCachedOutcome = (outcome: Outcome): CachedOutcome => {
  if (outcome.cost === undefined) return outcome
  const { cost: _, ...kept } = outcome
  return kept
}

const withTimeout = <R>(metric: Metric<R>, effect: Effect.Effect<Outcome, MetricError, R>, timeout: Duration.Duration) =>
  Effect.timeoutFail(effect, {
    duration: timeout,
    onTimeout: () => new MetricError({ metric: metric.name, message: `timed out after ${Duration.format(timeout)}` })
  })

/** A metric measured `settings.repeat` times on one case, each with its index in currentRepetition, reduced. */
const measureRepeated = <R>(
  metric: Metric<R>,
  once: Effect.Effect<Outcome, MetricError, R>,
  settings: MeasureSettings,
  clock: Clock.Clock,
  started: number
): Effect.Effect<Measured, never, R> => {
  const failed = (message: string): Measured => ({
    result: erroredResult(metric, message, clock.unsafeCurrentTimeMillis() - started),
    fresh: undefined
  })
  const each = Effect.forEach(Array.from({ length: settings.repeat }, (_, i) => i), (i) => Effect.locally(once, currentRepetition, i))
  return Effect.match(each, {
    onFailure: (error) => failed(error.message),
    onSuccess: (all): Measured => {
      const clamped = all.map((o) => ({ ...o, score: normalizeScore(o.score) ?? Number.NaN }))
      if (clamped.some((o) => Number.isNaN(o.score))) return failed(NOT_A_NUMBER)
      const outcome = reduceRepeats(clamped, settings.repeatReducer)
      const result = scoredResult(metric, outcome, false, clock.unsafeCurrentTimeMillis() - started)
      return { result: { ...result, epochScores: clamped.map((o) => o.score) }, fresh: outcome }
    }
  })
}

/**
 * Measure one metric on one case. Never fails: a MetricError (or timeout) becomes an errored result, and the
 * engine decides whether that stops the run. `clock` is the worker's clock (read synchronously: this is the
 * engine's hot path, run hundreds of thousands of times, so it avoids per-call generators).
 *
 * @example
 * ```ts
 * const { result } = yield* measureOne(metric, testCase, settings, clock)
 * ```
 */
export const measureOne = <R>(
  metric: Metric<R>,
  testCase: TestCase,
  settings: MeasureSettings,
  clock: Clock.Clock
): Effect.Effect<Measured, never, R> => {
  const started = clock.unsafeCurrentTimeMillis()
  const measured = settings.spans
    ? metric.measure(testCase).pipe(traced("assay.metric", {
      attributes: { "assay.metric.name": metric.name },
      annotate: (o: Outcome) => ({ "assay.score": o.score, ...spendAttributes(o.cost, o.tokens) })
    }))
    : metric.measure(testCase)
  const once = settings.timeout === undefined ? measured : withTimeout(metric, measured, settings.timeout)
  if (settings.repeat > 1) return measureRepeated(metric, once, settings, clock, started)
  return Effect.match(once, {
    onFailure: (error): Measured => ({
      result: erroredResult(metric, error.message, clock.unsafeCurrentTimeMillis() - started),
      fresh: undefined
    }),
    onSuccess: (outcome): Measured => {
      const durationMs = clock.unsafeCurrentTimeMillis() - started
      const score = normalizeScore(outcome.score)
      if (score === undefined) return { result: erroredResult(metric, NOT_A_NUMBER, durationMs), fresh: undefined }
      const clamped = score === outcome.score ? outcome : { ...outcome, score }
      return { result: scoredResult(metric, clamped, false, durationMs), fresh: clamped }
    }
  })
}
