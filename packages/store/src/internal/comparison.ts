/**
 * What comparing two runs produces ({@link RunComparison}: changed cases and per-metric statistics) and how
 * to compare them ({@link CompareOptions}); the comparison itself is in `compare.ts`.
 *
 * @example
 * ```ts
 * const diff: RunComparison = compareRuns(baseline, candidate)
 * ```
 */
import type { Interval } from "@assay/core"

/**
 * One metric's score in both runs.
 *
 * @example
 * ```ts
 * const d: MetricDelta = { name: "bleu", before: 0.4, after: 0.6, delta: 0.2 }
 * ```
 */
export interface MetricDelta {
  readonly name: string
  readonly before: number | null
  readonly after: number | null
  /** after − before; null when either is missing. */
  readonly delta: number | null
}

/**
 * A case present in both runs whose verdict or scores differ.
 *
 * @example
 * ```ts
 * compareRuns(a, b).regressed[0]?.metrics // the scores that moved
 * ```
 */
export interface CaseChange {
  /** The case's index in the second run. */
  readonly index: number
  /** The case's index in the first run (the same case, matched by identity). */
  readonly beforeIndex: number
  /** The identity both runs share (see {@link caseIdentity}). */
  readonly key: string
  readonly name: string | null
  readonly before: boolean
  readonly after: boolean
  /** The metrics whose score differs. */
  readonly metrics: ReadonlyArray<MetricDelta>
}

/**
 * A case present in one run only.
 *
 * @example
 * ```ts
 * compareRuns(a, b).onlyAfter // [{ index: 12, name: "new case" }]
 * ```
 */
export interface CaseRef {
  readonly index: number
  /** The case's identity (see {@link caseIdentity}). */
  readonly key: string
  readonly name: string | null
}

/**
 * The comparison of two runs.
 *
 * @example
 * ```ts
 * const { regressed, improved, changed, unchanged } = compareRuns(a, b)
 * ```
 */
export interface RunComparison {
  readonly before: string | null
  readonly after: string | null
  readonly regressed: ReadonlyArray<CaseChange>
  readonly improved: ReadonlyArray<CaseChange>
  readonly changed: ReadonlyArray<CaseChange>
  readonly unchanged: number
  readonly onlyBefore: ReadonlyArray<CaseRef>
  readonly onlyAfter: ReadonlyArray<CaseRef>
  /** Per-metric statistics over the matched cases, in order of first appearance. */
  readonly metrics: ReadonlyArray<MetricComparison>
  /** How `adjustedP` corrects for comparing several metrics. */
  readonly adjustment: "holm"
}

/**
 * One metric compared over the cases both runs share.
 *
 * @example
 * ```ts
 * const m: MetricComparison = diff.metrics[0]!; m.adjustedP < 0.05 && m.meanDiff! < 0 // a significant drop
 * ```
 */
export interface MetricComparison {
  readonly name: string
  /** Matched cases where the metric scored in both runs. */
  readonly paired: number
  readonly meanBefore: number | null
  readonly meanAfter: number | null
  /** Mean of (after − before) over the paired scores. */
  readonly meanDiff: number | null
  /** Paired bootstrap 95 % interval of `meanDiff` (seeded: the same runs give the same interval). */
  readonly diffCI: Interval | null
  /** Matched cases where the metric gave a verdict (not skipped) in both runs. */
  readonly verdicts: number
  readonly passRateBefore: number | null
  readonly passRateAfter: number | null
  readonly passToFail: number
  readonly failToPass: number
  /** McNemar's exact two-sided p on the flips. */
  readonly pValue: number
  /** `pValue` adjusted across the compared metrics (Holm). */
  readonly adjustedP: number
}

/**
 * Options of a comparison.
 *
 * @example
 * ```ts
 * compareRuns(a, b, { seed: 7, resamples: 2000 })
 * ```
 */
export interface CompareOptions {
  /** Bootstrap PRNG seed (default 1). */
  readonly seed?: number
  /** Bootstrap resamples (default 1000). */
  readonly resamples?: number
}
