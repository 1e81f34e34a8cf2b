/**
 * The pool's sink (see `pool.ts`): the fiber that delivers finished cases in batches — their fresh outcomes to
 * the cache in one `store`, the batch to `onResults`, then each case to `onResult`, the summary and `emit` —
 * and `drain`, which delivers what is left when the run is interrupted or reaches its deadline (including
 * cases the sink had taken and was still gathering). A result is delivered only once its cache rows (and
 * run-store rows) are durable, so a crash loses only cases not yet delivered.
 *
 * @example
 * ```ts
 * const { drain, sink } = makeSink({ finished, cache, tags, budget, options, emit, ledger })
 * yield* FiberSet.run(group, sink)
 * ```
 */
import { Chunk, Deferred, Effect, type Mailbox } from "effect"
import type { CacheEntry, EvalCacheApi, NamedTag } from "../cache/eval-cache.js"
import type { CaseResult } from "../result/run-result.js"
import type { SummaryAccumulator } from "../result/summary.js"
import { type CaseState, toCaseResult } from "./case-state.js"
import { ErrorBudgetExceeded, type EvalError } from "./errors.js"
import type { EvalOptions } from "./options.js"
import { afterPendingIo, repeatForever } from "./scheduling.js"

/** The most finished cases the sink delivers together (one cache transaction). */
export const SINK_BATCH = 1024
/** Fewer finished cases than this at a sink wake-up: cases are finishing on I/O (see the sink). */
const FEW_FINISHED = 32

/**
 * What the pool's fibers share about a run in progress. Plain mutable fields, read and written only inside
 * synchronous Effect steps (fibers interleave only between steps, so each update is atomic).
 *
 * @example
 * ```ts
 * ledger.open++ // the producer admitted a case; the sink's delivery of it decrements
 * ```
 */
export interface RunLedger {
  /** Cases admitted and not yet delivered. */
  open: number
  producerDone: boolean
  erroredCases: number
  lastError: string
  readonly summary: SummaryAccumulator
  readonly inFlight: Map<number, CaseState>
  /** Per input index, 1 once delivered (sources of known size). */
  readonly finishedFlags: Uint8Array | undefined
  /** Completed when the producer is done and every admitted case was delivered. */
  readonly allFinished: Deferred.Deferred<void>
}

/**
 * Complete `allFinished` once the producer is done and no admitted case is left undelivered (called by the
 * producer when it ends and by the sink after each delivery).
 *
 * @example
 * ```ts
 * ledger.producerDone = true
 * yield* completeIfAllDelivered(ledger)
 * ```
 */
export const completeIfAllDelivered = (ledger: RunLedger): Effect.Effect<void> =>
  ledger.open === 0 && ledger.producerDone ? Effect.asVoid(Deferred.succeed(ledger.allFinished, undefined)) : Effect.void

/**
 * What the sink needs from its pool.
 *
 * @example
 * ```ts
 * const settings: SinkSettings<never> = { finished, cache: undefined, tags: [], budget: undefined, options: {}, emit, ledger }
 * ```
 */
export interface SinkSettings<RE> {
  readonly finished: Mailbox.Mailbox<CaseState>
  readonly cache: EvalCacheApi | undefined
  readonly tags: ReadonlyArray<NamedTag>
  /** Errored cases allowed before the run fails (undefined: no budget here). */
  readonly budget: number | undefined
  readonly options: Pick<EvalOptions<unknown>, "onResult" | "onResults">
  readonly emit: (result: CaseResult) => Effect.Effect<void, never, RE>
  readonly ledger: RunLedger
}

/**
 * The sink fiber and `drain(emitToo)`; see the module doc.
 *
 * @example
 * ```ts
 * const { drain, sink } = makeSink(settings)
 * ```
 */
export const makeSink = <RE>({ budget, cache, emit, finished, ledger, options, tags }: SinkSettings<RE>) => {
  /** Deliver one finished case to `onResult`, the summary and (unless the run was interrupted) `emit`. */
  const deliver = (
    state: CaseState,
    result: CaseResult,
    restore: <A, E2, R2>(effect: Effect.Effect<A, E2, R2>) => Effect.Effect<A, E2, R2>,
    emitToo: boolean
  ): Effect.Effect<void, EvalError, RE> => {
    if (result.errored) {
      ledger.erroredCases++
      ledger.lastError = result.error ?? result.metrics.find((m) => m.error !== null)?.error ?? ""
      if (budget !== undefined && ledger.erroredCases > budget) {
        return Effect.fail(new ErrorBudgetExceeded({ errored: ledger.erroredCases, budget, lastError: ledger.lastError }))
      }
    }
    let sinks: Effect.Effect<void, EvalError, RE> = Effect.suspend(() => {
      ledger.summary.add(result)
      ledger.inFlight.delete(state.index)
      if (ledger.finishedFlags !== undefined) ledger.finishedFlags[state.index] = 1
      // Only the emit to a slow stream consumer may be interrupted.
      return emitToo ? restore(emit(result)) : Effect.void
    })
    if (options.onResult !== undefined) sinks = Effect.zipRight(options.onResult(result), sinks)
    return Effect.zipRight(sinks, Effect.suspend(() => {
      ledger.open--
      return completeIfAllDelivered(ledger)
    }))
  }

  /** The leading results of a batch that are within the error budget (the rest fail the run undelivered). */
  const withinBudget = (results: ReadonlyArray<CaseResult>): ReadonlyArray<CaseResult> => {
    if (budget === undefined) return results
    let errored = ledger.erroredCases
    for (let i = 0; i < results.length; i++) if (results[i]!.errored && ++errored > budget) return results.slice(0, i)
    return results
  }

  /**
   * Write a batch's fresh outcomes to the cache (a failure only costs the caching), hand the batch to
   * `onResults`, then deliver each case; uninterruptible but for `restore` (a slow stream consumer's `emit`).
   */
  const sinkBatch = (batch: ReadonlyArray<CaseState>, emitToo: boolean): Effect.Effect<void, EvalError, RE> =>
    Effect.uninterruptibleMask((restore) => sinkBatchWith(batch, restore, emitToo))
  const sinkBatchWith = (
    batch: ReadonlyArray<CaseState>,
    restore: <A, E2, R2>(effect: Effect.Effect<A, E2, R2>) => Effect.Effect<A, E2, R2>,
    emitToo: boolean
  ): Effect.Effect<void, EvalError, RE> => {
    const results = batch.map(toCaseResult)
    const each = Effect.forEach(batch, (state, i) => deliver(state, results[i]!, restore, emitToo), { discard: true })
    const onResults = options.onResults
    const deliverAll = onResults === undefined ? each : Effect.suspend(() => {
      const delivered = withinBudget(results)
      return delivered.length === 0 ? each : Effect.zipRight(onResults(delivered), each)
    })
    if (cache === undefined) return deliverAll
    const entries: Array<CacheEntry> = []
    for (const state of batch) if (state.fresh !== undefined) entries.push({ caseKey: state.cacheKey!, outcomes: state.fresh })
    if (entries.length === 0) return deliverAll
    const write = cache.store(entries, tags).pipe(Effect.catchAll((e) => Effect.logWarning(`cache write failed: ${e.message}`)))
    return Effect.zipRight(write, deliverAll)
  }

  /**
   * Finished cases the sink has taken but not yet delivered: while it waits for due I/O or grows a batch it
   * can be interrupted (deadline, caller), and `drain` then delivers these with what is still queued.
   */
  let held: Array<CaseState> = []
  /** Add what arrives while the sink yields to `held`, until nothing more comes or the batch is full. */
  const grow: Effect.Effect<void> = Effect.suspend(() =>
    held.length >= SINK_BATCH
      ? Effect.void
      : Effect.zipRight(
        Effect.yieldNow(),
        Effect.flatMap(finished.clear, (more) => {
          if (Chunk.isEmpty(more)) return Effect.void
          for (const state of more) held.push(state)
          return grow
        })
      )
  )
  /** Deliver `held`, taking it over in the same uninterruptible step. */
  const deliverHeld = Effect.uninterruptibleMask((restore) => {
    const batch = held
    held = []
    return sinkBatchWith(batch, restore, true)
  })
  // Few cases at a wake-up (judge replies: one each): let the I/O callbacks already due run first, so those
  // replies restart their workers before any delivery and their cases join the batch. Many (CPU-only metrics:
  // hundreds): deliver at once — waiting only fills the Mailbox and raises peak memory.
  // With a cache, the batch then grows while cases keep arriving (one commit for many).
  const waitForDueIo = Effect.zipRight(
    afterPendingIo,
    Effect.map(finished.clear, (more) => {
      for (const state of more) held.push(state)
    })
  )
  const sink = repeatForever(
    Effect.flatMap(finished.takeAll, ([first]) => {
      held = Chunk.toArray(first)
      const gathered = first.length >= FEW_FINISHED ? Effect.void : waitForDueIo
      return Effect.zipRight(cache === undefined ? gathered : Effect.zipRight(gathered, grow), deliverHeld)
    })
  )
  const drain = (emitToo: boolean) =>
    Effect.flatMap(finished.clear, (left) => {
      const batch = [...held, ...left]
      held = []
      return batch.length === 0 ? Effect.void : sinkBatch(batch, emitToo)
    })
  return { sink, drain }
}
