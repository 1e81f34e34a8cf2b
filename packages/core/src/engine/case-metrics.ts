/**
 * Part of stage 3, `cases`: measuring one case's metrics. Cached metrics are served from the looked-up
 * outcomes, inline (CPU-only) metrics are measured by the case worker one after another, and I/O metrics
 * (judges) go to a flat pool of metric workers — never a concurrent `forEach` per case, far dearer per
 * element in Effect 3 (docs/performance.md, "Design choices"). Without inline metrics the case worker measures
 * the first I/O metric itself, so a case with one judge metric takes no queue hop.
 *
 * @example
 * ```ts
 * const measurer = yield* makeCaseMeasurer(plan)
 * yield* measurer.measure(state, cached, clock)
 * ```
 */
import { type Clock, Deferred, Effect, Equal, FiberRef, Hash, Mailbox, Option } from "effect"
import type { CachedOutcomes } from "../cache/eval-cache.js"
import { currentRepetition } from "../metric/repetition.js"
import type { MetricResult } from "../result/run-result.js"
import type { CaseState } from "./case-state.js"
import { type CaseRef, CurrentCase } from "./current-case.js"
import { type EvalError, MetricFailed } from "./errors.js"
import { cachedResult, erroredResult, measureOne, skippedResult, toCachedOutcome, unmetRequirement } from "./measure.js"
import type { RunPlan } from "./plan.js"

/** An I/O metric of a case, for the metric pool. */
export interface MetricJob {
  readonly state: CaseState
  readonly metricIndex: number
  readonly done: Deferred.Deferred<void>
}

/**
 * A {@link CaseRef} equal by its fields and hashed by its index: setting a FiberRef compares the old value
 * with the new, and a plain object would get a random hash kept in a WeakMap, once per case.
 */
class CaseRefValue implements CaseRef, Equal.Equal {
  constructor(readonly index: number, readonly name: string | undefined, readonly repetition: number) {}
  [Hash.symbol](): number {
    return this.index
  }
  [Equal.symbol](that: Equal.Equal): boolean {
    return that instanceof CaseRefValue && that.index === this.index && that.name === this.name && that.repetition === this.repetition
  }
}

/**
 * `work` with {@link CurrentCase} set to the state's case and its epoch (0 unless the run repeats its task).
 * The value is set, not scoped: it stays until the worker's next case sets it, and each worker scopes it to
 * its own life (`worker` in `cases.ts`), because an `Effect.locally` per case (an acquire/use/release and two
 * copies of the fiber's refs) costs as much as measuring two cheap metrics (docs/performance.md, "CurrentCase").
 *
 * @example
 * ```ts
 * inCase(state, measure(state))
 * ```
 */
export const inCase = <A, E, R>(state: CaseState, work: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.zipRight(FiberRef.set(CurrentCase, Option.some(new CaseRefValue(state.index, state.testCase.name, state.epoch ?? 0))), work)

/** How a case's metrics are measured in one run. */
export interface CaseMeasurer<R> {
  /** The metric pool's queue of I/O metrics. */
  readonly jobs: Mailbox.Mailbox<MetricJob>
  /** Measure every metric of a case (serving `cached` ones), waiting for the pooled ones. */
  readonly measure: (state: CaseState, cached: CachedOutcomes | undefined, clock: Clock.Clock) => Effect.Effect<void, EvalError, R>
  /** A metric worker's job. */
  readonly runJob: (job: MetricJob, clock: Clock.Clock) => Effect.Effect<void, EvalError, R>
}

/**
 * The measurer of a run planned by `plan`.
 *
 * @example
 * ```ts
 * const { jobs, measure, runJob } = yield* makeCaseMeasurer(plan)
 * ```
 */
export const makeCaseMeasurer = <R, RT>(plan: RunPlan<R, RT>): Effect.Effect<CaseMeasurer<R>> =>
  Effect.map(
    // A Mailbox, not a Queue: idle metric workers wait on it for every job (see `cases.ts`).
    Mailbox.make<MetricJob>({ capacity: Math.max(1, plan.resolved.concurrency * plan.pooledPerCase), strategy: "suspend" }),
    (jobs) => {
      const into = measureInto(plan)
      return {
        jobs,
        measure: measureWith(plan, jobs, into),
        runJob: ({ done, metricIndex, state }, clock) =>
          Effect.flatMap(
            inCase(state, into(state, metricIndex, clock)),
            () => (--state.remaining === 0 ? Deferred.succeed(done, undefined) : Effect.void)
          )
      }
    }
  )

type MeasureInto<R> = (state: CaseState, metricIndex: number, clock: Clock.Clock) => Effect.Effect<void, EvalError, R>

const metricFailed = (state: CaseState, result: MetricResult) =>
  new MetricFailed({ caseIndex: state.index, caseName: state.testCase.name ?? null, metric: result.name, reason: result.error ?? "" })

/** Measure metric `i` of a case and record it; the hot path, so plain flatMaps and a synchronous clock. */
const measureInto = <R, RT>({ metrics, perEpoch, settings, tags, tolerate }: RunPlan<R, RT>): MeasureInto<R> => (state, metricIndex, clock) =>
  Effect.flatMap(
    state.epoch === undefined
      ? measureOne(metrics[metricIndex]!, state.testCase, settings, clock)
      // Set here too: pooled metrics run in the metric workers' fibers, outside the epoch's `locally`.
      : Effect.locally(measureOne(metrics[metricIndex]!, state.testCase, perEpoch, clock), currentRepetition, state.epoch),
    ({ fresh, result }) => {
      if (result.error !== null && !tolerate) return Effect.fail(metricFailed(state, result))
      state.results[metricIndex] = result
      if (fresh !== undefined && state.cacheKey !== undefined) {
        ;(state.fresh ??= {})[tags[metricIndex]!.tag] = toCachedOutcome(fresh)
      }
      return Effect.void
    }
  )

/** The metrics to measure on a case: cached, skipped and unmet ones are recorded (or fail the run). */
const runnableMetrics = <R, RT>(plan: RunPlan<R, RT>, state: CaseState, cached: CachedOutcomes | undefined): Array<number> | MetricFailed => {
  const { metrics, tags } = plan
  const runnable: Array<number> = []
  for (let i = 0; i < metrics.length; i++) {
    const unmet = unmetRequirement(metrics[i]!, state.testCase)
    const hit = unmet === undefined && cached !== undefined ? cached[tags[i]!.tag] : undefined
    if (hit !== undefined) state.results[i] = cachedResult(metrics[i]!, hit)
    else if (unmet === undefined) runnable.push(i)
    else if (plan.resolved.skipOnMissingParams) state.results[i] = skippedResult(metrics[i]!, unmet)
    else {
      const result = erroredResult(metrics[i]!, unmet, 0)
      if (!plan.tolerate) return metricFailed(state, result)
      state.results[i] = result
    }
  }
  return runnable
}

/** Measure a case's runnable metrics: inline ones here, I/O ones in the pool (one of them here, if alone). */
const measureWith = <R, RT>(plan: RunPlan<R, RT>, jobs: Mailbox.Mailbox<MetricJob>, into: MeasureInto<R>) => {
  const { ioMetrics, metrics } = plan
  /** Measure the inline metrics of a case one after another, starting at position `from` of `order`. */
  const measureInline = (state: CaseState, order: ReadonlyArray<number>, from: number, clock: Clock.Clock): Effect.Effect<void, EvalError, R> => {
    for (let k = from; k < order.length; k++) {
      const metricIndex = order[k]!
      if (metrics[metricIndex]!.inline) return Effect.flatMap(into(state, metricIndex, clock), () => measureInline(state, order, k + 1, clock))
    }
    return Effect.void
  }
  return (state: CaseState, cached: CachedOutcomes | undefined, clock: Clock.Clock): Effect.Effect<void, EvalError, R> =>
    Effect.suspend(() => {
      const runnable = runnableMetrics(plan, state, cached)
      if (!Array.isArray(runnable)) return Effect.fail(runnable)
      const io = ioMetrics.length === 0 ? [] : runnable.filter((i) => !metrics[i]!.inline)
      const inline = measureInline(state, runnable, 0, clock)
      if (io.length === 0) return inline
      const selfMeasured = io.length === runnable.length
      const own = selfMeasured ? into(state, io[0]!, clock) : inline
      if (selfMeasured && io.length === 1) return own
      const pooled = selfMeasured ? io.slice(1) : io
      state.remaining = pooled.length
      return Effect.flatMap(Deferred.make<void>(), (ioDone) =>
        Effect.forEach(pooled, (metricIndex) => jobs.offer({ state, metricIndex, done: ioDone }), { discard: true }).pipe(
          Effect.zipRight(own),
          Effect.zipRight(Deferred.await(ioDone))
        ))
    })
}
