/**
 * Stage 5, `run`: the wiring. One run is a pipeline of fibers in one FiberSet in the run's Scope:
 *
 *   source (`source.ts`, a slice at a time) → lookup (`lookup.ts`, one cache round trip per slice)
 *     → cases (`cases.ts`: bounded queue, case workers, task, metrics) → deliver (`deliver.ts`: cache write,
 *     sinks, summary)
 *
 * The run ends when every admitted case is delivered, at the deadline, when the cost budget stops it, or when
 * a fiber fails (fail-fast). Closing the scope interrupts every fiber the run started; finished cases not yet
 * delivered are delivered at a deadline or budget stop, and handed to the cache and `onResult` on
 * interruption. `evaluate`, `evaluateStream` and `evaluateToSinks` are views of this one run.
 *
 * @example
 * ```ts
 * const outcome = yield* runEngine(cases, [exactMatch()], { concurrency: 8 }, (result) => Console.log(result.index))
 * ```
 */
import { Clock, Deferred, Effect, FiberSet, Option } from "effect"
import type { Metric } from "../metric/metric.js"
import type { TestCase } from "../model/test-case.js"
import type { CaseResult, RunSummary, UnfinishedCase } from "../result/run-result.js"
import { type Cases, makeCases } from "./cases.js"
import { CostBudget, type CostBudgetApi, makeCostBudget } from "./cost-budget.js"
import { type Delivery, makeDelivery } from "./deliver.js"
import { makeErrorBudget } from "./error-budget.js"
import type { EvalError } from "./errors.js"
import { type Lookup, makeLookup, type PendingCase } from "./lookup.js"
import type { EvalOptions } from "./options.js"
import { makePlan } from "./plan.js"
import { type CaseSource, forEachSlice, knownSize } from "./source.js"

/** How a run ended, without its results (they went to `emit`). */
export interface EngineRun {
  readonly status: "completed" | "deadline" | "budget"
  readonly summary: RunSummary
  readonly unfinished: ReadonlyArray<UnfinishedCase>
}

/** Cases read from the source (and looked up in the cache) per slice. */
const SLICE = 256
/** Scheduler turns given to case workers whose last call has settled, to hand their case to delivery. */
const SETTLE_TURNS = 16

/**
 * Run every case of `source` through `metrics`; `emit` receives each result in completion order. With
 * `maxCost`, the run gets a cost budget of its own unless the caller provided a {@link CostBudget}.
 *
 * @example
 * ```ts
 * runEngine(Stream.fromIterable(cases), [exactMatch()], { concurrency: 8 }, (r) => Console.log(r.index))
 * ```
 */
export const runEngine = <R, E, RS, RE, RT = never>(
  source: CaseSource<E, RS>,
  metrics: ReadonlyArray<Metric<R>>,
  options: EvalOptions<RT>,
  emit: (result: CaseResult) => Effect.Effect<void, never, RE>
): Effect.Effect<EngineRun, EvalError | E, R | RS | RE | RT> =>
  Effect.flatMap(Effect.serviceOption(CostBudget), (given) =>
    Option.isSome(given) || options.maxCost === undefined
      ? Effect.scoped(runScoped(source, metrics, options, emit, Option.getOrUndefined(given)))
      : Effect.flatMap(makeCostBudget(options.maxCost), (budget) =>
        Effect.provideService(Effect.scoped(runScoped(source, metrics, options, emit, budget)), CostBudget, budget)))

const runScoped = <R, E, RS, RE, RT>(
  source: CaseSource<E, RS>,
  metrics: ReadonlyArray<Metric<R>>,
  options: EvalOptions<RT>,
  emit: (result: CaseResult) => Effect.Effect<void, never, RE>,
  costBudget: CostBudgetApi | undefined
) =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const plan = yield* makePlan(metrics, options)
    const total = knownSize(source)
    const delivery = yield* makeDelivery(plan, makeErrorBudget(options.maxErrors, total), total, emit)
    const group = yield* FiberSet.make<void, EvalError | E>()
    const lookup = makeLookup(plan)
    const cases = yield* makeCases(plan, lookup, delivery.finished, group)
    const sourceEnded = yield* Deferred.make<number>()
    const producer = makeProducer(source, options, lookup, cases)
    yield* FiberSet.run(group, delivery.loop)
    yield* FiberSet.run(group, Effect.flatMap(producer.run, (admitted) => Deferred.succeed(sourceEnded, admitted)))
    const status = yield* ending(group, delivery, sourceEnded, options, costBudget)
    yield* FiberSet.clear(group)
    if (status !== "completed") yield* delivery.drain(true)
    yield* delivery.checkBudget(producer.admitted())
    const unfinished = status === "completed" ? [] : unfinishedCases(source, options, delivery, cases)
    return { status, summary: delivery.summary((yield* Clock.currentTimeMillis) - started), unfinished }
  })

/**
 * The source stage: read the cases a slice at a time, look each slice up, admit it. `run` ends with the number
 * of cases admitted (those `skipIndex` does not leave out); `admitted` counts them as it goes.
 */
const makeProducer = <E, RS, RX, RT>(source: CaseSource<E, RS>, options: EvalOptions<RT>, lookup: Lookup, cases: Cases<RX>) => {
  let admitted = 0
  const slices = forEachSlice(source, SLICE, (slice, firstIndex) => {
    const pending: Array<PendingCase> = []
    for (let j = 0; j < slice.length; j++) {
      if (options.skipIndex?.(firstIndex + j) === true) continue
      pending.push(lookup.pending(slice[j]!, firstIndex + j))
    }
    admitted += pending.length
    return Effect.zipRight(lookup.slice(pending), cases.admit(pending))
  })
  return { run: Effect.zipRight(lookup.begin, Effect.map(slices, () => admitted)), admitted: () => admitted }
}

/**
 * How the run ends: every admitted case delivered, a fiber failed, the deadline passed, or the cost budget
 * stopped and its calls settled (then the workers those replies woke get a few turns to hand their cases on).
 * Interrupted by the caller: every fiber stops, then the finished cases go to the cache and `onResult`.
 */
const ending = <E, RE, RT>(
  group: FiberSet.FiberSet<void, EvalError | E>,
  delivery: Delivery<RE>,
  sourceEnded: Deferred.Deferred<number>,
  options: EvalOptions<RT>,
  costBudget: CostBudgetApi | undefined
) => {
  const completed = Effect.as(Effect.flatMap(Deferred.await(sourceEnded), delivery.allDelivered), "completed" as const)
  const failed = Effect.zipRight(FiberSet.join(group), Effect.never)
  const deadline = options.deadline === undefined ? Effect.never : Effect.as(Effect.sleep(options.deadline), "deadline" as const)
  const spent = costBudget === undefined
    ? Effect.never
    : costBudget.settled.pipe(Effect.zipRight(Effect.repeatN(Effect.yieldNow(), SETTLE_TURNS)), Effect.as("budget" as const))
  return Effect.raceFirst(Effect.raceFirst(completed, failed), Effect.raceFirst(deadline, spent)).pipe(
    Effect.onInterrupt(() => Effect.ignore(Effect.zipRight(FiberSet.clear(group), delivery.drain(false))))
  )
}

/** The cases a run that stopped early did not deliver: all of them for an array, those in flight for a stream. */
const unfinishedCases = <E, RS, RE, RT, RX>(
  source: CaseSource<E, RS>,
  options: EvalOptions<RT>,
  delivery: Delivery<RE>,
  cases: Cases<RX>
): Array<UnfinishedCase> => {
  const unfinished: Array<UnfinishedCase> = []
  if (delivery.wasDelivered !== undefined) {
    const all = source as ReadonlyArray<TestCase>
    for (let i = 0; i < all.length; i++) {
      if (!delivery.wasDelivered(i) && options.skipIndex?.(i) !== true) unfinished.push({ index: i, name: all[i]!.name ?? null })
    }
    return unfinished
  }
  for (const state of cases.inFlight.values()) unfinished.push({ index: state.index, name: state.testCase.name ?? null })
  return unfinished.sort((a, b) => a.index - b.index)
}
