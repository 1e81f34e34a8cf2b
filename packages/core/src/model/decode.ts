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
    // metadata and tool parameters are user data: keep their keys verbatim
    out[renamed] = renamed === "metadata" || renamed === "inputParameters" || renamed === "output"
      ? inner
      : normalizeKeys(inner)
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
/** Keys whose values are user data: their own keys are kept verbatim. */
const verbatim = new Set(["metadata", "inputParameters", "output"])

/**
 * The value under `key`, as `dropNulls(normalizeKeys(…))` would make it, in one copy: keys renamed (not
 * inside user data), properties holding `null` dropped; {@link TOO_DEEP} when objects or arrays nest more
 * than `room` levels (the recursion stops there, so a hostile value cannot overflow the stack).
 */
const tidy = (value: unknown, key: string, room: number): unknown => {
  if (value === null || typeof value !== "object") return value
  if (room === 0) return TOO_DEEP
  const rename = !verbatim.has(snakeToCamel[key] ?? key)
  return Array.isArray(value) ? tidyArray(value, key, room) : tidyObject(value as Record<string, unknown>, rename, room)
}

const tidyArray = (value: ReadonlyArray<unknown>, key: string, room: number): unknown => {
  const out: Array<unknown> = new Array(value.length)
  for (let i = 0; i < value.length; i++) {
    // Array items keep the array's key: a list of tool calls is renamed like one tool call.
    const item = tidy(value[i], key, room - 1)
    if (item === TOO_DEEP) return TOO_DEEP
    out[i] = item
  }
  return out
}

const tidyObject = (value: Record<string, unknown>, rename: boolean, room: number): unknown => {
  const out: Record<string, unknown> = {}
  for (const inner of Object.keys(value)) {
    const innerKey = rename ? snakeToCamel[inner] ?? inner : inner
    const item = rename ? tidy(value[inner], inner, room - 1) : tidyVerbatim(value[inner], room - 1)
    if (item === TOO_DEEP) return TOO_DEEP
    if (item !== null) out[innerKey] = item
  }
  return out
}

/** User data: nulls dropped from objects, keys kept. */
const tidyVerbatim = (value: unknown, room: number): unknown => {
  if (value === null || typeof value !== "object") return value
  if (room === 0) return TOO_DEEP
  if (Array.isArray(value)) {
    const out: Array<unknown> = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const item = tidyVerbatim(value[i], room - 1)
      if (item === TOO_DEEP) return TOO_DEEP
      out[i] = item
    }
    return out
  }
  return tidyObject(value as Record<string, unknown>, false, room)
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
    const value = tidy((raw as Record<string, unknown>)[key], key, MAX_DEPTH - 1)
    if (value === TOO_DEEP) return fail([`${snakeToCamel[key] ?? key}: nested deeper than ${MAX_DEPTH} levels`])
    if (value !== null) normalized[snakeToCamel[key] ?? key] = value
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

