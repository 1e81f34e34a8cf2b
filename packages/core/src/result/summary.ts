/**
 * An incremental summary: add case results one at a time (any order), read the totals at the end.
 * Memory is O(metrics), not O(cases), so a streamed run of millions of cases summarizes in constant space.
 *
 * @example
 * ```ts
 * const acc = SummaryAccumulator.empty()
 * for (const r of results) acc.add(r)
 * const summary = acc.summary(durationMs)
 * ```
 */
import { meanInterval, wilsonInterval } from "../stats/stats.js"
import type { CaseResult, MetricSummary, RunSummary } from "./run-result.js"

interface MetricAcc {
  count: number
  passed: number
  errored: number
  skipped: number
  scored: number
  sum: number
  sumSquares: number
  min: number
  max: number
}

/**
 * Mutable accumulator of a run's totals; see the module doc.
 *
 * @since 0.1.0
 */
export class SummaryAccumulator {
  private total = 0
  private passed = 0
  private failed = 0
  private errored = 0
  private skipped = 0
  private cost = 0
  private inputTokens = 0
  private outputTokens = 0
  private readonly metrics = new Map<string, MetricAcc>()

  static empty(): SummaryAccumulator {
    return new SummaryAccumulator()
  }

  /** Count one finished case. */
  add(result: CaseResult): void {
    this.total++
    if (result.skipped) this.skipped++
    else if (result.errored) this.errored++
    else if (result.success) this.passed++
    else this.failed++
    this.cost += result.cost
    this.inputTokens += result.tokens.input
    this.outputTokens += result.tokens.output
    for (const m of result.metrics) {
      let acc = this.metrics.get(m.name)
      if (acc === undefined) {
        acc = { count: 0, passed: 0, errored: 0, skipped: 0, scored: 0, sum: 0, sumSquares: 0, min: Infinity, max: -Infinity }
        this.metrics.set(m.name, acc)
      }
      acc.count++
      if (m.skipped) acc.skipped++
      else if (m.error !== null) acc.errored++
      else if (m.success) acc.passed++
      if (m.score !== null && !m.skipped && m.error === null) {
        acc.scored++
        acc.sum += m.score
        acc.sumSquares += m.score * m.score
        if (m.score < acc.min) acc.min = m.score
        if (m.score > acc.max) acc.max = m.score
      }
    }
  }

  /** The totals so far. */
  summary(durationMs: number): RunSummary {
    const judged = this.passed + this.failed + this.errored
    const metrics: Array<MetricSummary> = []
    for (const [name, acc] of this.metrics) {
      const ran = acc.count - acc.skipped
      const meanCI = meanInterval(acc.scored, acc.sum, acc.sumSquares, acc)
      const passRateCI = wilsonInterval(acc.passed, ran)
      metrics.push({
        name,
        count: acc.count,
        passed: acc.passed,
        errored: acc.errored,
        skipped: acc.skipped,
        mean: acc.scored === 0 ? null : acc.sum / acc.scored,
        min: acc.scored === 0 ? null : acc.min,
        max: acc.scored === 0 ? null : acc.max,
        passRate: ran === 0 ? null : acc.passed / ran,
        ...(meanCI === null ? {} : { meanCI }),
        ...(passRateCI === null ? {} : { passRateCI })
      })
    }
    const passRateCI = wilsonInterval(this.passed, judged)
    return {
      total: this.total,
      passed: this.passed,
      failed: this.failed,
      errored: this.errored,
      skipped: this.skipped,
      passRate: judged === 0 ? null : this.passed / judged,
      ...(passRateCI === null ? {} : { passRateCI }),
      durationMs,
      cost: this.cost,
      tokens: { input: this.inputTokens, output: this.outputTokens },
      metrics
    }
  }
}
