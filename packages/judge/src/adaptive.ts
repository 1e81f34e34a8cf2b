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
import { Chunk, Clock, Effect, Queue, Ref } from "effect"

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

interface State {
  readonly cap: number
  readonly successes: number
  readonly lastShrinkAt: number
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
    const debt = yield* Ref.make(0)
    const inFlight = yield* Ref.make(0)
    const state = yield* Ref.make<State>({ cap: settings.ceiling, successes: 0, lastShrinkAt: -Infinity })
    /** Give one permit back to the pool, unless a shrink is still owed one. */
    const giveBack = Effect.flatMap(
      Ref.modify(debt, (d) => (d > 0 ? [false, d - 1] : [true, d])),
      (give) => (give ? Queue.offer(tokens, undefined) : Effect.void)
    )
    const retire = (n: number) =>
      Effect.flatMap(Queue.takeUpTo(tokens, n), (taken) => Ref.update(debt, (d) => d + n - Chunk.size(taken)))
    /** Apply a cap change computed atomically by `Ref.modify`: retire or add the difference in permits. */
    const applyDelta = (delta: number) =>
      delta < 0 ? retire(-delta) : Effect.forEach(Array.from({ length: delta }), () => giveBack, { discard: true })
    const transition = (f: (s: State, now: number) => State) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(Ref.modify(state, (s) => {
          const next = f(s, now)
          return [next.cap - s.cap, next] as const
        }), applyDelta))
    const onRateLimited = transition((s, now) =>
      !settings.adaptive || now - s.lastShrinkAt < settings.cooldownMillis
        ? { ...s, successes: 0 }
        : { cap: Math.max(settings.floor, Math.floor(s.cap * settings.decrease)), successes: 0, lastShrinkAt: now })
    const onSuccess = transition((s) => {
      if (!settings.adaptive || s.cap >= settings.ceiling) return s
      return s.successes + 1 >= s.cap ? { ...s, cap: s.cap + 1, successes: 0 } : { ...s, successes: s.successes + 1 }
    })
    return {
      withPermit: (effect) =>
        Effect.acquireUseRelease(
          Effect.zipRight(Queue.take(tokens), Ref.update(inFlight, (n) => n + 1)),
          () => effect,
          () => Effect.zipRight(Ref.update(inFlight, (n) => n - 1), giveBack)
        ),
      onRateLimited,
      onSuccess,
      cap: Effect.map(Ref.get(state), (s) => s.cap),
      inFlight: Ref.get(inFlight)
    }
  })
