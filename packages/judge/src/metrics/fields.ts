/**
 * Case fields as prompt text.
 *
 * @example
 * ```ts
 * fieldText(LLMTestCase.make({ input: "q", context: ["a", "b"] }), "context") // "1. a\n2. b"
 * ```
 */
import { type CaseField, contentText, type TestCase } from "@assay/core"
import { numbered } from "./template.js"

/**
 * Human names of fields, for prompts.
 *
 * @example
 * ```ts
 * fieldLabel.retrievalContext // "Retrieval context"
 * ```
 * @since 0.1.0
 */
export const fieldLabel: Readonly<Record<string, string>> = {
  input: "Input",
  actualOutput: "Actual output",
  expectedOutput: "Expected output",
  context: "Context",
  retrievalContext: "Retrieval context",
  toolsCalled: "Tools called",
  expectedTools: "Expected tools"
}

/**
 * The text of one field of a single-turn case ("" when absent or for conversational cases).
 *
 * @example
 * ```ts
 * fieldText(c, "actualOutput")
 * ```
 * @since 0.1.0
 */
export const fieldText = (testCase: TestCase, field: CaseField): string => {
  if (testCase._tag !== "LLMTestCase") return ""
  switch (field) {
    case "input":
      return contentText(testCase.input)
    case "actualOutput":
      return contentText(testCase.actualOutput)
    case "expectedOutput":
      return contentText(testCase.expectedOutput)
    case "context":
      return numbered(testCase.context ?? [])
    case "retrievalContext":
      return numbered(testCase.retrievalContext ?? [])
    case "toolsCalled":
      return JSON.stringify(testCase.toolsCalled ?? [])
    case "expectedTools":
      return JSON.stringify(testCase.expectedTools ?? [])
    default:
      return ""
  }
}

/**
 * The listed fields as labelled prompt sections.
 *
 * @example
 * ```ts
 * fieldsBlock(c, ["input", "actualOutput"]) // "Input:\nq\n\nActual output:\na"
 * ```
 * @since 0.1.0
 */
export const fieldsBlock = (testCase: TestCase, fields: ReadonlyArray<CaseField>): string =>
  fields.map((f) => `${fieldLabel[f] ?? f}:\n${fieldText(testCase, f)}`).join("\n\n")
