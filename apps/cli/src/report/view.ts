/**
 * What the human-readable reports show about a run: the RunResult plus a text view of each case's content
 * (input, expected and actual output, context), kept by the runner for the cases it saw.
 *
 * @example
 * ```ts
 * import { caseView } from "./view.js"
 * caseView(testCase).input // "What is the capital of France?"
 * ```
 */
import { contentText, type RunResult, type TestCase } from "@assay/core"

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
 * Everything a report writer needs.
 *
 * @example
 * ```ts
 * const data: ReportData = { result, dataset: "cases.jsonl", cases: new Map() }
 * ```
 */
export interface ReportData {
  readonly result: RunResult
  /** The dataset file the run read. */
  readonly dataset: string
  /** Case content by input index (may be empty when content was not kept). */
  readonly cases: ReadonlyMap<number, CaseView>
}

/**
 * The text view of a case; a conversation shows as `role: text` lines.
 *
 * @example
 * ```ts
 * caseView({ _tag: "LLMTestCase", input: "2+2?", actualOutput: "4" }).actual // "4"
 * ```
 */
export const caseView = (testCase: TestCase): CaseView =>
  testCase._tag === "LLMTestCase"
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
 * The display name of a case: its name, or `#index`.
 *
 * @example
 * ```ts
 * caseLabel({ index: 3, name: null }) // "#3"
 * ```
 */
export const caseLabel = (result: { readonly index: number; readonly name: string | null }): string =>
  result.name ?? `#${result.index}`
