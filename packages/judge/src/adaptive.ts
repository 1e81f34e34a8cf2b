/**
 * Adaptive connection cap (AIMD): a pool of permits that shrinks multiplicatively on a 429 (at most once per
 * cooldown, never below `floor`) and grows by one after `cap` consecutive successes (about one round trip of
 * full use), up to `ceiling`. Shrinking never cancels calls in flight: permits in use are retired as they
 * come back ("debt"); new calls wait until a permit is free.
 *
 * The permits are tokens in a `Queue`, not an `Effect.makeSemaphore`: a semaphore release in effect 3.22 wakes
 * every waiter to re-check (quadratic with thousands of queued calls — measured 5× slower at 500 waiters),
 * while a queue hands each returned token to exactly one waiting taker, in FIFO order.
 *
 * @example
 * ```ts
 * const gate = yield* makeGate({ ceiling: 50, floor: 1, decrease: 0.5, cooldownMillis: 2000, adaptive: true })
 * yield* gate.withPermit(call)
 * ```
 */
import { Chunk, Effect, Queue } from "effect"

/**
 * How the cap adapts.
 *
 * @example
 * ```ts
 * const settings: GateSettings = { ceiling: 50, floor: 1, decrease: 0.5, cooldownMillis: 2000, adaptive: true }
 * ```
 */
export interface GateSettings {
  readonly ceiling: number
  readonly floor: number
  /** Multiplier applied on a rate-limit signal (0 < decrease < 1). */
  readonly decrease: number
  readonly cooldownMillis: number
  /** When false the cap stays at `ceiling`. */
  readonly adaptive: boolean
}

/**
 * A connection gate.
 *
 * @example
 * ```ts
 * const cap = yield* gate.cap
 * ```
 */
export interface Gate {
  readonly withPermit: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly onRateLimited: Effect.Effect<void>
  readonly onSuccess: Effect.Effect<void>
  readonly cap: Effect.Effect<number>
  readonly inFlight: Effect.Effect<number>
}

/**
 * Make a gate starting at its ceiling.
 *
 * @example
 * ```ts
 * const gate = yield* makeGate({ ceiling: 8, floor: 1, decrease: 0.5, cooldownMillis: 1000, adaptive: true })
 * ```
 */
export const makeGate = (settings: GateSettings): Effect.Effect<Gate> =>
  Effect.gen(function*() {
    const tokens = yield* Queue.unbounded<void>()
    yield* Queue.offerAll(tokens, Array.from({ length: settings.ceiling }, () => undefined))
    // Plain mutable state, read and written only inside synchronous Effect steps: fibers interleave only between
    // steps, so each update is atomic (what a Ref gives) without a Ref operation per field on every call.
    // `debt`: permits a shrink still has to retire as they come back.
    const state = { cap: settings.ceiling, successes: 0, lastShrinkAt: -Infinity, debt: 0, inFlight: 0 }
    /** Give one permit back to the pool, unless a shrink is still owed one. */
    const giveBack = Effect.suspend(() => {
      if (state.debt === 0) return Queue.offer(tokens, undefined)
      state.debt--
      return Effect.void
    })
    const retire = (n: number) =>
      Effect.flatMap(Queue.takeUpTo(tokens, n), (taken) => Effect.sync(() => void (state.debt += n - Chunk.size(taken))))
    /** Apply a cap change already made to `state.cap`: retire or add the difference in permits. */
    const applyDelta = (delta: number) =>
      delta < 0 ? retire(-delta) : Effect.forEach(Array.from({ length: delta }), () => giveBack, { discard: true })
    const onRateLimited = Effect.clockWith((clock) =>
      Effect.suspend(() => {
        const now = clock.unsafeCurrentTimeMillis()
        state.successes = 0
        if (!settings.adaptive || now - state.lastShrinkAt < settings.cooldownMillis) return Effect.void
        const cap = Math.max(settings.floor, Math.floor(state.cap * settings.decrease))
        const delta = cap - state.cap
        state.cap = cap
        state.lastShrinkAt = now
        return applyDelta(delta)
      })
    )
    // At the ceiling (the usual case) a success changes nothing: no clock read, no transition.
    const onSuccess = Effect.suspend(() => {
      if (!settings.adaptive || state.cap >= settings.ceiling) return Effect.void
      if (state.successes + 1 < state.cap) {
        state.successes++
        return Effect.void
      }
      state.cap++
      state.successes = 0
      return applyDelta(1)
    })
    const acquire = Effect.zipRight(Queue.take(tokens), Effect.sync(() => void state.inFlight++))
    const release = Effect.suspend(() => {
      state.inFlight--
      return giveBack
    })
    return {
      withPermit: (effect) => Effect.acquireUseRelease(acquire, () => effect, () => release),
      onRateLimited,
      onSuccess,
      cap: Effect.sync(() => state.cap),
      inFlight: Effect.sync(() => state.inFlight)
    }
  })
