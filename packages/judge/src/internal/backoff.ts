/**
 * Retry delays: the server's `retry-after` when it gave one (plus up to 10 % jitter, so callers told the same
 * instant do not return together), else bounded exponential backoff with "equal jitter":
 * `d = min(maxDelay, baseDelay · 2^attempt)`, wait uniformly in `[d/2, d)`. Pure, so it is unit-tested
 * directly; the policy's retry `Schedule` feeds it `Random.next`. It takes the exponent as an argument rather
 * than being a `Schedule.exponential`, whose exponent is the number of recurrences: the policy's step counts
 * 429s apart from failures and keeps a lone failure among successes short.
 *
 * @example
 * ```ts
 * retryDelayMillis(2, undefined, { baseDelayMillis: 100, maxDelayMillis: 10_000 }, 0.5) // 300 (400 · 0.75)
 * ```
 */

/**
 * Backoff bounds in milliseconds.
 *
 * @example
 * ```ts
 * const settings: BackoffSettings = { baseDelayMillis: 500, maxDelayMillis: 30_000 }
 * ```
 */
export interface BackoffSettings {
  readonly baseDelayMillis: number
  readonly maxDelayMillis: number
}

/**
 * Delay before retry number `attempt + 1` (attempt 0 is the first failure), given the server's request and a
 * random number in [0, 1).
 *
 * @example
 * ```ts
 * retryDelayMillis(0, 1500, { baseDelayMillis: 100, maxDelayMillis: 60_000 }, 0) // 1500
 * ```
 */
export const retryDelayMillis = (
  attempt: number,
  retryAfterMillis: number | undefined,
  settings: BackoffSettings,
  random: number
): number => {
  if (retryAfterMillis !== undefined) {
    const wait = Math.min(settings.maxDelayMillis, retryAfterMillis)
    return Math.round(wait + random * Math.min(wait * 0.1, 1000))
  }
  const ceiling = Math.min(settings.maxDelayMillis, settings.baseDelayMillis * 2 ** attempt)
  return Math.round(ceiling / 2 + (random * ceiling) / 2)
}
