/**
 * The `--junit` report: JUnit XML (one `<testcase>` per case; a failing metric is a `<failure>`, an errored
 * one an `<error>`, a skipped case `<skipped>`), which CI systems render natively. Each case's `<system-out>`
 * shows its test case (input, expected and actual output, context) above its metrics' scores.
 *
 * @example
 * ```ts
 * import { junitReport } from "./junit.js"
 * const xml = renderWhole(junitReport, head, results)
 * ```
 */
import type { CaseResult } from "@assay/core"
import type { StreamedReport } from "./streamed.js"
import { escapeXml } from "./text.js"
import { caseLabel, resultView } from "./view.js"

const seconds = (ms: number) => (ms / 1000).toFixed(3)

const metricLine = (m: CaseResult["metrics"][number]) =>
  `${m.name}: ${m.error !== null ? `error: ${m.error}` : `score ${m.score?.toFixed(3) ?? "n/a"} (threshold ${m.threshold})${m.reason ? ` — ${m.reason}` : ""}`}`

const testcase = (suite: string, c: CaseResult): string => {
  const open = `    <testcase name="${escapeXml(caseLabel(c))}" classname="${escapeXml(suite)}" time="${seconds(c.durationMs)}">`
  const failed = c.metrics.filter((m) => !m.skipped && !m.success && m.error === null)
  const errored = c.metrics.filter((m) => m.error !== null)
  const body: Array<string> = []
  if (c.error !== undefined) body.push(`      <error message="the case could not be measured">${escapeXml(c.error)}</error>`)
  if (c.skipped) body.push(`      <skipped message="${escapeXml(c.metrics[0]?.reason ?? "no metric applied")}"/>`)
  if (errored.length > 0) {
    body.push(`      <error message="${escapeXml(errored.map((m) => m.name).join(", "))} errored">${escapeXml(errored.map(metricLine).join("\n"))}</error>`)
  }
  if (failed.length > 0) {
    body.push(`      <failure message="${escapeXml(failed.map((m) => m.name).join(", "))} below threshold">${escapeXml(failed.map(metricLine).join("\n"))}</failure>`)
  }
  body.push(`      <system-out>${escapeXml([...contentLines(c), ...c.metrics.map(metricLine)].join("\n"))}</system-out>`)
  return [open, ...body, "    </testcase>"].join("\n")
}

/** The case's content as `label: text` lines (none for results stored without it). */
const contentLines = (c: CaseResult): ReadonlyArray<string> => {
  const view = resultView(c)
  if (view === undefined) return []
  const lines = [`input: ${view.input}`]
  if (view.expected !== undefined) lines.push(`expected: ${view.expected}`)
  if (view.actual !== undefined) lines.push(`actual: ${view.actual}`)
  if (view.context.length > 0) lines.push(`context: ${view.context.join(" | ")}`)
  return lines
}

/**
 * The run as JUnit XML, a case at a time.
 *
 * @example
 * ```ts
 * renderWhole(junitReport, head, results).startsWith("<?xml") // true
 * ```
 */
export const junitReport: StreamedReport = ({ dataset, outcome }) => {
  const suite = outcome.identifier ?? dataset
  const s = outcome.summary
  const counts = `tests="${s.total}" failures="${s.failed}" errors="${s.errored}" skipped="${s.skipped}" time="${seconds(s.durationMs)}"`
  return {
    head: [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<testsuites name="assay" ${counts}>`,
      `  <testsuite name="${escapeXml(suite)}" ${counts}>`,
      `    <properties><property name="runId" value="${escapeXml(outcome.runId ?? "")}"/><property name="status" value="${outcome.status}"/></properties>`
    ].join("\n"),
    item: (c) => `\n${testcase(suite, c)}`,
    tail: `\n  </testsuite>\n</testsuites>\n`
  }
}
