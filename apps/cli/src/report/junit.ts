/**
 * The `--junit` report: JUnit XML (one `<testcase>` per case; a failing metric is a `<failure>`, an errored
 * one an `<error>`, a skipped case `<skipped>`), which CI systems render natively.
 *
 * @example
 * ```ts
 * import { junitXml } from "./junit.js"
 * const xml = junitXml({ result, dataset: "cases.jsonl", cases: new Map() })
 * ```
 */
import type { CaseResult } from "@assay/core"
import { escapeXml } from "./text.js"
import { caseLabel, type ReportData } from "./view.js"

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
  body.push(`      <system-out>${escapeXml(c.metrics.map(metricLine).join("\n"))}</system-out>`)
  return [open, ...body, "    </testcase>"].join("\n")
}

/**
 * Render a run as JUnit XML.
 *
 * @example
 * ```ts
 * junitXml(data).startsWith("<?xml") // true
 * ```
 */
export const junitXml = ({ dataset, result }: ReportData): string => {
  const suite = result.identifier ?? dataset
  const s = result.summary
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="assay" tests="${s.total}" failures="${s.failed}" errors="${s.errored}" skipped="${s.skipped}" time="${seconds(s.durationMs)}">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${s.total}" failures="${s.failed}" errors="${s.errored}" skipped="${s.skipped}" time="${seconds(s.durationMs)}">`,
    `    <properties><property name="runId" value="${escapeXml(result.runId ?? "")}"/><property name="status" value="${result.status}"/></properties>`,
    ...result.cases.map((c) => testcase(suite, c)),
    `  </testsuite>`,
    `</testsuites>`,
    ``
  ].join("\n")
}
