/**
 * A token bucket whose limit can change while it runs, and whose charges can be corrected after the fact: the
 * requests/minute and tokens/minute limits of the call policy, configured (`--rpm`, `--tpm`) or learned from
 * the provider's `x-ratelimit-limit-*` headers. A call reserves its cost and waits out any deficit; when its
 * reply reports the tokens it really used, {@link Bucket.adjust} gives back (or takes) the difference from the
 * estimate. Not Effect's `RateLimiter`: that fixes its limit when made, cannot refund or correct a cost, and
 * waits inside itself, where the policy needs each bucket's wait as a number (the longest of several, counted
 * in `backingOff`, taken before the connection permit). Like the pacer it is plain numbers, read and updated
 * inside the policy's synchronous steps.
 *
 * @example
 * ```ts
 * const bucket = makeBucket({ perMinute: 600, burstMillis: 60_000 }, now)
 * const wait = bucket.reserve(now, 300) // ms to wait before the call may start
 * bucket.adjust(now, 300 - 120)          // the reply used 120 tokens, not 300
 * ```
 */

/**
 * A bucket's limit.
 *
 * @example
 * ```ts
 * const full: BucketLimit = { perMinute: 500, burstMillis: 60_000 } // a configured --rpm: a minute's worth at once
 * ```
 */
export interface BucketLimit {
  /** Units (requests or tokens) per minute. */
  readonly perMinute: number
  /** The burst the bucket holds, as the time it takes to refill it (at least one unit). */
  readonly burstMillis: number
  /** Fraction of `perMinute` to spend (default 1): a learned limit keeps a margin for timing jitter. */
  readonly share?: number | undefined
}

/**
 * A token bucket with a limit that can change and charges that can be corrected. Times are `Clock` milliseconds.
 *
 * @example
 * ```ts
 * if (bucket.limit.perMinute !== learned) bucket.setLimit(now, { perMinute: learned, burstMillis: 20 })
 * ```
 */
export interface Bucket {
  readonly limit: BucketLimit
  /** Take `cost` units at `now`; returns the milliseconds to wait for them (0 when they are there). */
  readonly reserve: (now: number, cost: number) => number
  /** Add `units` back (negative: take more), e.g. estimated − used tokens once a reply reports its usage. */
  readonly adjust: (now: number, units: number) => void
  /** Change the limit, keeping what is owed; the level is capped to the new burst. */
  readonly setLimit: (now: number, limit: BucketLimit) => void
}

/**
 * A full bucket.
 *
 * @example
 * ```ts
 * const rpm = makeBucket({ perMinute: 2, burstMillis: 60_000 }, 0) // two at once, then one per 30 s
 * ```
 */
export const makeBucket = (initial: BucketLimit, now: number): Bucket => {
  let limit = initial
  let perMilli = 0
  let capacity = 1
  const configure = (next: BucketLimit) => {
    limit = next
    perMilli = (next.perMinute * (next.share ?? 1)) / 60_000
    capacity = Math.max(1, perMilli * next.burstMillis)
  }
  configure(initial)
  let level = capacity
  let last = now
  const refill = (at: number) => {
    if (at > last) {
      level = Math.min(capacity, level + (at - last) * perMilli)
      last = at
    }
  }
  return {
    get limit() {
      return limit
    },
    reserve: (at, cost) => {
      refill(at)
      level -= cost
      // The level may go below zero: a debt that this call, and every later one, waits out in turn.
      return level >= 0 ? 0 : Math.ceil(-level / perMilli)
    },
    adjust: (at, units) => {
      refill(at)
      level = Math.min(capacity, level + units)
    },
    setLimit: (at, next) => {
      refill(at)
      configure(next)
      level = Math.min(capacity, level)
    }
  }
}
