/**
 * How the delivery fiber (`deliver.ts`) gathers finished cases into batches. Few cases at a wake-up (judge
 * replies: one each): let the I/O callbacks already due run first, so those replies restart their workers
 * before any delivery and their cases join the batch. Many (CPU-only metrics: hundreds): deliver at once —
 * waiting only fills the Mailbox and raises peak memory. With a cache, the batch then grows while cases keep
 * arriving (one commit for many; no timer, so a slow run's results are delivered at once).
 *
 * @example
 * ```ts
 * const gather = makeGather(finished, true)
 * const loop = gather.loop((batch, restore, emitToo) => deliverBatch(batch, restore, emitToo))
 * ```
 */
import { Chunk, Effect, type Mailbox } from "effect"
import type { CaseState } from "./case-state.js"
import { afterPendingIo, afterRealMillis, repeatForever } from "./scheduling.js"

/** The most finished cases delivered together (one cache transaction). */
export const BATCH = 1024
/** Fewer finished cases than this at a wake-up: cases are finishing on I/O. */
const FEW_FINISHED = 32
/**
 * How long a batch of cases finishing on I/O stays open for more when it has a cache to commit to: each batch
 * costs a commit (and the caller's `onResults`, a run store's), so a run of fast replies delivers every few
 * dozen cases rather than every few; a run of slow replies sees its results this much later.
 */
const GATHER_MILLIS = 20

/** Lets one part of an uninterruptible region be interrupted. */
export type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** Delivers one batch. */
export type DeliverBatch<E, R> = (batch: ReadonlyArray<CaseState>, restore: Restore, emitToo: boolean) => Effect.Effect<void, E, R>

/**
 * The gathering of `finished` into batches; `grows` (a cache to commit to) lets a batch grow while cases
 * arrive. `held` are cases taken but not yet delivered: `takeRest` returns them with what is still queued.
 *
 * @example
 * ```ts
 * const rest = yield* makeGather(finished, false).takeRest
 * ```
 */
export const makeGather = (finished: Mailbox.Mailbox<CaseState>, grows: boolean) => {
  let held: Array<CaseState> = []
  const takeMore = Effect.map(finished.clear, (more) => {
    for (const state of more) held.push(state)
    return more.length
  })
  const grow: Effect.Effect<void> = Effect.suspend(() =>
    held.length >= BATCH ? Effect.void : Effect.zipRight(Effect.yieldNow(), Effect.flatMap(takeMore, (n) => (n === 0 ? Effect.void : grow)))
  )
  const waitForDueIo = Effect.zipRight(afterPendingIo, takeMore)
  const keepOpen = Effect.zipRight(afterRealMillis(GATHER_MILLIS), takeMore)
  /** Hand `held` to `deliver`, taking it over in the same uninterruptible step. */
  const handOver = <E, RE>(deliver: DeliverBatch<E, RE>) =>
    Effect.uninterruptibleMask((restore) => {
      const batch = held
      held = []
      return deliver(batch, restore, true)
    })
  return {
    loop: <E, RE>(deliver: DeliverBatch<E, RE>) =>
      repeatForever(Effect.flatMap(finished.takeAll, ([first]) => {
        held = Chunk.toArray(first)
        const few = first.length < FEW_FINISHED
        const gathered = few ? (grows ? keepOpen : waitForDueIo) : Effect.void
        return Effect.zipRight(grows ? Effect.zipRight(gathered, grow) : gathered, handOver(deliver))
      })),
    takeRest: Effect.map(finished.clear, (left) => {
      const rest = [...held, ...left]
      held = []
      return rest
    })
  }
}

