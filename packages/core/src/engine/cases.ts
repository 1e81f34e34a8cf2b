/**
 * Stage 3, `cases`: the bounded case queue and the case workers. Up to `concurrency` workers loop on the
 * queue's `take`, so at most that many cases are in flight; they start as cases are admitted (36 cases at a
 * concurrency of 10,000 start 36 workers). A worker runs the case's task when the run has one (`task.ts`;
 * `repeat` epochs of it, `epochs.ts`), measures its metrics (`case-metrics.ts`) and hands the case to
 * delivery. A fully cached case skips the queue, the workers and the throttle (which paces calls it does not
 * make): it goes straight to delivery.
 *
 * @example
 * ```ts
 * const cases = yield* makeCases(plan, lookup, delivery.finished, group)
 * yield* cases.admit(pendingSlice)
 * ```
 */
import { type Clock, Effect, FiberSet, Mailbox, Option, RateLimiter, type Scope } from "effect"
import type { NoSuchElementException } from "effect/Cause"
import type { CachedOutcomes } from "../cache/eval-cache.js"
import { type CaseMeasurer, inCase, makeCaseMeasurer } from "./case-metrics.js"
import { type CaseState, newCaseState } from "./case-state.js"
import { CurrentCase } from "./current-case.js"
import { runEpochs } from "./epochs.js"
import { type EvalError, TaskFailed } from "./errors.js"
import { caseToMeasure, type Lookup, type PendingCase } from "./lookup.js"
import { cachedResult } from "./measure.js"
import type { Task } from "./options.js"
import type { RunPlan } from "./plan.js"
import { repeatForever } from "./scheduling.js"
import { runTask } from "./task.js"
import { keptFor, noteFresh } from "./task-outputs.js"
import { traced } from "./tracing.js"

/** The case stage of one run. */
export interface Cases<R> {
  /** Hand a slice of looked-up cases on: to the workers (started as needed), or to delivery when cached. */
  readonly admit: (pending: ReadonlyArray<PendingCase>) => Effect.Effect<void, never, R>
  /** Cases a worker started and has not finished, by input index. */
  readonly inFlight: ReadonlyMap<number, CaseState>
}

type Step<RX> = (state: CaseState, clock: Clock.Clock) => Effect.Effect<void, EvalError, RX>

/**
 * The case stage of a run planned by `plan`; its workers run in `group`, finished cases go to `finished`.
 *
 * @example
 * ```ts
 * const cases = yield* makeCases(plan, lookup, delivery.finished, group)
 * ```
 */
export const makeCases = <R, RT, E>(
  plan: RunPlan<R, RT>,
  lookup: Lookup,
  finished: Mailbox.Mailbox<CaseState>,
  group: FiberSet.FiberSet<void, EvalError | E>
): Effect.Effect<Cases<R | RT>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { metrics, options, resolved } = plan
    // A Mailbox, not a Queue: the run ends by interrupting the workers waiting on `take`, and a Queue removes
    // each interrupted taker by rebuilding its list of takers (quadratic in the workers); a Mailbox keeps a Set.
    const queue = yield* Mailbox.make<PendingCase>({ capacity: resolved.concurrency, strategy: "suspend" })
    const throttle = options.throttle === undefined
      ? undefined
      : yield* RateLimiter.make({ limit: 1, interval: options.throttle, algorithm: "fixed-window" })
    const measurer = yield* makeCaseMeasurer(plan)
    const inFlight = new Map<number, CaseState>()
    const finish = (state: CaseState, clock: Clock.Clock) =>
      Effect.suspend(() => {
        state.finishedAt = clock.unsafeCurrentTimeMillis()
        inFlight.delete(state.index)
        return finished.offer(state)
      })
    const work = caseWork(plan, lookup, measurer, finish)
    const runCase = ({ cacheKey, cached, index, task, testCase }: PendingCase, clock: Clock.Clock): Effect.Effect<void, EvalError, R | RT> => {
      const start = Effect.suspend(() => {
        const state = newCaseState(index, testCase, metrics.length, clock.unsafeCurrentTimeMillis(), cacheKey)
        state.task = task
        inFlight.set(index, state)
        const measured = inCase(state, work(state, cached, clock))
        return plan.settings.spans ? measured.pipe(traced("assay.case", { attributes: { "assay.case.index": index } })) : measured
      })
      const announced = options.onCaseStart === undefined ? start : Effect.zipRight(options.onCaseStart(index), start)
      return throttle === undefined ? announced : Effect.zipRight(throttle(Effect.void), announced)
    }
    const staff = makeStaffing(resolved.concurrency, plan.pooledPerCase, group, worker(queue.take, runCase), worker(measurer.jobs.take, measurer.runJob))
    const deliverCached = deliverCachedWith(plan, finished)
    return {
      inFlight,
      admit: (pending) =>
        Effect.suspend(() => {
          const toMeasure: Array<PendingCase> = []
          const cachedOnes: Array<PendingCase> = []
          for (const p of pending) (lookup.servedByCache(p) ? cachedOnes : toMeasure).push(p)
          // One `offerAll` per slice: while the queue is full the producer waits once per slice, not per case.
          const measured = toMeasure.length === 0 ? Effect.void : Effect.zipRight(staff(toMeasure.length), queue.offerAll(toMeasure))
          return cachedOnes.length === 0 ? measured : Effect.zipRight(Effect.forEach(cachedOnes, deliverCached, { discard: true }), measured)
        })
    }
  })

/**
 * A worker: take an item, run it, forever. `take` fails only on a done Mailbox, and these are never ended:
 * that failure becomes a defect once, around the whole loop, rather than through an `orDie` per take.
 */
const worker = <A, RX>(
  take: Effect.Effect<A, NoSuchElementException>,
  run: (item: A, clock: Clock.Clock) => Effect.Effect<unknown, EvalError, RX>
): Effect.Effect<never, EvalError, RX> =>
  Effect.clockWith((clock) => repeatForever(Effect.flatMap(take, (item) => run(item, clock)))).pipe(
    Effect.catchTag("NoSuchElementException", Effect.die),
    // `inCase` sets CurrentCase for each item without restoring it: scope it to the worker's life.
    Effect.locally(CurrentCase, Option.none())
  )

/** Start case workers (and their metric workers) as cases are admitted, up to `concurrency`. */
const makeStaffing = <E, RX>(
  concurrency: number,
  pooledPerCase: number,
  group: FiberSet.FiberSet<void, EvalError | E>,
  caseWorker: Effect.Effect<never, EvalError, RX>,
  metricWorker: Effect.Effect<never, EvalError, RX>
) => {
  let admitted = 0
  let started = 0
  const start = (n: number, run: Effect.Effect<never, EvalError, RX>) =>
    Effect.forEach(Array.from({ length: n }), () => FiberSet.run(group, run), { discard: true })
  return (more: number): Effect.Effect<void, never, RX> =>
    Effect.suspend(() => {
      admitted += more
      const wanted = Math.min(concurrency, admitted)
      const starting = wanted - started
      if (starting <= 0) return Effect.void
      started = wanted
      return Effect.zipRight(start(starting, caseWorker), start(starting * pooledPerCase, metricWorker))
    })
}

/** Everything a worker does with a case: the task when there is one, the metrics, the hand-over. */
const caseWork = <R, RT>(plan: RunPlan<R, RT>, lookup: Lookup, measurer: CaseMeasurer<R>, finish: Step<never>) => {
  const task = plan.task
  if (task === undefined) {
    return (state: CaseState, cached: CachedOutcomes | undefined, clock: Clock.Clock): Effect.Effect<void, EvalError, R | RT> =>
      Effect.zipRight(measurer.measure(state, cached, clock), finish(state, clock))
  }
  const produceAndMeasure = taskThenMetrics(plan, task, lookup, measurer)
  const { repeat, repeatReducer } = plan.resolved
  return (state: CaseState, cached: CachedOutcomes | undefined, clock: Clock.Clock): Effect.Effect<void, EvalError, R | RT> =>
    Effect.zipRight(
      repeat === 1
        ? produceAndMeasure(state, cached, clock)
        : runEpochs(state, repeat, repeatReducer, plan.metrics, (epoch) => inCase(epoch, produceAndMeasure(epoch, undefined, clock))),
      finish(state, clock)
    )
}

/**
 * Produce a case (or one epoch of it) — from its kept output, looked up in the metric cache with its slice
 * (`cached`), or by running the task and looking the output up on its own — and measure it; a failed task
 * errors the case (or fails the run).
 */
const taskThenMetrics = <R, RT>(plan: RunPlan<R, RT>, task: Task<RT>, lookup: Lookup, measurer: CaseMeasurer<R>) =>
(state: CaseState, cached: CachedOutcomes | undefined, clock: Clock.Clock): Effect.Effect<void, EvalError, R | RT> => {
  const kept = keptFor(state)
  if (kept !== undefined) {
    state.testCase = kept.testCase
    state.taskSpend = { cost: 0, input: 0, output: 0 }
    if (state.cacheKey !== undefined) return measurer.measure(state, cached, clock)
    return Effect.flatMap(lookup.produced(state), (found) => measurer.measure(state, found, clock))
  }
  return Effect.flatMap(runTask(task, state, plan.settings.timeout), (produced) => {
    if (produced) {
      noteFresh(state)
      return Effect.flatMap(lookup.produced(state), (found) => measurer.measure(state, found, clock))
    }
    if (plan.tolerate) return Effect.void
    return Effect.fail(new TaskFailed({ caseIndex: state.index, caseName: state.testCase.name ?? null, reason: state.taskError ?? "" }))
  })
}

/** Hand a fully cached case straight to delivery. */
const deliverCachedWith = <R, RT>({ metrics, options, tags }: RunPlan<R, RT>, finished: Mailbox.Mailbox<CaseState>) =>
(pending: PendingCase): Effect.Effect<void> =>
  Effect.clockWith((clock) => {
    const { cacheKey, cached, index } = pending
    const state = newCaseState(index, caseToMeasure(pending), metrics.length, clock.unsafeCurrentTimeMillis(), cacheKey)
    for (let i = 0; i < metrics.length; i++) state.results[i] = cachedResult(metrics[i]!, cached![tags[i]!.tag]!)
    const offer = finished.offer(state)
    return options.onCaseStart === undefined ? offer : Effect.zipRight(options.onCaseStart(index), offer)
  })
