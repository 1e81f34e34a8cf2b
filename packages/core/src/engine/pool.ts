/**
 * The engine's core: source → bounded case Queue → `concurrency` case-worker fibers → result sinks, with a
 * second flat pool of metric-worker fibers for metrics that wait on I/O. All fibers live in one FiberSet in
 * the run's Scope.
 *
 * - The producer reads the source in order and offers cases to a bounded Queue (back-pressure: a huge
 *   dataset is never loaded ahead of the workers).
 * - `concurrency` case workers loop on `Queue.take`; a case is "in flight" while a case worker holds it, so
 *   at most `concurrency` cases are in flight. `throttle` spaces case starts with a RateLimiter.
 * - A case worker offers the case's I/O metrics (judges) to the metric Queue, measures its inline (CPU-only)
 *   metrics itself, then waits for the case's last I/O metric. `concurrency × I/O metrics` metric workers
 *   serve that queue, so every admitted case's metrics run concurrently — one flat pool, never a concurrent
 *   `forEach` per case (that pattern costs ~20× more per element in Effect 3; `../shared/effect-notes.md`).
 * - When a case finishes, the cache is written, `onResult` and `emit` see the result.
 *
 * A failing fiber fails the FiberSet (fail-fast); closing the scope — on completion, failure, deadline or
 * the caller's interruption — interrupts every fiber the run started.
 *
 * @example
 * ```ts
 * const run = yield* runPool(cases, metrics, options, (result) => Effect.sync(() => results.push(result)))
 * ```
 */
import { Clock, Deferred, Duration, Effect, FiberSet, Option, Queue, RateLimiter } from "effect"
import { EvalCache } from "../cache/eval-cache.js"
import { caseFingerprint, metricKeySuffix, sha256 } from "../cache/cache-key.js"
import type { Metric } from "../metric/metric.js"
import { missingFields, type TestCase } from "../model/test-case.js"
import type { CaseResult, MetricResult, RunSummary, UnfinishedCase } from "../result/run-result.js"
import { SummaryAccumulator } from "../result/summary.js"
import { type CaseState, newCaseState, toCaseResult } from "./case-state.js"
import { ErrorBudgetExceeded, type EvalError, MetricFailed } from "./errors.js"
import { erroredResult, measureOne, skippedResult } from "./measure.js"
import { type EvalOptions, resolveOptions } from "./options.js"
import { type CaseSource, forEachCase, knownSize } from "./source.js"

/** How a pool run ended. */
export interface PoolRun {
  readonly status: "completed" | "deadline"
  readonly summary: RunSummary
  readonly unfinished: ReadonlyArray<UnfinishedCase>
}

interface PendingCase {
  readonly testCase: TestCase
  readonly index: number
}

interface MetricJob {
  readonly state: CaseState
  readonly metricIndex: number
  readonly done: Deferred.Deferred<void>
}

/** Why a metric cannot run on a case, or undefined when it can. */
const unmetRequirement = (metric: Metric<unknown>, testCase: TestCase): string | undefined => {
  if (metric.appliesTo !== testCase._tag) return `metric ${metric.name} scores ${metric.appliesTo} cases, not ${testCase._tag}`
  const missing = missingFields(testCase, metric.requires)
  return missing.length === 0 ? undefined : `missing required field${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`
}

/**
 * Run the pool; see the module doc. `emit` receives each case result in completion order.
 *
 * @example
 * ```ts
 * runPool(Stream.fromIterable(cases), [exactMatch()], { concurrency: 8 }, (r) => Console.log(r.index))
 * ```
 */
export const runPool = <R, E, RS, RE>(
  source: CaseSource<E, RS>,
  metrics: ReadonlyArray<Metric<R>>,
  options: EvalOptions,
  emit: (result: CaseResult) => Effect.Effect<void, never, RE>
): Effect.Effect<PoolRun, EvalError | E, R | RS | RE> =>
  Effect.gen(function*() {
    const opts = resolveOptions(options)
    const cacheApi = Option.getOrUndefined(yield* Effect.serviceOption(EvalCache))
    const tolerate = opts.ignoreErrors || options.maxErrors !== undefined
    const total = knownSize(source)
    const budget = options.maxErrors === undefined
      ? undefined
      : options.maxErrors >= 1
      ? Math.floor(options.maxErrors)
      : total !== undefined
      ? Math.floor(options.maxErrors * total)
      : undefined // a fraction of a stream of unknown length is checked when the stream ends
    const settings = {
      timeout: options.timeout === undefined ? undefined : Duration.decode(options.timeout),
      repeat: opts.repeat,
      repeatReducer: opts.repeatReducer
    }
    const throttle = options.throttle === undefined
      ? undefined
      : yield* RateLimiter.make({ limit: 1, interval: options.throttle, algorithm: "fixed-window" })
    const ioMetrics = metrics.flatMap((m, i) => (m.inline ? [] : [i]))
    const keySuffixes = cacheApi === undefined ? [] : metrics.map((m) => metricKeySuffix(m, opts.hyperparameters))
    const runStarted = yield* Clock.currentTimeMillis

    const summary = SummaryAccumulator.empty()
    const inFlight = new Map<number, CaseState>()
    const finishedFlags = total === undefined ? undefined : new Uint8Array(total)
    const cases = yield* Queue.bounded<PendingCase>(opts.concurrency)
    const jobs = yield* Queue.bounded<MetricJob>(Math.max(1, opts.concurrency * ioMetrics.length))
    const allFinished = yield* Deferred.make<void>()
    const group = yield* FiberSet.make<void, EvalError | E>()
    let open = 0
    let admitted = 0
    let erroredCases = 0
    let producerDone = false
    let lastError = ""

    const metricFailed = (state: CaseState, result: MetricResult) =>
      new MetricFailed({ caseIndex: state.index, caseName: state.testCase.name ?? null, metric: result.name, reason: result.error ?? "" })

    /** Measure metric `i` of a case and record it; the hot path, so plain flatMaps and a synchronous clock. */
    const measureInto = (state: CaseState, metricIndex: number, clock: Clock.Clock): Effect.Effect<void, EvalError, R> => {
      const metric = metrics[metricIndex]!
      const slot = cacheApi === undefined ? undefined : { api: cacheApi, key: sha256(state.fingerprint! + keySuffixes[metricIndex]!) }
      return Effect.flatMap(measureOne(metric, state.testCase, settings, slot, clock), ({ fresh, result }) => {
        if (result.error !== null && !tolerate) return Effect.fail(metricFailed(state, result))
        state.results[metricIndex] = result
        if (fresh !== undefined && slot !== undefined) state.entries.push({ key: slot.key, metric: metric.name, outcome: fresh })
        return Effect.void
      })
    }

    /**
     * A finished case reaches every sink exactly once: the bookkeeping runs uninterruptibly (only the emit to a
     * slow stream consumer may be interrupted). Built from flat combinators: it runs once per case.
     */
    const finalizeCase = (state: CaseState, clock: Clock.Clock): Effect.Effect<void, EvalError, RE> =>
      Effect.uninterruptibleMask((restore) => {
        const result = toCaseResult(state, clock.unsafeCurrentTimeMillis())
        if (result.errored) {
          erroredCases++
          lastError = result.metrics.find((m) => m.error !== null)?.error ?? ""
          if (budget !== undefined && erroredCases > budget) {
            return Effect.fail(new ErrorBudgetExceeded({ errored: erroredCases, budget, lastError }))
          }
        }
        let sinks: Effect.Effect<void, EvalError, RE> = Effect.suspend(() => {
          summary.add(result)
          inFlight.delete(state.index)
          if (finishedFlags !== undefined) finishedFlags[state.index] = 1
          return restore(emit(result))
        })
        if (options.onResult !== undefined) sinks = Effect.zipRight(options.onResult(result), sinks)
        if (cacheApi !== undefined && state.entries.length > 0) {
          const write = cacheApi.store(state.entries).pipe(
            Effect.catchAll((e) => Effect.logWarning(`cache write failed: ${e.message}`))
          )
          sinks = Effect.zipRight(write, sinks)
        }
        return Effect.zipRight(sinks, Effect.suspend(() => --open === 0 && producerDone ? Deferred.succeed(allFinished, undefined) : Effect.void))
      })

    /** Measure the inline metrics of a case one after another, starting at position `from` of `order`. */
    const measureInline = (state: CaseState, order: ReadonlyArray<number>, from: number, clock: Clock.Clock): Effect.Effect<void, EvalError, R> => {
      for (let k = from; k < order.length; k++) {
        const metricIndex = order[k]!
        if (metrics[metricIndex]!.inline) {
          return Effect.flatMap(measureInto(state, metricIndex, clock), () => measureInline(state, order, k + 1, clock))
        }
      }
      return Effect.void
    }

    /**
     * Everything a case worker does with one case: check requirements, hand I/O metrics to the metric pool,
     * measure inline metrics, wait for the I/O ones, finalize. Plain combinators: it runs once per case.
     */
    const runCase = ({ index, testCase }: PendingCase, clock: Clock.Clock): Effect.Effect<void, EvalError, R | RE> => {
      const start = Effect.suspend(() => {
        const state = newCaseState(
          index,
          testCase,
          metrics.length,
          clock.unsafeCurrentTimeMillis(),
          cacheApi !== undefined ? caseFingerprint(testCase) : undefined
        )
        inFlight.set(index, state)
        const runnable: Array<number> = []
        for (let i = 0; i < metrics.length; i++) {
          const unmet = unmetRequirement(metrics[i]!, testCase)
          if (unmet === undefined) runnable.push(i)
          else if (opts.skipOnMissingParams) state.results[i] = skippedResult(metrics[i]!, unmet)
          else {
            const result = erroredResult(metrics[i]!, unmet, 0)
            if (!tolerate) return Effect.fail(metricFailed(state, result))
            state.results[i] = result
          }
        }
        const io = ioMetrics.length === 0 ? [] : runnable.filter((i) => !metrics[i]!.inline)
        const inline = measureInline(state, runnable, 0, clock)
        if (io.length === 0) return Effect.zipRight(inline, finalizeCase(state, clock))
        state.remaining = io.length
        return Effect.flatMap(Deferred.make<void>(), (done) =>
          Effect.forEach(io, (metricIndex) => Queue.offer(jobs, { state, metricIndex, done }), { discard: true }).pipe(
            Effect.zipRight(inline),
            Effect.zipRight(Deferred.await(done)),
            Effect.zipRight(finalizeCase(state, clock))
          ))
      })
      const announced = options.onCaseStart === undefined ? start : Effect.zipRight(options.onCaseStart(index), start)
      return throttle === undefined ? announced : Effect.zipRight(throttle(Effect.void), announced)
    }

    const runMetricJob = ({ done, metricIndex, state }: MetricJob, clock: Clock.Clock) =>
      Effect.flatMap(
        measureInto(state, metricIndex, clock),
        () => (--state.remaining === 0 ? Deferred.succeed(done, undefined) : Effect.void)
      )

    const producer = forEachCase(source, (testCase, index) => {
      if (options.skipIndex?.(index) === true) return Effect.void
      admitted++
      open++
      return Queue.offer(cases, { testCase, index })
    }).pipe(
      Effect.zipRight(Effect.suspend(() => {
        producerDone = true
        return open === 0 ? Deferred.succeed(allFinished, undefined) : Effect.void
      }))
    )

    const worker = <A>(queue: Queue.Dequeue<A>, run: (item: A, clock: Clock.Clock) => Effect.Effect<unknown, EvalError, R | RE>) =>
      Effect.clockWith((clock) => Effect.forever(Effect.flatMap(Queue.take(queue), (item) => run(item, clock))))
    for (let w = 0; w < opts.concurrency; w++) yield* FiberSet.run(group, worker(cases, runCase))
    for (let w = 0; w < opts.concurrency * ioMetrics.length; w++) yield* FiberSet.run(group, worker(jobs, runMetricJob))
    yield* FiberSet.run(group, producer)

    const finished = Effect.as(Deferred.await(allFinished), "completed" as const)
    const failed = Effect.zipRight(FiberSet.join(group), Effect.never)
    const deadline = options.deadline === undefined
      ? Effect.never
      : Effect.as(Effect.sleep(options.deadline), "deadline" as const)
    const status = yield* Effect.raceFirst(Effect.raceFirst(finished, failed), deadline)
    yield* FiberSet.clear(group)

    if (budget === undefined && options.maxErrors !== undefined && options.maxErrors < 1 && admitted > 0) {
      const streamBudget = Math.floor(options.maxErrors * admitted)
      if (erroredCases > streamBudget) {
        return yield* new ErrorBudgetExceeded({ errored: erroredCases, budget: streamBudget, lastError })
      }
    }
    const unfinished: Array<UnfinishedCase> = []
    if (status === "deadline") {
      if (finishedFlags !== undefined) {
        const all = source as ReadonlyArray<TestCase>
        for (let i = 0; i < finishedFlags.length; i++) {
          if (finishedFlags[i] === 0 && options.skipIndex?.(i) !== true) unfinished.push({ index: i, name: all[i]!.name ?? null })
        }
      } else {
        for (const state of inFlight.values()) unfinished.push({ index: state.index, name: state.testCase.name ?? null })
        unfinished.sort((a, b) => a.index - b.index)
      }
    }
    return { status, summary: summary.summary((yield* Clock.currentTimeMillis) - runStarted), unfinished }
  }).pipe(Effect.scoped)
