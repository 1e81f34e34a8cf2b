/**
 * The console report: failing and errored cases first, each with its failing metrics' scores and reasons;
 * then passing cases, truncated; then the one-line summary (pass rate, counts, duration, cost).
 *
 * @example
 * ```ts
 * import { ConsoleDigest, summaryLine } from "./console.js"
 * const digest = new ConsoleDigest({ maxPassing: 10 })
 * for (const c of results) digest.add(c)
 * Console.log(digest.render(outcome, makeStyle(false)))
 * ```
 */
import type { CaseResult, RunOutcome, RunSummary } from "@assay/core"
import type { Style } from "./style.js"
import { formatCost, formatMillis, interval, percent, truncate } from "./text.js"
import { caseLabel, resultView } from "./view.js"

/**
 * How much to show.
 *
 * @example
 * ```ts
 * new ConsoleDigest({ maxPassing: 5, width: 80 } satisfies ConsoleReportOptions)
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
export const summaryLine = (s: RunSummary, style: Style, unpriced: ReadonlyArray<string> = []): string => {
  const rate = percent(s.passRate)
  const colored = s.failed + s.errored === 0 ? style.green(rate) : style.red(rate)
  // A model without a price makes the total unknown: never shown as if it cost nothing.
  const cost = unpriced.length === 0 ? formatCost(s.cost) : `cost unknown (no price for ${unpriced.join(", ")})`
  return `pass rate ${colored} · ${s.passed} passed, ${s.failed} failed, ${s.errored} errored, ${s.skipped} skipped` +
    ` · ${formatMillis(s.durationMs)} · ${cost}${s.passRateCI === undefined ? "" : ` · 95% CI${interval(s.passRateCI)}`}`
}

/** Insert `c` into `kept` (sorted by index, at most `limit` long) if it is among the `limit` lowest indices. */
const keepLowest = (kept: Array<CaseResult>, c: CaseResult, limit: number): void => {
  if (kept.length === limit && (limit === 0 || kept[limit - 1]!.index < c.index)) return
  let at = kept.length
  while (at > 0 && kept[at - 1]!.index > c.index) at--
  kept.splice(at, 0, c)
  if (kept.length > limit) kept.pop()
}

/**
 * The console report gathered a case at a time, in completion order as a run delivers them: the failing/errored
 * and passing cases of lowest input index in full, the rest counted, so a run of any size is summarized in
 * bounded memory without reading its results back.
 *
 * @example
 * ```ts
 * const digest = new ConsoleDigest()
 * for (const c of results) digest.add(c)
 * Console.log(digest.render(outcome, style))
 * ```
 */
export class ConsoleDigest {
  private readonly bad: Array<CaseResult> = []
  private readonly good: Array<CaseResult> = []
  private badCount = 0
  private goodCount = 0
  private skipped = 0
  constructor(private readonly options: ConsoleReportOptions = {}) {}

  /** Take one case, in any order: the cases listed are those of lowest input index. */
  add(c: CaseResult): void {
    if (c.skipped) this.skipped++
    else if (c.success) {
      this.goodCount++
      keepLowest(this.good, c, this.options.maxPassing ?? 10)
    } else {
      this.badCount++
      keepLowest(this.bad, c, this.options.maxFailing ?? 100)
    }
  }

  /** The report (without the trailing summary line). */
  render(outcome: RunOutcome, style: Style): string {
    const width = this.options.width ?? 100
    const lines: Array<string> = []
    const input = (c: CaseResult) => {
      const view = resultView(c)
      return view === undefined ? "" : ` ${style.dim(truncate(view.input, 60))}`
    }
    for (const c of this.bad) {
      lines.push(`${c.errored ? style.yellow("ERROR ") : style.red("FAILED")}  ${style.bold(caseLabel(c))}${input(c)}`)
      if (c.error !== undefined) lines.push(`    ${style.yellow("error")} ${truncate(c.error, width)}`)
      for (const m of c.metrics) if (!m.success) lines.push(metricDetail(m, style, width))
    }
    const moreBad = this.badCount - this.bad.length
    if (moreBad > 0) lines.push(style.dim(`… and ${moreBad} more failing cases (all of them are in --out, --junit and --html)`))
    for (const c of this.good) lines.push(`${style.green("passed")}  ${caseLabel(c)}${input(c)}`)
    const moreGood = this.goodCount - this.good.length
    if (moreGood > 0) lines.push(style.dim(`… and ${moreGood} more passing cases`))
    if (this.skipped > 0) lines.push(style.dim(`${this.skipped} cases skipped (no metric applied)`))
    if (outcome.unfinished.length > 0) lines.push(style.yellow(`${outcome.unfinished.length} cases unfinished (${outcome.status})`))
    if (outcome.summary.metrics.length > 0) {
      lines.push("")
      for (const m of outcome.summary.metrics) {
        lines.push(`  ${m.name.padEnd(24)} pass ${percent(m.passRate).padStart(6)}${interval(m.passRateCI)}` +
          `  mean ${m.mean?.toFixed(3) ?? "n/a"}${interval(m.meanCI, 3)}` +
          `${m.errored > 0 ? `  ${m.errored} errored` : ""}${m.skipped > 0 ? `  ${m.skipped} skipped` : ""}`)
      }
    }
    return lines.join("\n")
  }
}
