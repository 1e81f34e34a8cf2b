/**
 * Small, dependency-free statistics for comparing runs: a seeded PRNG, a paired bootstrap confidence interval,
 * McNemar's exact test, Holm's step-down adjustment, Wilson's interval for a proportion and a normal interval
 * for a mean. Written by hand because each is a few lines and the maintained JS statistics libraries
 * (simple-statistics, jstat) have no seeded bootstrap, no exact McNemar and no Holm adjustment.
 *
 * @example
 * ```ts
 * mcnemarExact(2, 8) // 0.109375
 * ```
 */

import type { Interval } from "../result/run-result.js"

/**
 * mulberry32: a fast 32-bit seeded PRNG; the same seed gives the same sequence on every platform.
 *
 * @example
 * ```ts
 * const next = seededRandom(42); next() // in [0, 1)
 * ```
 * @since 0.1.0
 */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Options of {@link bootstrapMeanCI}.
 *
 * @since 0.1.0
 */
export interface BootstrapOptions {
  /** Resamples drawn (default 1000). */
  readonly resamples?: number
  /** PRNG seed (default 1): the interval is a pure function of the data and the seed. */
  readonly seed?: number
  /** Coverage (default 0.95). */
  readonly level?: number
}

/**
 * Percentile bootstrap interval of the mean of `values` (for a paired comparison: the per-case differences).
 * Null when there are no values.
 *
 * @example
 * ```ts
 * bootstrapMeanCI(Float64Array.from([0.1, -0.2, 0.3]), { seed: 7 }) // { low, high }
 * ```
 * @since 0.1.0
 */
export const bootstrapMeanCI = (values: ArrayLike<number>, options: BootstrapOptions = {}): Interval | null => {
  const n = values.length
  if (n === 0) return null
  const resamples = options.resamples ?? 1000
  const level = options.level ?? 0.95
  const data = values instanceof Float64Array ? values : Float64Array.from(values)
  const means = new Float64Array(resamples)
  // mulberry32 (as in seededRandom) inlined: the draw is the whole cost, n × resamples of them.
  let a = (options.seed ?? 1) >>> 0
  for (let r = 0; r < resamples; r++) {
    let sum = 0
    for (let i = 0; i < n; i++) {
      a = (a + 0x6d2b79f5) >>> 0
      let t = Math.imul(a ^ (a >>> 15), a | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      sum += data[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)]!
    }
    means[r] = sum / n
  }
  means.sort()
  const tail = (1 - level) / 2
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!
  return { low: at(tail), high: at(1 - tail) }
}

/**
 * McNemar's exact two-sided p-value for `b` pass→fail and `c` fail→pass discordant pairs: twice the binomial
 * (n = b + c, p = ½) tail at min(b, c), capped at 1. 1 when there are no discordant pairs.
 *
 * @example
 * ```ts
 * mcnemarExact(2, 8) // 2 × (1 + 10 + 45) / 1024 = 0.109375
 * ```
 * @since 0.1.0
 */
export const mcnemarExact = (b: number, c: number): number => {
  const n = b + c
  if (n === 0) return 1
  const k = Math.min(b, c)
  // Sum the binomial pmf in log space so that n in the hundred thousands neither overflows nor underflows early.
  let logPmf = -n * Math.LN2
  let tail = Math.exp(logPmf)
  for (let i = 0; i < k; i++) {
    logPmf += Math.log(n - i) - Math.log(i + 1)
    tail += Math.exp(logPmf)
  }
  return Math.min(1, 2 * tail)
}

/**
 * Holm's step-down adjustment of p-values for multiple comparisons (controls the family-wise error rate);
 * nulls stay null and do not count as tests.
 *
 * @example
 * ```ts
 * holmAdjust([0.01, 0.04, 0.03]) // [0.03, 0.06, 0.06]
 * ```
 * @since 0.1.0
 */
export const holmAdjust = (pValues: ReadonlyArray<number | null>): Array<number | null> => {
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter((x): x is { p: number; i: number } => x.p !== null)
    .sort((a, b) => a.p - b.p)
  const m = order.length
  const out: Array<number | null> = pValues.map(() => null)
  let running = 0
  order.forEach(({ i, p }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p))
    out[i] = running
  })
  return out
}

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054

/**
 * Wilson score interval for `successes` out of `trials` (95 %); null when there are no trials.
 *
 * @example
 * ```ts
 * wilsonInterval(8, 10) // { low: 0.490, high: 0.943 }
 * ```
 * @since 0.1.0
 */
export const wilsonInterval = (successes: number, trials: number): Interval | null => {
  if (trials === 0) return null
  const p = successes / trials
  const z2 = Z95 * Z95
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
  const half = (Z95 / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) }
}

/**
 * Normal-approximation 95 % interval of a mean from its count, sum and sum of squares (streaming-friendly);
 * null below two values. With the values' range (`bounds`), the interval is kept inside it: a mean cannot lie
 * outside the range of what it averages (scores in [0, 1] never get an interval reaching 1.1).
 *
 * @example
 * ```ts
 * meanInterval(4, 2, 1.5) // mean 0.5 ± 1.96 × sd/√n
 * meanInterval(10, 9, 9, { min: 0, max: 1 }) // high clipped to 1
 * ```
 * @since 0.1.0
 */
export const meanInterval = (
  count: number,
  sum: number,
  sumSquares: number,
  bounds?: { readonly min: number; readonly max: number }
): Interval | null => {
  if (count < 2) return null
  const mean = sum / count
  const variance = Math.max(0, (sumSquares - count * mean * mean) / (count - 1))
  const half = Z95 * Math.sqrt(variance / count)
  if (bounds === undefined) return { low: mean - half, high: mean + half }
  return { low: Math.max(bounds.min, mean - half), high: Math.min(bounds.max, mean + half) }
}
