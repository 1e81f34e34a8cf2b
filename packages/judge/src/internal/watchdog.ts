/**
 * Timeouts for many concurrent attempts with one timer: each attempt runs in a forked fiber registered with
 * its expiry time, and one watchdog fiber sleeps until the earliest expiry and interrupts the attempts past
 * it. `Effect.timeout` per attempt instead races two fibers (the effect and a sleep with its own timer), which
 * costs more per call than a fork and a `Set` entry here, and the judge makes one attempt per call. Time is read from `Clock` and waited with `Effect.sleep`, so `TestClock` drives it.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const watchdog = yield* makeWatchdog
 *   const now = yield* Clock.currentTimeMillis
 *   return yield* watchdog.within(call, now + 5000, () => new JudgeError({ kind: "Timeout", message: "5 s" }))
 * }).pipe(Effect.scoped)
 * ```
 */
import { Cause, Effect, Exit, Fiber, Queue, type Scope } from "effect"

/**
 * Deadlines for many attempts on one timer: `within` interrupts an attempt past its deadline.
 *
 * @example
 * ```ts
 * const reply = yield* watchdog.within(provider.complete(request), deadlineAt, () => timeoutError)
 * ```
 */
export interface Watchdog {
  /**
   * Run `effect` in a child fiber that is interrupted at `expiresAt` (`Clock` milliseconds), failing then with
   * `onExpire()`. Interrupting the caller interrupts the child.
   */
  readonly within: <A, E>(effect: Effect.Effect<A, E>, expiresAt: number, onExpire: () => E) => Effect.Effect<A, E>
}

interface Entry {
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  readonly expiresAt: number
  expired: boolean
}

/**
 * Start a watchdog whose fiber lives in the current Scope.
 *
 * @example
 * ```ts
 * const watchdog = yield* makeWatchdog // in a scoped layer: one per call policy
 * ```
 */
export const makeWatchdog: Effect.Effect<Watchdog, never, Scope.Scope> = Effect.gen(function*() {
  // Plain mutable state, read and written only inside synchronous Effect steps: fibers interleave only between
  // steps, so each update is atomic (what a Ref gives) at no extra operations on the per-attempt path.
  const entries = new Set<Entry>()
  /** When the watchdog looks next; a new entry that expires earlier wakes it. */
  let wakeAt = Infinity
  const wake = yield* Queue.sliding<void>(1)

  /** Mark and interrupt the expired entries, then wait for the next expiry or a wake-up. */
  const sweep = Effect.clockWith((clock) =>
    Effect.fiberIdWith((self) => {
      const now = clock.unsafeCurrentTimeMillis()
      const expired: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
      let next = Infinity
      for (const entry of entries) {
        if (entry.expiresAt <= now) {
          entry.expired = true
          entries.delete(entry)
          expired.push(entry.fiber)
        } else if (entry.expiresAt < next) next = entry.expiresAt
      }
      wakeAt = next
      const interrupt = Effect.forEach(expired, (fiber) => Fiber.interruptAsFork(fiber, self), { discard: true })
      const wait = next === Infinity ? Queue.take(wake) : Effect.raceFirst(Effect.sleep(next - now), Queue.take(wake))
      return Effect.zipRight(interrupt, wait)
    })
  )
  yield* Effect.forkScoped(Effect.forever(sweep))

  const within = <A, E>(effect: Effect.Effect<A, E>, expiresAt: number, onExpire: () => E): Effect.Effect<A, E> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(Effect.fork(restore(effect)), (fiber) => {
        const entry: Entry = { fiber, expiresAt, expired: false }
        entries.add(entry)
        const awaited = Effect.onInterrupt(restore(Fiber.await(fiber)), () =>
          Effect.zipRight(Effect.sync(() => entries.delete(entry)), Fiber.interrupt(fiber)))
        const started = expiresAt < wakeAt ? Effect.zipRight(Queue.offer(wake, undefined), awaited) : awaited
        return Effect.flatMap(started, (exit): Effect.Effect<A, E> => {
          entries.delete(entry)
          if (Exit.isSuccess(exit) || !entry.expired || !Cause.isInterruptedOnly(exit.cause)) return exit
          return Effect.fail(onExpire())
        })
      })
    )
  return { within }
})
