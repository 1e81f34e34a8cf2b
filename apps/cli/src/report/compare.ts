/**
 * The text of a run comparison (from @assay/store's `compareRuns`): regressions first, then fixes, then
 * other score changes, then the per-metric mean before → after and a count line.
 *
 * @example
 * ```ts
 * import { compareRuns } from "@assay/store"
 * import { comparisonText } from "./compare.js"
 * Console.log(comparisonText(compareRuns(a, b), a.summary, b.summary, makeStyle(false)))
 * ```
 */
import type { RunSummary } from "@assay/core"
import type { CaseChange, RunComparison } from "@assay/store"
import type { Style } from "./style.js"
import { caseLabel } from "./view.js"

const sign = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`
const score = (x: number | null) => (x === null ? "n/a" : x.toFixed(3))

const changeLines = (change: CaseChange, style: Style): Array<string> =>
  change.metrics.map((m) => {
    const text = `    ${m.name} ${score(m.before)} → ${score(m.after)}${m.delta === null ? "" : ` (${sign(m.delta)})`}`
    return m.delta !== null && m.delta < 0 ? style.red(text) : style.green(text)
  })

/**
 * Render a comparison of run A (before) with run B (after).
 *
 * @example
 * ```ts
 * comparisonText(diff, before.summary, after.summary, makeStyle(false)).split("\n").at(-1) // "1 regressed, 2 improved, …"
 * ```
 */
export const comparisonText = (diff: RunComparison, before: RunSummary, after: RunSummary, style: Style): string => {
  const lines = [`compare ${diff.before ?? "?"} → ${diff.after ?? "?"}`]
  for (const c of diff.regressed) lines.push(`${style.red("REGRESSED")} ${caseLabel(c)}`, ...changeLines(c, style))
  for (const c of diff.improved) lines.push(`${style.green("IMPROVED")}  ${caseLabel(c)}`, ...changeLines(c, style))
  for (const c of diff.changed) lines.push(`changed   ${caseLabel(c)}`, ...changeLines(c, style))
  for (const m of after.metrics) {
    const old = before.metrics.find((x) => x.name === m.name)
    if (old?.mean == null || m.mean === null) continue
    lines.push(`  mean ${m.name}: ${old.mean.toFixed(3)} → ${m.mean.toFixed(3)} (${sign(m.mean - old.mean)})`)
  }
  if (diff.onlyBefore.length + diff.onlyAfter.length > 0) {
    lines.push(style.dim(`${diff.onlyBefore.length} cases only in the first run, ${diff.onlyAfter.length} only in the second`))
  }
  lines.push(`${diff.regressed.length} regressed, ${diff.improved.length} improved, ${diff.changed.length} changed, ${diff.unchanged} unchanged`)
  return lines.join("\n")
}
