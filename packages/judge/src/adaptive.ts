/**
 * Adaptive connection cap (AIMD): a semaphore whose size shrinks multiplicatively on a 429 (at most once per
 * cooldown, never below `floor`) and grows by one after `cap` consecutive successes (about one round trip of
 * full use), up to `ceiling`. Shrinking never cancels calls in flight; new calls wait until in-flight < cap.
 *
 * @example
 * ```ts
 * const gate = yield* makeGate({ ceiling: 50, floor: 1, decrease: 0.5, cooldownMillis: 2000, adaptive: true })
 * yield* gate.withPermit(call)
 * ```
 */
import { Clock, Effect, Ref, SynchronizedRef } from "effect"

/** How the cap adapts. */
export interface GateSettings {
  readonly ceiling: number
  readonly floor: number
  /** Multiplier applied on a rate-limit signal (0 < decrease < 1). */
  readonly decrease: number
  readonly cooldownMillis: number
  /** When false the cap stays at `ceiling`. */
  readonly adaptive: boolean
}

/** A connection gate. */
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
    const semaphore = yield* Effect.makeSemaphore(settings.ceiling)
    const inFlight = yield* Ref.make(0)
    const state = yield* SynchronizedRef.make<State>({ cap: settings.ceiling, successes: 0, lastShrinkAt: -Infinity })
    const resizeTo = (next: State) => Effect.as(semaphore.resize(next.cap), next)
    const onRateLimited = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      SynchronizedRef.updateEffect(state, (s) =>
        !settings.adaptive || now - s.lastShrinkAt < settings.cooldownMillis
          ? Effect.succeed({ ...s, successes: 0 })
          : resizeTo({ cap: Math.max(settings.floor, Math.floor(s.cap * settings.decrease)), successes: 0, lastShrinkAt: now })))
    const onSuccess = SynchronizedRef.updateEffect(state, (s) => {
      if (!settings.adaptive || s.cap >= settings.ceiling) return Effect.succeed(s)
      return s.successes + 1 >= s.cap
        ? resizeTo({ ...s, cap: s.cap + 1, successes: 0 })
        : Effect.succeed({ ...s, successes: s.successes + 1 })
    })
    return {
      withPermit: (effect) =>
        semaphore.withPermits(1)(
          Effect.acquireUseRelease(Ref.update(inFlight, (n) => n + 1), () => effect, () => Ref.update(inFlight, (n) => n - 1))
        ),
      onRateLimited,
      onSuccess,
      cap: Effect.map(SynchronizedRef.get(state), (s) => s.cap),
      inFlight: Ref.get(inFlight)
    }
  })
