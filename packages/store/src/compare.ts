/**
 * Compare two runs case by case (matched by input index): cases that stopped passing (regressed), started
 * passing (improved), kept their verdict but changed a score (changed), and cases present in only one run.
 *
 * @example
 * ```ts
 * const diff = compareRuns(baseline, candidate)
 * diff.regressed.map((c) => c.index)
 * ```
 */
import type { CaseResult, RunResult } from "@assay/core"

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
  readonly index: number
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
}

const metricDeltas = (before: CaseResult, after: CaseResult): ReadonlyArray<MetricDelta> => {
  const scores = new Map<string, { before: number | null; after: number | null }>()
  for (const m of before.metrics) scores.set(m.name, { before: m.score, after: null })
  for (const m of after.metrics) scores.set(m.name, { before: scores.get(m.name)?.before ?? null, after: m.score })
  const out: Array<MetricDelta> = []
  for (const [name, s] of scores) {
    if (s.before === s.after) continue
    out.push({ name, ...s, delta: s.before === null || s.after === null ? null : s.after - s.before })
  }
  return out
}

/**
 * Compare `before` with `after`; see the module doc.
 *
 * @example
 * ```ts
 * compareRuns(a, b).unchanged // cases with the same verdict and scores
 * ```
 */
export const compareRuns = (before: RunResult, after: RunResult): RunComparison => {
  const afterByIndex = new Map(after.cases.map((c) => [c.index, c] as const))
  const seen = new Set<number>()
  const regressed: Array<CaseChange> = []
  const improved: Array<CaseChange> = []
  const changed: Array<CaseChange> = []
  const onlyBefore: Array<CaseRef> = []
  let unchanged = 0
  for (const b of before.cases) {
    const a = afterByIndex.get(b.index)
    if (a === undefined) {
      onlyBefore.push({ index: b.index, name: b.name })
      continue
    }
    seen.add(b.index)
    const change: CaseChange = { index: b.index, name: a.name ?? b.name, before: b.success, after: a.success, metrics: metricDeltas(b, a) }
    if (b.success && !a.success) regressed.push(change)
    else if (!b.success && a.success) improved.push(change)
    else if (change.metrics.length > 0) changed.push(change)
    else unchanged++
  }
  const onlyAfter = after.cases.filter((c) => !seen.has(c.index)).map((c) => ({ index: c.index, name: c.name }))
  return { before: before.runId, after: after.runId, regressed, improved, changed, unchanged, onlyBefore, onlyAfter }
}
