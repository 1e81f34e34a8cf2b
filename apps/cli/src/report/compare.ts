/**
 * The text of a run comparison (from @assay/store's `compareRuns`/`compareStreams`): regressions first, then
 * fixes, then other score changes, then a per-metric table (means, paired difference with its bootstrap 95 %
 * interval, pass-rate flips, McNemar p and Holm-adjusted p) and a count line.
 *
 * @example
 * ```ts
 * import { compareRuns } from "@assay/store"
 * import { comparisonText } from "./compare.js"
 * Console.log(comparisonText(compareRuns(a, b), 0.05, makeStyle(false)))
 * ```
 */
import type { CaseChange, MetricComparison, RunComparison } from "@assay/store"
import type { Style } from "./style.js"
import { interval, percent } from "./text.js"
import { caseLabel } from "./view.js"

const sign = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`
const score = (x: number | null) => (x === null ? "n/a" : x.toFixed(3))
const pValue = (p: number) => (p < 0.0001 ? "<0.0001" : p.toFixed(4))

const changeLines = (change: CaseChange, style: Style): Array<string> =>
  change.metrics.map((m) => {
    const text = `    ${m.name} ${score(m.before)} → ${score(m.after)}${m.delta === null ? "" : ` (${sign(m.delta)})`}`
    return m.delta !== null && m.delta < 0 ? style.red(text) : style.green(text)
  })

/**
 * The metrics that dropped significantly: Holm-adjusted McNemar p below `alpha` and the pass rate fell (more
 * pass→fail than fail→pass flips).
 *
 * @example
 * ```ts
 * significantRegressions(diff, 0.05).map((m) => m.name) // ["answer-relevancy"]
 * ```
 */
export const significantRegressions = (diff: RunComparison, alpha: number): ReadonlyArray<MetricComparison> =>
  diff.metrics.filter((m) => droppedSignificantly(m, alpha))

/** One metric's significant drop: the rule behind `significantRegressions` and the console's marker. */
const droppedSignificantly = (m: MetricComparison, alpha: number): boolean => m.adjustedP < alpha && m.passToFail > m.failToPass

const metricLine = (m: MetricComparison, alpha: number, style: Style): string => {
  const diff = m.meanDiff === null ? "n/a" : `${sign(m.meanDiff)}${interval(m.diffCI ?? undefined, 3)}`
  const text = `  ${m.name.padEnd(20)} mean ${score(m.meanBefore)} → ${score(m.meanAfter)}  Δ ${diff}` +
    `  pass ${percent(m.passRateBefore)} → ${percent(m.passRateAfter)} (${m.passToFail}↓ ${m.failToPass}↑)` +
    `  p ${pValue(m.pValue)}  adj ${pValue(m.adjustedP)}`
  if (m.adjustedP >= alpha) return text
  return droppedSignificantly(m, alpha) ? style.red(`${text}  significant drop`) : style.green(`${text}  significant gain`)
}

/**
 * Render a comparison of run A (before) with run B (after); `alpha` marks significant metrics.
 *
 * @example
 * ```ts
 * comparisonText(diff, 0.05, makeStyle(false)).split("\n").at(-1) // "1 regressed, 2 improved, …"
 * ```
 */
export const comparisonText = (diff: RunComparison, alpha: number, style: Style): string => {
  const lines = [`compare ${diff.before ?? "?"} → ${diff.after ?? "?"} (cases matched by name, else by input)`]
  for (const c of diff.regressed) lines.push(`${style.red("REGRESSED")} ${caseLabel(c)}`, ...changeLines(c, style))
  for (const c of diff.improved) lines.push(`${style.green("IMPROVED")}  ${caseLabel(c)}`, ...changeLines(c, style))
  for (const c of diff.changed) lines.push(`changed   ${caseLabel(c)}`, ...changeLines(c, style))
  for (const c of diff.onlyBefore) lines.push(style.dim(`removed   ${caseLabel(c)}`))
  for (const c of diff.onlyAfter) lines.push(style.dim(`added     ${caseLabel(c)}`))
  if (diff.metrics.length > 0) {
    lines.push(style.dim(`per metric over matched cases: Δ = mean paired difference [bootstrap 95% CI]; p = McNemar exact on pass/fail flips; adj = Holm-adjusted across ${diff.metrics.length} ${diff.metrics.length === 1 ? "metric" : "metrics"}`))
    for (const m of diff.metrics) lines.push(metricLine(m, alpha, style))
  }
  lines.push(`${diff.regressed.length} regressed, ${diff.improved.length} improved, ${diff.changed.length} changed, ${diff.unchanged} unchanged, ` +
    `${diff.onlyBefore.length} removed, ${diff.onlyAfter.length} added`)
  const matched = diff.regressed.length + diff.improved.length + diff.changed.length + diff.unchanged
  if (matched === 0 && diff.onlyBefore.length + diff.onlyAfter.length > 0) {
    lines.push(style.yellow("warning: the two runs share no case (by name or input): were they run on the same dataset?"))
  }
  return lines.join("\n")
}
