/**
 * A tool (function) call made, or expected to be made, by an LLM application.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ToolCall } from "@assay/core"
 * Schema.decodeUnknownSync(ToolCall)({ name: "search", inputParameters: { q: "paris" } })
 * ```
 */
import { Schema } from "effect"

export const ToolCall = Schema.Struct({
  name: Schema.String,
  description: Schema.optional(Schema.String),
  reasoning: Schema.optional(Schema.String),
  inputParameters: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  output: Schema.optional(Schema.Unknown)
})
export type ToolCall = typeof ToolCall.Type
