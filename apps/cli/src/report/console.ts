/**
 * The console report: failing and errored cases first, each with its failing metrics' scores and reasons;
 * then passing cases, truncated; then the one-line summary (pass rate, counts, duration, cost).
 *
 * @example
 * ```ts
 * import { consoleReport, summaryLine } from "./console.js"
 * import { makeStyle } from "./style.js"
 * Console.log(consoleReport(data, makeStyle(false), { maxPassing: 10 }))
 * ```
 */
import type { CaseResult, RunSummary } from "@assay/core"
import type { Style } from "./style.js"
import { formatCost, formatMillis, percent, truncate } from "./text.js"
import { caseLabel, type ReportData } from "./view.js"

/**
 * How much to show.
 *
 * @example
 * ```ts
 * consoleReport(data, style, { maxPassing: 5, width: 80 } satisfies ConsoleReportOptions)
 * ```
 */
export interface ConsoleReportOptions {
  /** Passing cases listed before "… and N more" (default 10). */
  readonly maxPassing?: number
  /** Failing and errored cases listed in full before "… and N more" (default 100; every one is in --out/--html). */
  readonly maxFailing?: number
  /** Width of text snippets (default 100). */
  readonly width?: number
}

const metricDetail = (m: CaseResult["metrics"][number], style: Style, width: number): string => {
  if (m.error !== null) return `    ${style.yellow("error")} ${m.name}: ${truncate(m.error, width)}`
  if (m.skipped) return `    ${style.dim("skip")}  ${m.name}: ${truncate(m.reason ?? "", width)}`
  const score = `${m.score?.toFixed(3) ?? "n/a"} / ${m.threshold}${m.cached ? style.dim(" cached") : ""}`
  const mark = m.success ? style.green("pass") : style.red("FAIL")
  return `    ${mark}  ${m.name} ${score}${m.reason ? ` — ${truncate(m.reason, width)}` : ""}`
}

/**
 * The one-line summary.
 *
 * @example
 * ```ts
 * summaryLine(summary, style) // "pass rate 85.0% · 34 passed, 5 failed, 1 errored, 0 skipped · 1.2s · $0.0000"
 * ```
 */
export const summaryLine = (s: RunSummary, style: Style): string => {
  const rate = percent(s.passRate)
  const colored = s.failed + s.errored === 0 ? style.green(rate) : style.red(rate)
  return `pass rate ${colored} · ${s.passed} passed, ${s.failed} failed, ${s.errored} errored, ${s.skipped} skipped` +
    ` · ${formatMillis(s.durationMs)} · ${formatCost(s.cost)}`
}

/**
 * The full console report (without the trailing summary line).
 *
 * @example
 * ```ts
 * consoleReport(data, makeStyle(false)).split("\n")[0] // "FAILED  #3 What is the capital of Australia?"
 * ```
 */
export const consoleReport = ({ cases, result }: ReportData, style: Style, options: ConsoleReportOptions = {}): string => {
  const width = options.width ?? 100
  const maxPassing = options.maxPassing ?? 10
  const lines: Array<string> = []
  const input = (c: CaseResult) => {
    const view = cases.get(c.index)
    return view === undefined ? "" : ` ${style.dim(truncate(view.input, 60))}`
  }
  const maxFailing = options.maxFailing ?? 100
  const bad = result.cases.filter((c) => !c.success && !c.skipped)
  for (const c of bad.slice(0, maxFailing)) {
    lines.push(`${c.errored ? style.yellow("ERROR ") : style.red("FAILED")}  ${style.bold(caseLabel(c))}${input(c)}`)
    if (c.error !== undefined) lines.push(`    ${style.yellow("error")} ${truncate(c.error, width)}`)
    for (const m of c.metrics) if (!m.success) lines.push(metricDetail(m, style, width))
  }
  if (bad.length > maxFailing) lines.push(style.dim(`… and ${bad.length - maxFailing} more failing cases (all of them are in --out, --junit and --html)`))
  const good = result.cases.filter((c) => c.success)
  for (const c of good.slice(0, maxPassing)) lines.push(`${style.green("passed")}  ${caseLabel(c)}${input(c)}`)
  if (good.length > maxPassing) lines.push(style.dim(`… and ${good.length - maxPassing} more passing cases`))
  const skipped = result.cases.filter((c) => c.skipped).length
  if (skipped > 0) lines.push(style.dim(`${skipped} cases skipped (no metric applied)`))
  if (result.unfinished.length > 0) lines.push(style.yellow(`${result.unfinished.length} cases unfinished (${result.status})`))
  if (result.summary.metrics.length > 0) {
    lines.push("")
    for (const m of result.summary.metrics) {
      lines.push(`  ${m.name.padEnd(24)} pass ${percent(m.passRate).padStart(6)}  mean ${m.mean?.toFixed(3) ?? "n/a"}` +
        `${m.errored > 0 ? `  ${m.errored} errored` : ""}${m.skipped > 0 ? `  ${m.skipped} skipped` : ""}`)
    }
  }
  return lines.join("\n")
}
