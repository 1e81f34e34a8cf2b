/**
 * The `--out` report: the run as core's `RunResult` JSON, with one case per line (`cases` holds one compact
 * CaseResult per line, in input order), so it is written and read a case at a time.
 *
 * @example
 * ```ts
 * import { jsonReport } from "./json.js"
 * JSON.parse(renderWhole(jsonReport, head, results)).cases.length
 * ```
 */
import type { CaseResult } from "@assay/core"
import type { StreamedReport } from "./streamed.js"

/**
 * The RunResult JSON report; see the module doc. A CaseResult's schema has no transformations, so its
 * encoded form is the value itself.
 *
 * @example
 * ```ts
 * jsonReport(head).item(result, true) // '\n    {"index":0,…}'
 * ```
 */
export const jsonReport: StreamedReport = ({ outcome }) => ({
  head: `{\n  "runId": ${JSON.stringify(outcome.runId)},\n  "identifier": ${JSON.stringify(outcome.identifier)},\n` +
    `  "status": ${JSON.stringify(outcome.status)},\n  "summary": ${JSON.stringify(outcome.summary)},\n  "cases": [`,
  item: (result: CaseResult, first) => `${casePrefix(first)}${JSON.stringify(result)}`,
  jsonPrefix: casePrefix,
  tail: `\n  ],\n  "unfinished": ${JSON.stringify(outcome.unfinished)}\n}\n`
})

/** What precedes a case's JSON in the report: the comma after the previous case, a new line. */
const casePrefix = (first: boolean) => `${first ? "" : ","}\n    `
