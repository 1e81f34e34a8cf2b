/**
 * The engine's core: source → bounded job Queue → a fixed set of worker fibers in a FiberSet → result sinks.
 *
 * Work is one flat pool of (case, metric) jobs. The producer admits at most `concurrency` cases at once
 * (a Semaphore), spaced by `throttle`, and offers each admitted case's metric jobs to a bounded Queue
 * (back-pressure). `concurrency × metrics` workers loop on `Queue.take`, so the metrics of an admitted case
 * run concurrently without a nested `forEach` per case (that pattern costs ~20× more per element in
 * Effect 3 — see `../shared/effect-notes.md`). The last job of a case finalizes it: the cache is written,
 * `onResult` and `emit` see the result, and the case's permit is released.
 *
 * Everything lives in the run's Scope: a failing worker fails the FiberSet (fail-fast), and closing the scope
 * — on completion, failure, deadline or the caller's interruption — interrupts every fiber the run started.
 *
 * @example
 * ```ts
 * const run = yield* runPool(cases, metrics, options, (result) => Effect.sync(() => results.push(result)))
 * ```
 */
import { Clock, Deferred, Duration, Effect, FiberSet, Option, Queue } from "effect"
import { EvalCache } from "../cache/eval-cache.js"
import { caseFingerprint, metricCacheKey } from "../cache/cache-key.js"
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

interface Job {
  readonly state: CaseState
  readonly metricIndex: number
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
    const cache = yield* Effect.serviceOption(EvalCache)
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
    const throttle = options.throttle === undefined ? undefined : Duration.decode(options.throttle)
    const runStarted = yield* Clock.currentTimeMillis

    const summary = SummaryAccumulator.empty()
    const inFlight = new Map<number, CaseState>()
    const finishedFlags = total === undefined ? undefined : new Uint8Array(total)
    const workerCount = opts.concurrency * Math.max(1, metrics.length)
    const jobs = yield* Queue.bounded<Job>(workerCount)
    const admission = yield* Effect.makeSemaphore(opts.concurrency)
    const allFinished = yield* Deferred.make<void>()
    const group = yield* FiberSet.make<void, EvalError | E>()
    let open = 0
    let admitted = 0
    let erroredCases = 0
    let producerDone = false
    let lastError = ""

    const finalizeCase = (state: CaseState) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const result = toCaseResult(state, yield* Clock.currentTimeMillis)
          if (result.errored) {
            erroredCases++
            lastError = result.metrics.find((m) => m.error !== null)?.error ?? ""
            if (budget !== undefined && erroredCases > budget) {
              return yield* new ErrorBudgetExceeded({ errored: erroredCases, budget, lastError })
            }
          }
          if (Option.isSome(cache) && state.entries.length > 0) {
            yield* cache.value.store(state.entries).pipe(
              Effect.catchAll((e) => Effect.logWarning(`cache write failed: ${e.message}`))
            )
          }
          if (options.onResult !== undefined) yield* options.onResult(result)
          summary.add(result)
          inFlight.delete(state.index)
          if (finishedFlags !== undefined) finishedFlags[state.index] = 1
          yield* restore(emit(result))
          yield* admission.release(1)
          open--
          if (producerDone && open === 0) yield* Deferred.succeed(allFinished, undefined)
        })
      )

    const record = (state: CaseState, metricIndex: number, result: MetricResult) =>
      Effect.gen(function*() {
        if (result.error !== null && !tolerate) {
          return yield* new MetricFailed({
            caseIndex: state.index,
            caseName: state.testCase.name ?? null,
            metric: result.name,
            reason: result.error
          })
        }
        state.results[metricIndex] = result
      })

    const runJob = ({ metricIndex, state }: Job) =>
      Effect.gen(function*() {
        const metric = metrics[metricIndex]!
        const cacheSlot = Option.map(cache, (api) => ({
          api,
          key: metricCacheKey(state.fingerprint!, metric, opts.hyperparameters)
        }))
        const { fresh, result } = yield* measureOne(metric, state.testCase, settings, cacheSlot)
        yield* record(state, metricIndex, result)
        if (fresh !== undefined && Option.isSome(cacheSlot)) {
          state.entries.push({ key: cacheSlot.value.key, metric: metric.name, outcome: fresh })
        }
        if (--state.remaining === 0) yield* finalizeCase(state)
      })

    const admit = (testCase: TestCase, index: number) =>
      Effect.gen(function*() {
        if (options.skipIndex?.(index) === true) return
        if (throttle !== undefined && admitted > 0) yield* Effect.sleep(throttle)
        yield* admission.take(1)
        admitted++
        open++
        if (options.onCaseStart !== undefined) yield* options.onCaseStart(index)
        const state = newCaseState(
          index,
          testCase,
          metrics.length,
          yield* Clock.currentTimeMillis,
          Option.isSome(cache) ? caseFingerprint(testCase) : undefined
        )
        inFlight.set(index, state)
        const runnable: Array<number> = []
        for (let i = 0; i < metrics.length; i++) {
          const unmet = unmetRequirement(metrics[i]!, testCase)
          if (unmet === undefined) runnable.push(i)
          else if (opts.skipOnMissingParams) state.results[i] = skippedResult(metrics[i]!, unmet)
          else yield* record(state, i, erroredResult(metrics[i]!, unmet, 0))
        }
        state.remaining = runnable.length
        if (runnable.length === 0) return yield* finalizeCase(state)
        for (const metricIndex of runnable) yield* Queue.offer(jobs, { state, metricIndex })
      })

    const producer = forEachCase(source, admit).pipe(
      Effect.zipRight(Effect.suspend(() => {
        producerDone = true
        return open === 0 ? Deferred.succeed(allFinished, undefined) : Effect.void
      }))
    )

    for (let w = 0; w < workerCount; w++) {
      yield* FiberSet.run(group, Effect.forever(Effect.flatMap(Queue.take(jobs), runJob)))
    }
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
        const cases = source as ReadonlyArray<TestCase>
        for (let i = 0; i < finishedFlags.length; i++) {
          if (finishedFlags[i] === 0 && options.skipIndex?.(i) !== true) unfinished.push({ index: i, name: cases[i]!.name ?? null })
        }
      } else {
        for (const state of inFlight.values()) unfinished.push({ index: state.index, name: state.testCase.name ?? null })
        unfinished.sort((a, b) => a.index - b.index)
      }
    }
    return { status, summary: summary.summary((yield* Clock.currentTimeMillis) - runStarted), unfinished }
  }).pipe(Effect.scoped)
