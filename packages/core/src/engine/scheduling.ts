/**
 * When the engine's fibers run: a worker loop without a scheduler hop per round, and a wait for the I/O
 * callbacks already due. Both exist for the hot path of runs that wait on judges (`cases.ts`, `deliver.ts`), where each case
 * is one reply → a few microseconds of work → the next request.
 *
 * @example
 * ```ts
 * const worker = repeatForever(Effect.flatMap(jobs.take, runJob))
 * const sink = repeatForever(Effect.flatMap(finished.takeAll, (batch) => Effect.zipRight(afterPendingIo, deliver(batch))))
 * ```
 */
import { Effect } from "effect"

/**
 * `round`, again and again, with no scheduler hop between rounds. `Effect.forever` yields after every round:
 * two more operations and a trip through the scheduler per case, on a worker's path from one judge reply to
 * its next request. The fiber run loop still yields every 2,048 operations, so a worker whose rounds never
 * wait (CPU-only metrics) cannot starve the others.
 *
 * @example
 * ```ts
 * const worker = repeatForever(Effect.flatMap(cases.take, runCase)) // ends only by failing or interruption
 * ```
 */
export const repeatForever = <E, R>(round: Effect.Effect<unknown, E, R>): Effect.Effect<never, E, R> => {
  const loop: Effect.Effect<never, E, R> = Effect.flatMap(round, () => loop)
  return loop
}

/**
 * Resume once the I/O callbacks already due have run (`setImmediate`; a zero timer where there is none).
 * Fibers woken by I/O run in microtasks right after each callback, so work deferred this way waits for every
 * reply that arrived together, not just the first.
 *
 * @example
 * ```ts
 * const deliverLater = (batch: Batch) => Effect.zipRight(afterPendingIo, deliver(batch))
 * ```
 */
export const afterPendingIo: Effect.Effect<void> = Effect.async((resume) => {
  if (typeof setImmediate === "function") {
    const handle = setImmediate(() => resume(Effect.void))
    return Effect.sync(() => clearImmediate(handle))
  }
  const timer = setTimeout(() => resume(Effect.void), 0)
  return Effect.sync(() => clearTimeout(timer))
})

/**
 * Resume after `millis` of real time: a timer, not the `Clock`. It paces delivery against real I/O (replies
 * arriving over the network), and a `TestClock` test — whose clock only moves when told — must not stall on it.
 *
 * @example
 * ```ts
 * const later = Effect.zipRight(afterRealMillis(20), deliver(batch))
 * ```
 */
export const afterRealMillis = (millis: number): Effect.Effect<void> =>
  Effect.async((resume) => {
    const timer = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(timer))
  })
