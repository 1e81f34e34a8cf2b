/**
 * Progress counters of a run and their one-line rendering: done/total, pass rate so far, throughput, ETA,
 * per-metric pass counts, and (when judges run) the judge status line.
 *
 * @example
 * ```ts
 * import { ProgressState } from "./state.js"
 * const state = new ProgressState(40, 0)
 * state.add(caseResult)
 * state.line(1_000) // "12/40 30% · pass 91.7% · 12.0/s · ETA 2s · exact-match 11/12"
 * ```
 */
import type { CaseResult } from "@assay/core"
import { formatMillis, percent } from "../report/text.js"

/**
 * Mutable counters; only the progress reporter touches them.
 *
 * @example
 * ```ts
 * const state = new ProgressState(10, 0); state.add(result); state.line(2000)
 * ```
 */
export class ProgressState {
  done = 0
  passed = 0
  judged = 0
  private readonly metrics = new Map<string, { passed: number; ran: number }>()

  constructor(readonly total: number | undefined, readonly startedAt: number) {}

  /** Count one finished case. */
  add(result: CaseResult): void {
    this.done++
    if (!result.skipped) {
      this.judged++
      if (result.success) this.passed++
    }
    for (const m of result.metrics) {
      if (m.skipped) continue
      const acc = this.metrics.get(m.name) ?? { passed: 0, ran: 0 }
      acc.ran++
      if (m.success) acc.passed++
      this.metrics.set(m.name, acc)
    }
  }

  /** Fraction done, when the total is known. */
  fraction(): number | undefined {
    return this.total === undefined || this.total === 0 ? undefined : Math.min(1, this.done / this.total)
  }

  /** The status text at time `now` (ms); `extra` is appended (judge retries, connection cap). */
  line(now: number, extra?: string): string {
    const elapsed = Math.max(1, now - this.startedAt)
    const rate = (this.done * 1000) / elapsed
    const parts = [
      this.total === undefined ? `${this.done}` : `${this.done}/${this.total} ${percent(this.fraction() ?? 0)}`,
      `pass ${percent(this.judged === 0 ? null : this.passed / this.judged)}`,
      `${rate.toFixed(1)}/s`
    ]
    if (this.total !== undefined && this.done > 0 && this.done < this.total) {
      parts.push(`ETA ${formatMillis(((this.total - this.done) / rate) * 1000)}`)
    }
    const perMetric = [...this.metrics].map(([name, m]) => `${name} ${m.passed}/${m.ran}`).join(" ")
    if (perMetric !== "") parts.push(perMetric)
    if (extra !== undefined && extra !== "") parts.push(extra)
    return parts.join(" · ")
  }
}
