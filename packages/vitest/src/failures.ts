/**
 * Which cases of a run fail an eval's bar, and the table that shows them: each failing case's name, input,
 * expected and actual output, and each failing metric's score, threshold and reason.
 *
 * @example
 * ```ts
 * const verdict = judgeRun(result, { minPassRate: 0.9 })
 * if (!verdict.ok) console.log(formatVerdict("capitals", verdict))
 * ```
 */
import { type CaseContent, contentText, type CaseResult, type MetricResult, type RunResult } from "@assay/core"

/**
 * The bar a run must clear.
 *
 * @example
 * ```ts
 * const bar: EvalBar = { minPassRate: 0.8, thresholds: { "exact-match": 1, "answer-relevancy": 0.7 } }
 * ```
 * @since 0.1.0
 */
export interface EvalBar {
  /** Share of judged cases (passed, failed or errored) that must pass, 0 to 1 (default 1: every case). */
  readonly minPassRate?: number | undefined
  /**
   * Score thresholds by metric name, overriding each metric's own: a metric result passes when its score
   * reaches the value (an errored result never passes, a skipped one is left out).
   */
  readonly thresholds?: Readonly<Record<string, number>> | undefined
}

/**
 * A metric result that failed the bar, with the threshold it was held to.
 *
 * @since 0.1.0
 */
export interface FailedMetric {
  readonly result: MetricResult
  readonly threshold: number
}

/**
 * A case that failed the bar: its result, the case as measured (when known), and its failing metrics.
 *
 * @since 0.1.0
 */
export interface FailedCase {
  readonly result: CaseResult
  readonly testCase: CaseContent | undefined
  readonly metrics: ReadonlyArray<FailedMetric>
}

/**
 * The outcome of holding a run to a bar.
 *
 * @since 0.1.0
 */
export interface Verdict {
  readonly ok: boolean
  readonly passed: number
  readonly judged: number
  readonly passRate: number | null
  readonly minPassRate: number
  readonly failures: ReadonlyArray<FailedCase>
}

const metricFails = (m: MetricResult, threshold: number | undefined): boolean => {
  if (m.skipped) return false
  if (m.error !== null || m.score === null) return true
  return threshold === undefined ? !m.success : m.score < threshold
}

/**
 * Hold a run to a bar. Fails (throws a RangeError) when `thresholds` names a metric the run does not have, or
 * `minPassRate` is outside [0, 1]: a typo must not make an assertion pass.
 *
 * @example
 * ```ts
 * judgeRun(result, { thresholds: { "exact-match": 1 } }).failures.length
 * ```
 * @since 0.1.0
 */
export const judgeRun = (run: RunResult, bar: EvalBar = {}): Verdict => {
  const minPassRate = bar.minPassRate ?? 1
  if (!(minPassRate >= 0 && minPassRate <= 1)) throw new RangeError(`minPassRate must be between 0 and 1, got ${minPassRate}`)
  const thresholds = bar.thresholds ?? {}
  const known = new Set(run.summary.metrics.map((m) => m.name))
  for (const name of Object.keys(thresholds)) {
    if (!known.has(name)) throw new RangeError(`thresholds: no metric named "${name}" in this run (metrics: ${[...known].join(", ") || "none"})`)
  }
  const failures: Array<FailedCase> = []
  let passed = 0
  let judged = 0
  for (const result of run.cases) {
    const metrics = result.metrics.flatMap((m) => (metricFails(m, thresholds[m.name]) ? [{ result: m, threshold: thresholds[m.name] ?? m.threshold }] : []))
    const ran = result.metrics.some((m) => !m.skipped)
    if (!ran && result.error === undefined) continue // skipped case: not judged
    judged++
    if (metrics.length === 0 && result.error === undefined) passed++
    else failures.push({ result, testCase: result.testCase, metrics })
  }
  const passRate = judged === 0 ? null : passed / judged
  return { ok: passRate !== null && passRate >= minPassRate, passed, judged, passRate, minPassRate, failures }
}

/** The longest text a table cell shows; the reason, last on its line, gets more. */
const CELL = 48
const REASON_CELL = 120
/** The most failing cases a table lists. */
const MAX_ROWS = 30

/** One line of at most `width` characters: newlines shown as ⏎, the rest cut with …. */
const cell = (value: unknown, width = CELL): string => {
  if (value === undefined || value === null) return "-"
  const text = (typeof value === "string" ? value : JSON.stringify(value)).replace(/\r?\n/g, " ⏎ ")
  return text.length > width ? `${text.slice(0, width - 1)}…` : text
}

const num = (n: number | null): string => (n === null ? "-" : n.toFixed(3))

const text = (content: CaseContent["input"]): string | undefined => (content === undefined ? undefined : contentText(content))

const fields = (testCase: CaseContent | undefined) => {
  if (testCase === undefined) return { input: undefined, expected: undefined, actual: undefined }
  if (testCase.turns === undefined) {
    return { input: text(testCase.input), expected: text(testCase.expectedOutput), actual: text(testCase.actualOutput) }
  }
  const last = testCase.turns.at(-1)
  return { input: `${testCase.turns.length} turns`, expected: testCase.expectedOutcome, actual: last === undefined ? undefined : contentText(last.content) }
}

const HEADER = ["case", "input", "expected", "actual", "metric", "score", "threshold", "reason"] as const

/** The table's rows: one per failing metric, the case's columns on its first row only. */
const rowsOf = (failures: ReadonlyArray<FailedCase>): Array<ReadonlyArray<string>> =>
  failures.slice(0, MAX_ROWS).flatMap((f) => {
    const { actual, expected, input } = fields(f.testCase)
    const caseCells = [`#${f.result.index}${f.result.name === null ? "" : ` ${f.result.name}`}`, cell(input), cell(expected), cell(actual)]
    const blank = caseCells.map(() => "")
    if (f.result.error !== undefined) return [[...caseCells, "(task)", "-", "-", cell(`error: ${f.result.error}`, REASON_CELL)]]
    return f.metrics.map((m, i) => [
      ...(i === 0 ? caseCells : blank),
      m.result.name,
      num(m.result.score),
      num(m.threshold),
      cell(m.result.error !== null ? `error: ${m.result.error}` : m.result.reason, REASON_CELL)
    ])
  })

/**
 * The verdict as text: a headline (pass rate against the bar), then the failing cases as an aligned table.
 *
 * @example
 * ```ts
 * formatVerdict("capitals", verdict) // 'eval "capitals": 1 of 3 cases failed …'
 * ```
 * @since 0.1.0
 */
export const formatVerdict = (name: string, verdict: Verdict): string => {
  const rate = (r: number | null) => (r === null ? "n/a" : `${(r * 100).toFixed(1)}%`)
  const failed = verdict.judged - verdict.passed
  const headline = verdict.judged === 0
    ? `eval "${name}": no case was scored (every metric skipped)`
    : `eval "${name}": ${failed} of ${verdict.judged} cases failed — pass rate ${rate(verdict.passRate)}, required ${rate(verdict.minPassRate)}`
  if (verdict.failures.length === 0) return headline
  const rows = [HEADER as ReadonlyArray<string>, ...rowsOf(verdict.failures)]
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  const line = (r: ReadonlyArray<string>) => r.map((v, c) => v.padEnd(widths[c]!)).join(" │ ").trimEnd()
  const rule = widths.map((w) => "─".repeat(w)).join("─┼─")
  const more = verdict.failures.length > MAX_ROWS ? [`… and ${verdict.failures.length - MAX_ROWS} more failing cases`] : []
  return [headline, "", line(rows[0]!), rule, ...rows.slice(1).map(line), ...more].join("\n")
}
