/**
 * Comparing two runs of the same dataset case by case: regressions (passed before, not now), fixes, and
 * per-metric score deltas (case-level and mean).
 *
 * @example
 * ```ts
 * import { compareRuns, comparisonText } from "./compare.js"
 * const diff = compareRuns(baseline.results, candidate.results)
 * diff.regressions.length // cases that got worse
 * ```
 */
import type { CaseResult } from "@assay/core"
import type { Style } from "./style.js"
import { caseLabel } from "./view.js"

/**
 * One metric's score change on one case.
 *
 * @example
 * ```ts
 * const d: ScoreDelta = { case: "paris", metric: "bleu", before: 0.8, after: 0.6 }
 * ```
 */
export interface ScoreDelta {
  readonly case: string
  readonly metric: string
  readonly before: number
  readonly after: number
}

/**
 * The comparison of two runs.
 *
 * @example
 * ```ts
 * const diff: Comparison = compareRuns(a, b); diff.regressions
 * ```
 */
export interface Comparison {
  readonly regressions: ReadonlyArray<string>
  readonly fixes: ReadonlyArray<string>
  readonly deltas: ReadonlyArray<ScoreDelta>
  readonly meanDelta: ReadonlyArray<{ readonly metric: string; readonly before: number; readonly after: number }>
  readonly onlyInA: number
  readonly onlyInB: number
}

const passed = (c: CaseResult) => c.success

const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length

/**
 * Compare run `a` (baseline) with run `b`, matching cases by input index.
 *
 * @example
 * ```ts
 * compareRuns(a, b).fixes // labels of cases that now pass
 * ```
 */
export const compareRuns = (a: ReadonlyArray<CaseResult>, b: ReadonlyArray<CaseResult>): Comparison => {
  const byIndex = new Map(a.map((c) => [c.index, c]))
  const regressions: Array<string> = []
  const fixes: Array<string> = []
  const deltas: Array<ScoreDelta> = []
  const scores = new Map<string, { before: Array<number>; after: Array<number> }>()
  let matched = 0
  for (const after of b) {
    const before = byIndex.get(after.index)
    if (before === undefined) continue
    matched++
    const label = caseLabel(after)
    if (passed(before) && !passed(after)) regressions.push(label)
    if (!passed(before) && passed(after)) fixes.push(label)
    for (const m of after.metrics) {
      const old = before.metrics.find((x) => x.name === m.name)
      if (old?.score == null || m.score === null) continue
      const acc = scores.get(m.name) ?? { before: [], after: [] }
      acc.before.push(old.score)
      acc.after.push(m.score)
      scores.set(m.name, acc)
      if (Math.abs(m.score - old.score) > 1e-9) deltas.push({ case: label, metric: m.name, before: old.score, after: m.score })
    }
  }
  return {
    regressions,
    fixes,
    deltas,
    meanDelta: [...scores].map(([metric, s]) => ({ metric, before: mean(s.before), after: mean(s.after) })),
    onlyInA: a.length - matched,
    onlyInB: b.length - matched
  }
}

/**
 * The comparison as text.
 *
 * @example
 * ```ts
 * comparisonText(diff, "run-a", "run-b", makeStyle(false))
 * ```
 */
export const comparisonText = (diff: Comparison, a: string, b: string, style: Style): string => {
  const sign = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`
  const lines = [`compare ${a} → ${b}`]
  for (const label of diff.regressions) lines.push(`${style.red("REGRESSION")} ${label}`)
  for (const label of diff.fixes) lines.push(`${style.green("fixed")}      ${label}`)
  for (const d of diff.deltas) {
    const text = `  ${d.case} ${d.metric} ${d.before.toFixed(3)} → ${d.after.toFixed(3)} (${sign(d.after - d.before)})`
    lines.push(d.after < d.before ? style.red(text) : style.green(text))
  }
  for (const m of diff.meanDelta) lines.push(`  mean ${m.metric}: ${m.before.toFixed(3)} → ${m.after.toFixed(3)} (${sign(m.after - m.before)})`)
  if (diff.onlyInA + diff.onlyInB > 0) lines.push(style.dim(`${diff.onlyInA} cases only in ${a}, ${diff.onlyInB} only in ${b}`))
  lines.push(`${diff.regressions.length} regressions, ${diff.fixes.length} fixed, ${diff.deltas.length} score changes`)
  return lines.join("\n")
}
