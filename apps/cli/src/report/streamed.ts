/**
 * A report written in one pass over a run's results in case order: a head (what is known before the first
 * case: the outcome and its summary), one piece per case, and a tail. The `--out`, `--junit` and `--html`
 * reports are each one of these, so none of them needs the run's results in memory.
 *
 * @example
 * ```ts
 * import { renderWhole, type StreamedReport } from "./streamed.js"
 * const text = renderWhole(jsonReport, head, cases)
 * ```
 */
import type { CaseResult } from "@assay/core"
import type { ReportHead } from "./view.js"

/**
 * A report's text for one run: head, per-case pieces and tail; see the module doc.
 *
 * @example
 * ```ts
 * const pieces: ReportPieces = { head: "[", item: (c, first) => (first ? "" : ",") + c.index, tail: "]" }
 * ```
 */
export interface ReportPieces {
  readonly head: string
  /** The text of one case; `first` is true for the first case written. */
  readonly item: (result: CaseResult, first: boolean) => string
  /**
   * Set by a report whose piece of a case is this prefix followed by the result's JSON (what `JSON.stringify`
   * makes of it): a stored run's results are then copied into it without being parsed.
   */
  readonly jsonPrefix?: ((first: boolean) => string) | undefined
  readonly tail: string
}

/**
 * A kind of report: its pieces for a run.
 *
 * @example
 * ```ts
 * const pieces = jsonReport({ outcome, dataset: "cases.jsonl" })
 * ```
 */
export type StreamedReport = (head: ReportHead) => ReportPieces

/**
 * A whole report as one string (small runs, tests).
 *
 * @example
 * ```ts
 * renderWhole(junitReport, head, results).startsWith("<?xml") // true
 * ```
 */
export const renderWhole = (report: StreamedReport, head: ReportHead, cases: Iterable<CaseResult>): string => {
  const pieces = report(head)
  const parts = [pieces.head]
  let first = true
  for (const c of cases) {
    parts.push(pieces.item(c, first))
    first = false
  }
  parts.push(pieces.tail)
  return parts.join("")
}
