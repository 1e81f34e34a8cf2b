/**
 * Decoding test cases from untrusted input (JSON objects from a file, a CSV row, an API).
 *
 * Keys may be camelCase or deepeval's snake_case (`actual_output`, `retrieval_context`, `tools_called`,
 * `input_parameters`, `additional_metadata`, …). A case with `turns` is conversational. Errors name the
 * source location and every offending field path.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { decodeTestCase } from "@assay/core"
 * const c = decodeTestCase({ input: "q", actual_output: "a" }, { file: "data.jsonl", line: 3 })
 * // Effect<TestCase, InvalidTestCase>
 * ```
 */
import { Effect, Either, ParseResult, Schema } from "effect"
import { ConversationalTestCase, LLMTestCase, type TestCase } from "./test-case.js"

/**
 * Where a case came from, for error messages.
 *
 * @since 0.1.0
 */
export interface SourceLocation {
  readonly file?: string | undefined
  readonly line?: number | undefined
  readonly index?: number | undefined
}

/**
 * A case that does not match the model; `issues` lists `path: message` lines.
 *
 * @since 0.1.0
 */
export class InvalidTestCase extends Schema.TaggedError<InvalidTestCase>()("InvalidTestCase", {
  file: Schema.optional(Schema.String),
  line: Schema.optional(Schema.Number),
  index: Schema.optional(Schema.Number),
  issues: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const where = [this.file, this.line !== undefined ? `line ${this.line}` : undefined,
      this.line === undefined && this.index !== undefined ? `case #${this.index}` : undefined]
      .filter((x) => x !== undefined).join(":")
    return `${where === "" ? "invalid test case" : where}: ${this.issues.join("; ")}`
  }
}

const snakeToCamel: Record<string, string> = {
  actual_output: "actualOutput",
  expected_output: "expectedOutput",
  retrieval_context: "retrievalContext",
  tools_called: "toolsCalled",
  expected_tools: "expectedTools",
  input_parameters: "inputParameters",
  expected_outcome: "expectedOutcome",
  chatbot_role: "chatbotRole",
  user_description: "userDescription",
  additional_metadata: "metadata",
  mime_type: "mimeType"
}

/** Keys (as renamed) whose values are user data, such as metadata and tool parameters: their keys stay verbatim. */
const verbatim = new Set(["metadata", "inputParameters", "output"])

/**
 * Rename snake_case keys to camelCase, recursively (only keys the model knows are renamed).
 *
 * @since 0.1.0
 */
export const normalizeKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(normalizeKeys)
  if (value === null || typeof value !== "object") return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    const renamed = snakeToCamel[key] ?? key
    out[renamed] = verbatim.has(renamed) ? inner : normalizeKeys(inner)
  }
  return out
}

/**
 * How deeply a case's values may nest. The decoding steps below recurse, so a deeper value (an attack or a
 * generator bug, never a real test case) would overflow the stack; it is refused as invalid instead.
 *
 * @since 0.1.0
 */
export const MAX_DEPTH = 256

const TOO_DEEP: unique symbol = Symbol("too deep")

/**
 * `value` as `dropNulls(normalizeKeys(…))` would make it, in one copy: keys renamed when `rename` (it is
 * turned off under a {@link verbatim} key), properties holding `null` dropped; {@link TOO_DEEP} when objects
 * or arrays nest more than `room` levels (the recursion stops there, so a hostile value cannot overflow the
 * stack). Array items are treated like their array.
 */
const tidy = (value: unknown, rename: boolean, room: number): unknown => {
  if (value === null || typeof value !== "object") return value
  if (room === 0) return TOO_DEEP
  if (Array.isArray(value)) {
    const out: Array<unknown> = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const item = tidy(value[i], rename, room - 1)
      if (item === TOO_DEEP) return TOO_DEEP
      out[i] = item
    }
    return out
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const renamed = rename ? snakeToCamel[key] ?? key : key
    const item = tidy((value as Record<string, unknown>)[key], rename && !verbatim.has(renamed), room - 1)
    if (item === TOO_DEEP) return TOO_DEEP
    if (item !== null) out[renamed] = item
  }
  return out
}

const decodeLLM = Schema.decodeUnknownEither(LLMTestCase.pipe(Schema.omit("_tag")), { errors: "all" })
const decodeConversation = Schema.decodeUnknownEither(ConversationalTestCase.pipe(Schema.omit("_tag")), { errors: "all" })

/**
 * Decode one case from unknown input, synchronously (for loaders that decode whole chunks of lines at once).
 * Unknown keys are ignored; a `null` value counts as absent.
 *
 * @example
 * ```ts
 * const result = decodeTestCaseEither({ input: "hi" }, { file: "cases.jsonl", line: 1 }) // Either.right(case)
 * ```
 * @since 0.1.0
 */
export const decodeTestCaseEither = (raw: unknown, location: SourceLocation = {}): Either.Either<TestCase, InvalidTestCase> => {
  const fail = (issues: ReadonlyArray<string>) =>
    Either.left(
      new InvalidTestCase({
        ...(location.file !== undefined ? { file: location.file } : {}),
        ...(location.line !== undefined ? { line: location.line } : {}),
        ...(location.index !== undefined ? { index: location.index } : {}),
        issues
      })
    )
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return fail([`expected an object, got ${raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw}`])
  }
  const normalized: Record<string, unknown> = {}
  for (const key of Object.keys(raw)) {
    const renamed = snakeToCamel[key] ?? key
    const value = tidy((raw as Record<string, unknown>)[key], !verbatim.has(renamed), MAX_DEPTH - 1)
    if (value === TOO_DEEP) return fail([`${renamed}: nested deeper than ${MAX_DEPTH} levels`])
    if (value !== null) normalized[renamed] = value
  }
  const decoded: Either.Either<TestCase, ParseResult.ParseError> = "turns" in normalized
    ? Either.map(decodeConversation(normalized), (fields) => ({ _tag: "ConversationalTestCase" as const, ...fields }))
    : Either.map(decodeLLM(normalized), (fields) => ({ _tag: "LLMTestCase" as const, ...fields }))
  if (Either.isRight(decoded)) return Either.right(decoded.right)
  return fail(ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) =>
    `${issue.path.length === 0 ? "(case)" : issue.path.join(".")}: ${issue.message}`
  ))
}

/**
 * Decode one case from unknown input as an Effect; see {@link decodeTestCaseEither}.
 *
 * @example
 * ```ts
 * decodeTestCase({ input: "hi", expected_output: "hello" }, { file: "cases.json", index: 0 })
 * ```
 * @since 0.1.0
 */
export const decodeTestCase = (raw: unknown, location: SourceLocation = {}): Effect.Effect<TestCase, InvalidTestCase> =>
  Effect.suspend(() => decodeTestCaseEither(raw, location))

