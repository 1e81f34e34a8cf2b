/**
 * A test case as reports and the run store keep it: its fields in camelCase without the kind tag.
 *
 * @example
 * ```ts
 * import { caseContent, LLMTestCase } from "@assay/core"
 * caseContent(LLMTestCase.make({ input: "2+2?", actualOutput: "4" })) // { input: "2+2?", actualOutput: "4" }
 * ```
 */
import type { TestCase } from "../model/test-case.js"
import type { CaseContent } from "./run-result.js"

/**
 * The content of a case: every field it has but its `_tag` (the fields are shared, not copied).
 *
 * @example
 * ```ts
 * caseContent(testCase).input
 * ```
 * @since 0.1.0
 */
export const caseContent = (testCase: TestCase): CaseContent => {
  const { _tag, ...content } = testCase
  return content
}
