/**
 * The test-case model: single-turn (LLM) cases and multi-turn conversational cases.
 *
 * Cases are normally built with {@link decodeTestCase}, which also accepts deepeval's snake_case keys.
 *
 * @example
 * ```ts
 * import { LLMTestCase } from "@assay/core"
 * const c = LLMTestCase.make({ input: "2+2?", actualOutput: "4", expectedOutput: "4" })
 * ```
 */
import { Schema } from "effect"
import { Content } from "./content.js"
import { ToolCall } from "./tool-call.js"

const Strings = Schema.Array(Schema.String)
const Metadata = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** Fields every case kind shares. */
const common = {
  name: Schema.optional(Schema.String),
  tags: Schema.optional(Strings),
  metadata: Schema.optional(Metadata),
  context: Schema.optional(Strings)
}

/**
 * A single-turn test case: one input and the application's output. Plain data (a tagged struct).
 *
 * @since 0.1.0
 */
export const LLMTestCase = Schema.TaggedStruct("LLMTestCase", {
  ...common,
  input: Content,
  actualOutput: Schema.optional(Content),
  expectedOutput: Schema.optional(Content),
  retrievalContext: Schema.optional(Strings),
  toolsCalled: Schema.optional(Schema.Array(ToolCall)),
  expectedTools: Schema.optional(Schema.Array(ToolCall))
})
export type LLMTestCase = typeof LLMTestCase.Type

/**
 * One turn of a conversation.
 *
 * @since 0.1.0
 */
export const Turn = Schema.Struct({
  role: Schema.Literal("user", "assistant"),
  content: Content,
  retrievalContext: Schema.optional(Strings),
  toolsCalled: Schema.optional(Schema.Array(ToolCall))
})
export type Turn = typeof Turn.Type

/**
 * A multi-turn test case: a whole conversation. Plain data (a tagged struct).
 *
 * @since 0.1.0
 */
export const ConversationalTestCase = Schema.TaggedStruct("ConversationalTestCase", {
  ...common,
  turns: Schema.NonEmptyArray(Turn),
  scenario: Schema.optional(Schema.String),
  expectedOutcome: Schema.optional(Schema.String),
  chatbotRole: Schema.optional(Schema.String),
  userDescription: Schema.optional(Schema.String)
})
export type ConversationalTestCase = typeof ConversationalTestCase.Type

/**
 * Any test case.
 *
 * @since 0.1.0
 */
export const TestCase = Schema.Union(LLMTestCase, ConversationalTestCase)
export type TestCase = typeof TestCase.Type

/**
 * The names of the fields a metric may require.
 *
 * @since 0.1.0
 */
export type CaseField =
  | "input"
  | "actualOutput"
  | "expectedOutput"
  | "context"
  | "retrievalContext"
  | "toolsCalled"
  | "expectedTools"
  | "turns"
  | "scenario"
  | "expectedOutcome"
  | "chatbotRole"

/**
 * The required fields that a case lacks (absent, empty string or empty list), in the order given. An empty
 * `actualOutput` is not missing: a model that answered nothing produced a real (empty) output, to be scored.
 *
 * @example
 * ```ts
 * missingFields(LLMTestCase.make({ input: "q" }), ["input", "actualOutput"]) // ["actualOutput"]
 * ```
 * @since 0.1.0
 */
export const missingFields = (testCase: TestCase, required: ReadonlyArray<CaseField>): ReadonlyArray<CaseField> =>
  required.filter((field) => {
    const value = (testCase as unknown as Record<string, unknown>)[field]
    return value === undefined || value === null || (value === "" && field !== "actualOutput") ||
      (Array.isArray(value) && value.length === 0)
  })
