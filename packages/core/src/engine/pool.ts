/**
 * The engine's core, a pipeline of fibers in one FiberSet in the run's Scope:
 *
 *   source → (cache lookup, a slice at a time) → bounded case Mailbox → `concurrency` case workers
 *          (+ a flat pool of metric workers for metrics that wait on I/O) → finished Mailbox → sink fiber
 *          (cache write, `onResults`, `onResult`, summary, `emit`)
 *
 * - The producer reads the source in order, looks up a slice of cases in the cache with one `lookupMany`,
 *   and offers the cases to a bounded Mailbox (back-pressure: a huge dataset is never loaded ahead).
 * - Up to `concurrency` case workers loop on its `take`, so at most `concurrency` cases are measured at once;
 *   they start as cases are offered (never more workers than cases).
 *   `throttle` spaces case starts with a RateLimiter. A worker serves cached metrics from the looked-up
 *   outcomes, offers the case's I/O metrics (judges) to the metric Mailbox, measures its inline (CPU-only)
 *   metrics itself meanwhile — or, with none, the first I/O metric — waits for the pooled ones, then hands
 *   the case to the sink. `concurrency × pooled I/O metrics per case` metric workers serve the metric Mailbox
 *   — one flat pool, never a concurrent `forEach` per case (far dearer per element in Effect 3; see
 *   docs/performance.md, "Design choices").
 * - The sink fiber (`sink.ts`) delivers finished cases in batches: it writes the batch's fresh outcomes to
 *   the cache in one `store` (one transaction), hands the batch to `onResults` (the run store: one
 *   transaction), then gives each result to `onResult`, the summary and `emit`. A result is delivered only
 *   once its cache rows (and run-store rows) are durable, so a crash loses only cases not yet delivered.
 *   Woken by a lone case (one judge reply), it first lets the I/O callbacks already due run; with a cache,
 *   while cases keep arriving it yields to let the batch grow (no timer: batches are large exactly when the
 *   run is fast, and a slow run's results are delivered at once). The pool and the sink share a `RunLedger`.
 *
 * With a `task` and `repeat` k > 1, a case worker runs k epochs of the case one after another — task, then
 * metrics — and reduces them into one result (`epochs.ts`); runs with k > 1 bypass the metric cache.
 * With a `task`, a case worker first runs the task on the case (`task.ts`), then looks the produced case up in
 * the cache on its own (the producer cannot: the case's content, hence its key, comes from the task), then
 * measures it as above; a failed task makes the case errored without measuring it, or fails the run.
 *
 * A failing fiber fails the FiberSet (fail-fast); closing the scope — on completion, failure, deadline or
 * the caller's interruption — interrupts every fiber the run started. Finished cases still waiting for the
 * sink are delivered at a deadline, and handed to the cache and `onResult` on interruption.
 *
 * @example
 * ```ts
 * const run = yield* runPool(cases, metrics, options, (result) => Effect.sync(() => results.push(result)))
 * ```
 */
import { Clock, Deferred, Duration, Effect, FiberSet, Mailbox, Option, RateLimiter } from "effect"
import type { NoSuchElementException } from "effect/Cause"
import { type CachedOutcomes, EvalCache, type EvalCacheApi, type NamedTag } from "../cache/eval-cache.js"
import { caseCacheKey, hyperparameterSuffix, metricCacheTag } from "../cache/cache-key.js"
import type { Metric } from "../metric/metric.js"
import { currentRepetition } from "../metric/repetition.js"
import type { TestCase } from "../model/test-case.js"
import type { CaseResult, MetricResult, RunSummary, UnfinishedCase } from "../result/run-result.js"
import { SummaryAccumulator } from "../result/summary.js"
import { type CaseState, newCaseState } from "./case-state.js"
import { ErrorBudgetExceeded, type EvalError, MetricFailed, TaskFailed } from "./errors.js"
import { cachedResult, erroredResult, measureOne, skippedResult, toCachedOutcome, unmetRequirement } from "./measure.js"
import { type EvalOptions, resolveOptions } from "./options.js"
import { repeatForever } from "./scheduling.js"
import { completeIfAllDelivered, makeSink, type RunLedger, SINK_BATCH } from "./sink.js"
import { type CaseSource, forEachSlice, knownSize } from "./source.js"
import { runTask } from "./task.js"
import { runEpochs } from "./epochs.js"
import { CurrentCase } from "./current-case.js"
import { CostBudget, type CostBudgetApi, makeCostBudget } from "./cost-budget.js"
import { traced } from "./tracing.js"

/** `work` with {@link CurrentCase} set to the state's case and its epoch (0 unless the run repeats its task). */
const inCase = <A, E, R>(state: CaseState, work: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(work, CurrentCase, Option.some({ index: state.index, name: state.testCase.name, repetition: state.epoch ?? 0 }))

/** Scheduler turns given to case workers whose last call has settled, to hand their case to the sink. */
const SETTLE_TURNS = 16

/**
 * Completes with "budget" once the run's cost budget has stopped and its calls in flight have settled, then
 * lets the workers those replies woke finish their cases (they need a few scheduler turns, no time).
 */
const budgetSpent = (budget: CostBudgetApi | undefined): Effect.Effect<"budget"> =>
  budget === undefined
    ? Effect.never
    : budget.settled.pipe(Effect.zipRight(Effect.repeatN(Effect.yieldNow(), SETTLE_TURNS)), Effect.as("budget" as const))

/** How a pool run ended. */
export interface PoolRun {
  readonly status: "completed" | "deadline" | "budget"
  readonly summary: RunSummary
  readonly unfinished: ReadonlyArray<UnfinishedCase>
}

interface PendingCase {
  readonly testCase: TestCase
  readonly index: number
  readonly cacheKey: string | undefined
  /** Filled by the producer's cache lookup. */
  cached: CachedOutcomes | undefined
}

interface MetricJob {
  readonly state: CaseState
  readonly metricIndex: number
  readonly done: Deferred.Deferred<void>
}

/** Cases read from the source (and looked up in the cache) per slice. */
const SLICE = 256

/**
 * Run the pool; see the module doc. `emit` receives each case result in completion order.
 *
 * @example
 * ```ts
 * runPool(Stream.fromIterable(cases), [exactMatch()], { concurrency: 8 }, (r) => Console.log(r.index))
 * ```
 */
export const runPool = <R, E, RS, RE, RT = never>(
  source: CaseSource<E, RS>,
  metrics: ReadonlyArray<Metric<R>>,
  options: EvalOptions<RT>,
  emit: (result: CaseResult) => Effect.Effect<void, never, RE>
): Effect.Effect<PoolRun, EvalError | E, R | RS | RE | RT> =>
  options.maxCost === undefined
    ? runPoolWith(source, metrics, options, emit)
    // `maxCost` gives the run a budget of its own unless the caller provided one.
    : Effect.flatMap(Effect.serviceOption(CostBudget), (given) =>
      Option.isSome(given)
        ? runPoolWith(source, metrics, options, emit)
        : Effect.flatMap(makeCostBudget(options.maxCost!), (budget) => Effect.provideService(runPoolWith(source, metrics, options, emit), CostBudget, budget)))

const runPoolWith = <R, E, RS, RE, RT = never>(
  source: CaseSource<E, RS>,
  metrics: ReadonlyArray<Metric<R>>,
  options: EvalOptions<RT>,
  emit: (result: CaseResult) => Effect.Effect<void, never, RE>
): Effect.Effect<PoolRun, EvalError | E, R | RS | RE | RT> =>
  Effect.gen(function*() {
    const opts = resolveOptions(options)
    const task = options.task
    // Epochs are fresh samples: a reduced score is no score of the case's content, so they bypass the cache.
    const cacheApi = opts.repeat > 1 ? undefined : Option.getOrUndefined(yield* Effect.serviceOption(EvalCache))
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
    // An epoch of a case with a task measures each metric once (`epochs.ts` reduces across epochs).
    const perEpoch = { ...settings, repeat: 1 }
    const throttle = options.throttle === undefined
      ? undefined
      : yield* RateLimiter.make({ limit: 1, interval: options.throttle, algorithm: "fixed-window" })
    const ioMetrics = metrics.flatMap((m, i) => (m.inline ? [] : [i]))
    const hyperSuffix = cacheApi === undefined ? "" : hyperparameterSuffix(opts.hyperparameters)
    const tags: ReadonlyArray<NamedTag> = cacheApi === undefined ? [] : metrics.map((m) => ({ tag: metricCacheTag(m), name: m.name }))
    const wantedTags = tags.map((t) => t.tag)
    const runStarted = yield* Clock.currentTimeMillis

    // A Mailbox, not a Queue: the run ends by interrupting the workers waiting on `take`, and a Queue removes
    // each interrupted taker by rebuilding its list of takers (O(n²) for n workers); a Mailbox keeps its
    // takers in a Set.
    const cases = yield* Mailbox.make<PendingCase>({ capacity: opts.concurrency, strategy: "suspend" })
    // A case's worker measures one of its I/O metrics itself unless it has inline metrics to measure.
    const pooledPerCase = metrics.some((m) => m.inline) ? ioMetrics.length : Math.max(0, ioMetrics.length - 1)
    // A Mailbox for the same reason as `finished` below: idle metric workers wait on it for every job.
    const jobs = yield* Mailbox.make<MetricJob>({ capacity: Math.max(1, opts.concurrency * pooledPerCase), strategy: "suspend" })
    // A Mailbox rather than a Queue: the sink, woken by almost every finished case of a run that waits on I/O,
    // waits on a callback there, where a Queue's take allocates a Deferred per wake-up.
    const finished = yield* Mailbox.make<CaseState>({ capacity: Math.max(SINK_BATCH, opts.concurrency), strategy: "suspend" })
    const group = yield* FiberSet.make<void, EvalError | E>()
    const ledger: RunLedger = {
      open: 0,
      producerDone: false,
      erroredCases: 0,
      lastError: "",
      summary: SummaryAccumulator.empty(),
      inFlight: new Map<number, CaseState>(),
      finishedFlags: total === undefined ? undefined : new Uint8Array(total),
      allFinished: yield* Deferred.make<void>()
    }
    const { allFinished, finishedFlags, inFlight, summary } = ledger
    let admitted = 0

    const metricFailed = (state: CaseState, result: MetricResult) =>
      new MetricFailed({ caseIndex: state.index, caseName: state.testCase.name ?? null, metric: result.name, reason: result.error ?? "" })

    /** Measure metric `i` of a case and record it; the hot path, so plain flatMaps and a synchronous clock. */
    const measureInto = (state: CaseState, metricIndex: number, clock: Clock.Clock): Effect.Effect<void, EvalError, R> =>
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

    const { drain, sink } = makeSink({ finished, cache: cacheApi, tags, budget, options, emit, ledger })

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

    /** Hand a case to the sink. */
    const finish = (state: CaseState, clock: Clock.Clock) =>
      Effect.suspend(() => {
        state.finishedAt = clock.unsafeCurrentTimeMillis()
        return finished.offer(state)
      })

    /**
     * Everything a case worker does with a case once it is produced: check requirements, serve cached metrics,
     * hand I/O metrics to the metric pool, measure inline metrics, wait for the I/O ones. Plain combinators:
     * it runs once per case (per epoch with a task and `repeat`).
     */
    const measureMetrics = (state: CaseState, cached: CachedOutcomes | undefined, clock: Clock.Clock): Effect.Effect<void, EvalError, R> =>
      Effect.suspend(() => {
        const testCase = state.testCase
        const runnable: Array<number> = []
        for (let i = 0; i < metrics.length; i++) {
          const unmet = unmetRequirement(metrics[i]!, testCase)
          const hit = unmet === undefined && cached !== undefined ? cached[tags[i]!.tag] : undefined
          if (hit !== undefined) state.results[i] = cachedResult(metrics[i]!, hit)
          else if (unmet === undefined) runnable.push(i)
          else if (opts.skipOnMissingParams) state.results[i] = skippedResult(metrics[i]!, unmet)
          else {
            const result = erroredResult(metrics[i]!, unmet, 0)
            if (!tolerate) return Effect.fail(metricFailed(state, result))
            state.results[i] = result
          }
        }
        const io = ioMetrics.length === 0 ? [] : runnable.filter((i) => !metrics[i]!.inline)
        const inline = measureInline(state, runnable, 0, clock)
        if (io.length === 0) return inline
        // Without inline metrics to measure meanwhile, the worker measures the first I/O metric itself while
        // the pool runs the others: a case with one judge metric takes no queue hop.
        const selfMeasured = io.length === runnable.length
        const own = selfMeasured ? measureInto(state, io[0]!, clock) : inline
        if (selfMeasured && io.length === 1) return own
        const pooled = selfMeasured ? io.slice(1) : io
        state.remaining = pooled.length
        return Effect.flatMap(Deferred.make<void>(), (ioDone) =>
          Effect.forEach(pooled, (metricIndex) => jobs.offer({ state, metricIndex, done: ioDone }), { discard: true }).pipe(
            Effect.zipRight(own),
            Effect.zipRight(Deferred.await(ioDone))
          ))
      })

    /** Measure a case, then hand it to the sink. */
    const measureCase = (state: CaseState, cached: CachedOutcomes | undefined, clock: Clock.Clock): Effect.Effect<void, EvalError, R> =>
      Effect.zipRight(measureMetrics(state, cached, clock), finish(state, clock))

    /** The cached outcomes of a case its task produced: one lookup of its own (a failure only costs the caching). */
    const lookUpProduced = (state: CaseState, cache: EvalCacheApi): Effect.Effect<CachedOutcomes | undefined> => {
      const key = caseCacheKey(state.testCase, hyperSuffix)
      state.cacheKey = key
      return cache.lookupMany([key], wantedTags).pipe(
        Effect.map((found) => found[0]),
        Effect.catchAll((e) => Effect.as(Effect.logWarning(`cache lookup failed: ${e.message}`), undefined))
      )
    }

    /**
     * Run the task on a case (or one epoch of it), then measure what it produced — without handing it to the
     * sink; a failed task errors the case (or fails the run).
     */
    const produceAndMeasure = (state: CaseState, clock: Clock.Clock, produce: NonNullable<typeof task>): Effect.Effect<void, EvalError, R | RT> =>
      Effect.flatMap(runTask(produce, state, settings.timeout), (produced) => {
        if (produced) {
          return cacheApi === undefined
            ? measureMetrics(state, undefined, clock)
            : Effect.flatMap(lookUpProduced(state, cacheApi), (cached) => measureMetrics(state, cached, clock))
        }
        if (tolerate) return Effect.void
        return Effect.fail(new TaskFailed({ caseIndex: state.index, caseName: state.testCase.name ?? null, reason: state.taskError ?? "" }))
      })

    /** A case with a task: one run of it, or `repeat` epochs reduced into one result (`epochs.ts`). */
    const runTaskCase = (state: CaseState, clock: Clock.Clock, produce: NonNullable<typeof task>): Effect.Effect<void, EvalError, R | RT> =>
      Effect.zipRight(
        opts.repeat === 1
          ? produceAndMeasure(state, clock, produce)
          : runEpochs(state, opts.repeat, opts.repeatReducer, metrics, (epoch) => inCase(epoch, produceAndMeasure(epoch, clock, produce))),
        finish(state, clock)
      )

    /** A case worker's whole job for one case: the task when there is one, then the measuring. */
    const runCase = ({ cacheKey, cached, index, testCase }: PendingCase, clock: Clock.Clock): Effect.Effect<void, EvalError, R | RE | RT> => {
      const start = Effect.suspend(() => {
        const state = newCaseState(index, testCase, metrics.length, clock.unsafeCurrentTimeMillis(), cacheKey)
        inFlight.set(index, state)
        return inCase(state, task === undefined ? measureCase(state, cached, clock) : runTaskCase(state, clock, task)).pipe(
          traced("assay.case", { attributes: { "assay.case.index": index } })
        )
      })
      const announced = options.onCaseStart === undefined ? start : Effect.zipRight(options.onCaseStart(index), start)
      return throttle === undefined ? announced : Effect.zipRight(throttle(Effect.void), announced)
    }

    const runMetricJob = ({ done, metricIndex, state }: MetricJob, clock: Clock.Clock) =>
      Effect.flatMap(
        inCase(state, measureInto(state, metricIndex, clock)),
        () => (--state.remaining === 0 ? Deferred.succeed(done, undefined) : Effect.void)
      )

    /** Look a slice of cases up in the cache with one round trip (a failure only costs the caching). */
    const lookUp = (pending: ReadonlyArray<PendingCase>): Effect.Effect<void> =>
      cacheApi === undefined || pending.length === 0
        ? Effect.void
        : cacheApi.lookupMany(pending.map((p) => p.cacheKey!), wantedTags).pipe(
          Effect.map((found) => {
            for (let j = 0; j < pending.length; j++) pending[j]!.cached = found[j]
          }),
          Effect.catchAll((e) => Effect.logWarning(`cache lookup failed: ${e.message}`))
        )

    /** Every metric of the case is cached (and applies to it): nothing to measure. */
    const servedByCache = ({ cached, testCase }: PendingCase): boolean => {
      if (cached === undefined) return false
      for (let i = 0; i < metrics.length; i++) {
        if (cached[tags[i]!.tag] === undefined || unmetRequirement(metrics[i]!, testCase) !== undefined) return false
      }
      return true
    }
    /**
     * A fully cached case skips the case queue and the workers (and the throttle, which paces calls it does
     * not make): the producer hands it straight to the sink.
     */
    const deliverCached = ({ cacheKey, cached, index, testCase }: PendingCase): Effect.Effect<void> =>
      Effect.clockWith((clock) => {
        const state = newCaseState(index, testCase, metrics.length, clock.unsafeCurrentTimeMillis(), cacheKey)
        for (let i = 0; i < metrics.length; i++) state.results[i] = cachedResult(metrics[i]!, cached![tags[i]!.tag]!)
        const offer = finished.offer(state)
        return options.onCaseStart === undefined ? offer : Effect.zipRight(options.onCaseStart(index), offer)
      })

    /**
     * Start workers as cases arrive, up to `concurrency` case workers (and their metric workers): a run of 36
     * cases at `--concurrency 10000` starts 36 fibers, not 10,000, whether or not the source's size is known.
     */
    let offered = 0
    let caseWorkers = 0
    const staff = (more: number): Effect.Effect<void, never, R | RE | RT> =>
      Effect.suspend(() => {
        offered += more
        const wanted = Math.min(opts.concurrency, offered)
        const starting = wanted - caseWorkers
        if (starting <= 0) return Effect.void
        caseWorkers = wanted
        const start = (n: number, run: Effect.Effect<void, EvalError | E, R | RE | RT>) =>
          Effect.forEach(Array.from({ length: n }), () => FiberSet.run(group, run), { discard: true })
        return Effect.zipRight(
          start(starting, worker(cases.take, runCase)),
          start(starting * pooledPerCase, worker(jobs.take, runMetricJob))
        )
      })

    const begin = cacheApi === undefined
      ? Effect.void
      : Effect.catchAll(cacheApi.beginRun, (e) => Effect.logWarning(`cache unavailable for this run's lookups: ${e.message}`))
    const producer = Effect.zipRight(begin, forEachSlice(source, SLICE, (slice, firstIndex) => {
      const pending: Array<PendingCase> = []
      for (let j = 0; j < slice.length; j++) {
        const index = firstIndex + j
        if (options.skipIndex?.(index) === true) continue
        const testCase = slice[j]!
        admitted++
        ledger.open++
        // With a task the case is keyed (and looked up) once the task has produced it.
        const cacheKey = cacheApi === undefined || task !== undefined ? undefined : caseCacheKey(testCase, hyperSuffix)
        pending.push({ testCase, index, cacheKey, cached: undefined })
      }
      return Effect.zipRight(
        task === undefined ? lookUp(pending) : Effect.void,
        Effect.suspend(() => {
          const toMeasure: Array<PendingCase> = []
          const cachedOnes: Array<PendingCase> = []
          for (const p of pending) (servedByCache(p) ? cachedOnes : toMeasure).push(p)
          // One `offerAll` per slice: while the queue is full the producer waits once per slice, not once per
          // case (each wait allocates a Deferred — a measurable share of the per-case cost of I/O runs).
          const measured = toMeasure.length === 0 ? Effect.void : Effect.zipRight(staff(toMeasure.length), cases.offerAll(toMeasure))
          return cachedOnes.length === 0 ? measured : Effect.zipRight(Effect.forEach(cachedOnes, deliverCached, { discard: true }), measured)
        })
      )
    })).pipe(
      Effect.zipRight(Effect.suspend(() => {
        ledger.producerDone = true
        return completeIfAllDelivered(ledger)
      }))
    )

    /**
     * A worker: take an item, run it, forever. `take` fails only on a done Mailbox, and these are never ended:
     * that failure becomes a defect once, around the whole loop, rather than through an `orDie` per take.
     */
    const worker = <A>(
      take: Effect.Effect<A, NoSuchElementException>,
      run: (item: A, clock: Clock.Clock) => Effect.Effect<unknown, EvalError, R | RE | RT>
    ) =>
      Effect.clockWith((clock) => repeatForever(Effect.flatMap(take, (item) => run(item, clock)))).pipe(
        Effect.catchTag("NoSuchElementException", Effect.die)
      )
    yield* FiberSet.run(group, sink)
    yield* FiberSet.run(group, producer)

    const completed = Effect.as(Deferred.await(allFinished), "completed" as const)
    const failed = Effect.zipRight(FiberSet.join(group), Effect.never)
    const deadline = options.deadline === undefined
      ? Effect.never
      : Effect.as(Effect.sleep(options.deadline), "deadline" as const)
    const costBudget = Option.getOrUndefined(yield* Effect.serviceOption(CostBudget))
    const status = yield* Effect.raceFirst(Effect.raceFirst(completed, failed), Effect.raceFirst(deadline, budgetSpent(costBudget))).pipe(
      // Interrupted by the caller: stop every fiber, then hand the finished cases to the cache and onResult.
      Effect.onInterrupt(() => Effect.ignore(Effect.zipRight(FiberSet.clear(group), drain(false))))
    )
    yield* FiberSet.clear(group)
    if (status !== "completed") yield* drain(true)

    if (budget === undefined && options.maxErrors !== undefined && options.maxErrors < 1 && admitted > 0) {
      const streamBudget = Math.floor(options.maxErrors * admitted)
      if (ledger.erroredCases > streamBudget) {
        return yield* new ErrorBudgetExceeded({ errored: ledger.erroredCases, budget: streamBudget, lastError: ledger.lastError })
      }
    }
    const unfinished: Array<UnfinishedCase> = []
    if (status !== "completed") {
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
