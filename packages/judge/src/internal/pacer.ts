/**
 * Pacing while a model is rate limited. Without it, the calls held back by a `Retry-After` pause all start
 * the moment it ends, while the server frees capacity a little at a time: most of them get another 429, and
 * the next pause ends the same way. After a 429 the pacer spaces attempt starts at the pace the server has
 * been accepting calls (a moving average of the gaps between successes), a little faster so the pace can
 * rise again; it stops after `quietMillis` without a 429. Not a `RateLimiter`: its pace is measured, not
 * configured, and moves with every success. Plain numbers, no Effects: the call policy reads and updates it
 * inside its synchronous steps.
 *
 * @example
 * ```ts
 * const pacer = makePacer({ quietMillis: 2000 })
 * pacer.onRateLimited(now)
 * const wait = pacer.reserve(now) // ms to wait before this attempt starts
 * ```
 */

/**
 * Pacer tuning.
 *
 * @example
 * ```ts
 * const settings: PacerSettings = { quietMillis: 2000 }
 * ```
 */
export interface PacerSettings {
  /** Pacing ends this long after the last 429. */
  readonly quietMillis: number
}

/**
 * Spacing of attempt starts after a 429, at the pace the server has shown. Times are `Clock` milliseconds.
 *
 * @example
 * ```ts
 * pacer.onSuccess(now) // feeds the pace estimate
 * ```
 */
export interface Pacer {
  /** Milliseconds an attempt that could start at `at` waits for its slot (0 when not pacing); takes the slot. */
  readonly reserve: (at: number) => number
  readonly onSuccess: (now: number) => void
  readonly onRateLimited: (now: number) => void
}

/** Weight of the newest gap in the moving average (about the last 20 successes count). */
const WEIGHT = 0.05
/** Slots are this fraction of the average gap apart: ~10 % faster than the accepted pace, so it can rise. */
const SPEEDUP = 0.8

/**
 * A pacer with no history.
 *
 * @example
 * ```ts
 * const pacer = makePacer({ quietMillis: 2000 })
 * ```
 */
export const makePacer = (settings: PacerSettings): Pacer => {
  let lastSuccessAt: number | undefined
  let gap: number | undefined
  let pacingUntil = -Infinity
  let nextSlot = -Infinity
  return {
    reserve: (at) => {
      if (at >= pacingUntil || gap === undefined) return 0
      const start = Math.max(at, nextSlot)
      nextSlot = start + gap * SPEEDUP
      return start - at
    },
    onSuccess: (now) => {
      if (lastSuccessAt !== undefined) {
        const latest = now - lastSuccessAt
        gap = gap === undefined ? latest : gap + WEIGHT * (latest - gap)
      }
      lastSuccessAt = now
    },
    onRateLimited: (now) => {
      pacingUntil = now + settings.quietMillis
    }
  }
}
