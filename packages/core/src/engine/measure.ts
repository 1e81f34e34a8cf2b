/**
 * One unit of work: one metric on one case — cache lookup, repeats, timeout, and turning the outcome (or the
 * error) into a {@link MetricResult}.
 *
 * @example
 * ```ts
 * const result = yield* measureOne(metric, testCase, { timeout: "30 seconds", repeat: 1, repeatReducer: "mean" })
 * ```
 */
import { Clock, Duration, Effect, Option } from "effect"
import type { EvalCacheApi } from "../cache/eval-cache.js"
import { clampScore, MetricError, passes, type Metric, type Outcome } from "../metric/metric.js"
import type { TestCase } from "../model/test-case.js"
import type { MetricResult } from "../result/run-result.js"
import type { RepeatReducer } from "./options.js"

/** How to measure: everything the engine decided for this run. */
export interface MeasureSettings {
  readonly timeout: Duration.Duration | undefined
  readonly repeat: number
  readonly repeatReducer: RepeatReducer
}

const ZERO_TOKENS = { input: 0, output: 0 } as const

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

const scoredResult = (metric: Metric<unknown>, outcome: Outcome, cached: boolean, durationMs: number): MetricResult => ({
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
  durationMs,
  ...(outcome.verbose !== undefined ? { verbose: outcome.verbose } : {})
})

const reduceRepeats = (outcomes: ReadonlyArray<Outcome>, reducer: RepeatReducer): Outcome => {
  if (outcomes.length === 1) return outcomes[0]!
  const scores = outcomes.map((o) => o.score)
  const score = reducer === "min"
    ? Math.min(...scores)
    : reducer === "pass@k"
    ? Math.max(...scores) // passes iff at least one of the k runs passed
    : scores.reduce((a, b) => a + b, 0) / scores.length
  const sum = (f: (o: Outcome) => number) => outcomes.reduce((acc, o) => acc + f(o), 0)
  return {
    score,
    reason: `${reducer} of ${outcomes.length} runs (${scores.map((s) => s.toFixed(3)).join(", ")})` +
      (outcomes[0]!.reason ? `; first: ${outcomes[0]!.reason}` : ""),
    cost: sum((o) => o.cost ?? 0),
    tokens: { input: sum((o) => o.tokens?.input ?? 0), output: sum((o) => o.tokens?.output ?? 0) }
  }
}

/** The outcome of one job: a result, and the cache entry to write when it is a fresh success. */
export interface Measured {
  readonly result: MetricResult
  readonly fresh: Outcome | undefined
}

/**
 * Measure one metric on one case. Never fails: a MetricError (or timeout) becomes an errored result, and the
 * engine decides whether that stops the run.
 *
 * @example
 * ```ts
 * const { result } = yield* measureOne(metric, testCase, settings, Option.none())
 * ```
 */
export const measureOne = <R>(
  metric: Metric<R>,
  testCase: TestCase,
  settings: MeasureSettings,
  cache: Option.Option<{ readonly api: EvalCacheApi; readonly key: string }>
): Effect.Effect<Measured, never, R> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    if (Option.isSome(cache)) {
      const hit = yield* cache.value.api.lookup(cache.value.key).pipe(
        Effect.catchAll((e) => Effect.as(Effect.logWarning(`cache lookup failed: ${e.message}`), Option.none<Outcome>()))
      )
      if (Option.isSome(hit)) {
        return { result: scoredResult(metric, hit.value, true, (yield* Clock.currentTimeMillis) - started), fresh: undefined }
      }
    }
    const once = metric.measure(testCase).pipe(
      Effect.flatMap((outcome) => Effect.map(clampScore(metric.name, outcome.score), (score) => ({ ...outcome, score })))
    )
    const timed = settings.timeout === undefined ? once : once.pipe(
      Effect.timeoutFail({
        duration: settings.timeout,
        onTimeout: () => new MetricError({ metric: metric.name, message: `timed out after ${Duration.format(settings.timeout!)}` })
      })
    )
    const attempt = settings.repeat === 1
      ? timed
      : Effect.map(Effect.replicateEffect(timed, settings.repeat), (all) => reduceRepeats(all, settings.repeatReducer))
    const exit = yield* Effect.either(attempt)
    const durationMs = (yield* Clock.currentTimeMillis) - started
    return exit._tag === "Left"
      ? { result: erroredResult(metric, exit.left.message, durationMs), fresh: undefined }
      : { result: scoredResult(metric, exit.right, false, durationMs), fresh: exit.right }
  })
