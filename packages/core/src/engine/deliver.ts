/**
 * Stage 4, `deliver`: one fiber takes finished cases in batches and, for each batch, keeps its fresh task
 * outputs in one `setMany` and writes its fresh outcomes to the cache in one `store`, hands it to `onResults` (the run store: one transaction), then gives
 * each result to `onResult`, the summary and `emit`. A result is delivered only once its cache rows (and
 * run-store rows) are durable, so a crash loses only cases not yet delivered. `drain` delivers what is left
 * when the run stops early (deadline, budget, interruption), including cases the fiber was still gathering.
 * This stage owns the run's tally: the summary, the errored count against the error budget, and which
 * cases were delivered.
 *
 * @example
 * ```ts
 * const delivery = yield* makeDelivery(plan, errorBudget, total, emit)
 * yield* FiberSet.run(group, delivery.loop)
 * ```
 */
import { Deferred, Effect, Exit, Mailbox } from "effect"
import type { CacheEntry } from "../cache/eval-cache.js"
import type { CaseResult, RunSummary } from "../result/run-result.js"
import { SummaryAccumulator } from "../result/summary.js"
import { type CaseState, toCaseResult } from "./case-state.js"
import type { ErrorBudget } from "./error-budget.js"
import { ErrorBudgetExceeded, type EvalError } from "./errors.js"
import type { RunPlan } from "./plan.js"
import { BATCH, makeGather, type Restore } from "./batching.js"
import { writeSlots } from "./task-outputs.js"

/** The delivery stage of one run. */
export interface Delivery<RE> {
  /** Where case workers (and the lookup, for fully cached cases) put finished cases. */
  readonly finished: Mailbox.Mailbox<CaseState>
  /** The delivering fiber's work; it never ends by itself. */
  readonly loop: Effect.Effect<never, EvalError, RE>
  /** Deliver every finished case not yet delivered; `emitToo` false when the caller interrupted the run. */
  readonly drain: (emitToo: boolean) => Effect.Effect<void, EvalError, RE>
  /** Completes once `admitted` cases have been delivered. */
  readonly allDelivered: (admitted: number) => Effect.Effect<void>
  /** Fail when the errored cases are over a budget known only at the end (a fraction of a stream). */
  readonly checkBudget: (admitted: number) => Effect.Effect<void, ErrorBudgetExceeded>
  /** The run's summary so far, `elapsedMs` after its start. */
  readonly summary: (elapsedMs: number) => RunSummary
  /** Whether the case at an input index was delivered (sources of known size); undefined otherwise. */
  readonly wasDelivered: ((index: number) => boolean) | undefined
}

/**
 * The delivery stage for a run of `total` cases (undefined when unknown); `emit` gets each result.
 *
 * @example
 * ```ts
 * const delivery = yield* makeDelivery(plan, makeErrorBudget(5, 100), 100, () => Effect.void)
 * ```
 */
export const makeDelivery = <R, RT, RE>(
  plan: RunPlan<R, RT>,
  budget: ErrorBudget,
  total: number | undefined,
  emit: (result: CaseResult) => Effect.Effect<void, never, RE>
): Effect.Effect<Delivery<RE>> =>
  Effect.gen(function*() {
    // A Mailbox rather than a Queue: the fiber, woken by almost every finished case of a run that waits on
    // I/O, waits on a callback there, where a Queue's take allocates a Deferred per wake-up.
    const finished = yield* Mailbox.make<CaseState>({ capacity: Math.max(BATCH, plan.resolved.concurrency), strategy: "suspend" })
    const done = yield* Deferred.make<void>()
    const tally = makeTally(plan, budget, total, emit, done)
    const gather = makeGather(finished, plan.cache !== undefined || plan.taskOutputs !== undefined)
    const batch = (cases: ReadonlyArray<CaseState>, restore: Restore, emitToo: boolean) => tally.deliverBatch(cases, restore, emitToo)
    return {
      finished,
      loop: gather.loop(batch),
      drain: (emitToo) => Effect.flatMap(gather.takeRest, (rest) => rest.length === 0 ? Effect.void : Effect.uninterruptibleMask((restore) => batch(rest, restore, emitToo))),
      allDelivered: (admitted) => Effect.zipRight(Effect.sync(() => tally.expect(admitted)), Deferred.await(done)),
      checkBudget: (admitted) => Effect.suspend(() => budget.checkAtEnd(tally.errored, admitted, tally.lastError)),
      summary: (elapsedMs) => tally.summary.summary(elapsedMs),
      wasDelivered: tally.flags === undefined ? undefined : (index) => tally.flags![index] === 1
    }
  })

/** The tally of delivered cases, and how a batch of them is delivered. */
const makeTally = <R, RT, RE>(
  { cache, options, tags, taskOutputs }: RunPlan<R, RT>,
  budget: ErrorBudget,
  total: number | undefined,
  emit: (result: CaseResult) => Effect.Effect<void, never, RE>,
  done: Deferred.Deferred<void>
) => {
  const self = {
    summary: SummaryAccumulator.empty(),
    errored: 0,
    lastError: "",
    flags: total === undefined ? undefined : new Uint8Array(total),
    delivered: 0,
    expected: -1,
    expect: (admitted: number) => {
      self.expected = admitted
      if (self.delivered === admitted) Deferred.unsafeDone(done, Exit.void)
    },
    deliverBatch: (batch: ReadonlyArray<CaseState>, restore: Restore, emitToo: boolean): Effect.Effect<void, EvalError, RE> => {
      const results = batch.map(toCaseResult)
      const each = Effect.forEach(results, (result) => deliverOne(result, restore, emitToo), { discard: true })
      const onResults = options.onResults
      const all = onResults === undefined ? each : Effect.suspend(() => {
        const delivered = withinBudget(results)
        return delivered.length === 0 ? each : Effect.zipRight(onResults(delivered), each)
      })
      const write = cache === undefined ? undefined : cacheWrite(batch)
      const keep = taskOutputs === undefined ? undefined : writeSlots(taskOutputs, batch)
      const writes = write === undefined ? all : Effect.zipRight(write, all)
      return keep === undefined ? writes : Effect.zipRight(keep, writes)
    }
  }
  /** Write a batch's fresh outcomes to the cache (a failure only costs the caching). */
  const cacheWrite = (batch: ReadonlyArray<CaseState>) => {
    const entries: Array<CacheEntry> = []
    for (const state of batch) if (state.fresh !== undefined) entries.push({ caseKey: state.cacheKey!, outcomes: state.fresh })
    if (entries.length === 0) return undefined
    return cache!.store(entries, tags).pipe(Effect.catchAll((e) => Effect.logWarning(`cache write failed: ${e.message}`)))
  }
  /** The leading results of a batch that are within the error budget (the rest fail the run undelivered). */
  const withinBudget = (results: ReadonlyArray<CaseResult>): ReadonlyArray<CaseResult> => {
    if (budget.limit === undefined) return results
    let errored = self.errored
    for (let i = 0; i < results.length; i++) if (results[i]!.errored && ++errored > budget.limit) return results.slice(0, i)
    return results
  }
  /** Deliver one result to `onResult`, the summary and (unless the run was interrupted) `emit`. */
  const deliverOne = (result: CaseResult, restore: Restore, emitToo: boolean): Effect.Effect<void, EvalError, RE> => {
    if (result.errored) {
      self.errored++
      self.lastError = result.error ?? result.metrics.find((m) => m.error !== null)?.error ?? ""
      if (budget.limit !== undefined && self.errored > budget.limit) {
        return Effect.fail(new ErrorBudgetExceeded({ errored: self.errored, budget: budget.limit, lastError: self.lastError }))
      }
    }
    const sinks: Effect.Effect<void, EvalError, RE> = Effect.suspend(() => {
      self.summary.add(result)
      if (self.flags !== undefined) self.flags[result.index] = 1
      // Only the emit to a slow stream consumer may be interrupted.
      return emitToo ? Effect.zipRight(restore(emit(result)), counted) : counted
    })
    return options.onResult === undefined ? sinks : Effect.zipRight(options.onResult(result), sinks)
  }
  /** Count a delivery; the last one the run waits for ends it (so only after its `emit`). */
  const counted = Effect.sync(() => {
    if (++self.delivered === self.expected) Deferred.unsafeDone(done, Exit.void)
  })
  return self
}
