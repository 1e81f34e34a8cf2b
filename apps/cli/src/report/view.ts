/**
 * What the reports show about a run: its outcome (status, summary, unfinished cases), the dataset it read, and
 * a text view of each case's content, taken from the test case the result carries.
 *
 * @example
 * ```ts
 * import { caseView } from "./view.js"
 * caseView({ input: "What is the capital of France?" }).input // "What is the capital of France?"
 * ```
 */
import { type CaseContent, type CaseResult, contentText, type RunOutcome } from "@assay/core"

/**
 * The text of one case, for reports.
 *
 * @example
 * ```ts
 * const view: CaseView = { input: "2+2?", expected: "4", actual: "4", context: [] }
 * ```
 */
export interface CaseView {
  readonly input: string
  readonly expected: string | undefined
  readonly actual: string | undefined
  readonly context: ReadonlyArray<string>
}

/**
 * What every report knows before its first case: the run's outcome and the dataset file it read.
 *
 * @example
 * ```ts
 * const head: ReportHead = { outcome, dataset: "cases.jsonl" }
 * ```
 */
export interface ReportHead {
  readonly outcome: RunOutcome
  readonly dataset: string
  /** Models called without a known price: the run's cost is unknown, not its summed `cost`. */
  readonly unpriced?: ReadonlyArray<string> | undefined
}

/**
 * The text view of a case's content; a conversation shows as `role: text` lines.
 *
 * @example
 * ```ts
 * caseView({ input: "2+2?", actualOutput: "4" }).actual // "4"
 * ```
 */
export const caseView = (testCase: CaseContent): CaseView =>
  testCase.turns === undefined
    ? {
      input: contentText(testCase.input),
      expected: testCase.expectedOutput === undefined ? undefined : contentText(testCase.expectedOutput),
      actual: testCase.actualOutput === undefined ? undefined : contentText(testCase.actualOutput),
      context: [...(testCase.context ?? []), ...(testCase.retrievalContext ?? [])]
    }
    : {
      input: testCase.turns.map((turn) => `${turn.role}: ${contentText(turn.content)}`).join("\n"),
      expected: testCase.expectedOutcome,
      actual: undefined,
      context: testCase.context ?? []
    }

/**
 * The view of a result's case, when the result carries it (results stored by earlier versions do not).
 *
 * @example
 * ```ts
 * resultView(result)?.input
 * ```
 */
export const resultView = (result: CaseResult): CaseView | undefined =>
  result.testCase === undefined ? undefined : caseView(result.testCase)

/**
 * The display name of a case: its name, or `#index`.
 *
 * @example
 * ```ts
 * caseLabel({ index: 3, name: null }) // "#3"
 * ```
 */
export const caseLabel = (result: { readonly index: number; readonly name: string | null }): string =>
  result.name ?? `#${result.index}`
