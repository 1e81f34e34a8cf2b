/**
 * Shared decoding steps of the dataset loaders: JSON text → value and raw object → TestCase, with failures
 * turned into a {@link DatasetError} that names the file, line and field.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { decodeCase, parseJsonText } from "./decode.js"
 * const raw = parseJsonText('{"input":"q"}', "cases.jsonl", 1)
 * Either.flatMap(raw, (value) => decodeCase(value, "cases.jsonl", 1))
 * ```
 */
import { decodeTestCaseEither, type InvalidTestCase } from "../model/decode.js"
import type { TestCase } from "../model/test-case.js"
import { Either, ParseResult, Schema } from "effect"
import { DatasetError } from "./errors.js"

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())

/**
 * Parse JSON text; a syntax error becomes a DatasetError at `line` (or at the line of the reported position).
 *
 * @example
 * ```ts
 * parseJsonText("{oops", "a.jsonl", 4) // Either.left(DatasetError "a.jsonl:4: invalid JSON: …")
 * ```
 * @since 0.1.0
 */
export const parseJsonText = (text: string, file: string, line?: number): Either.Either<unknown, DatasetError> =>
  Either.mapLeft(decodeJson(text), (error) => {
    const detail = ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? "invalid JSON"
    const position = /position (\d+)/.exec(detail)
    const at = line ?? (position ? lineOfOffset(text, Number(position[1])) : undefined)
    return new DatasetError({ file, ...(at !== undefined ? { line: at } : {}), detail: `invalid JSON: ${detail}` })
  })

/**
 * The 1-based line of a character offset in a text.
 *
 * @example
 * ```ts
 * lineOfOffset("a\nb\nc", 4) // 3
 * ```
 * @since 0.1.0
 */
export const lineOfOffset = (text: string, offset: number): number => {
  let line = 1
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

/**
 * A DatasetError from core's InvalidTestCase: the issues name the offending fields.
 *
 * @example
 * ```ts
 * fromInvalid(invalid, "cases.csv", 7).message // "cases.csv:7: input: is missing"
 * ```
 * @since 0.1.0
 */
export const fromInvalid = (error: InvalidTestCase, file: string, line?: number): DatasetError =>
  new DatasetError({
    file,
    ...(line !== undefined ? { line } : {}),
    detail: (line === undefined && error.index !== undefined ? `case #${error.index}: ` : "") + firstPerField(error.issues).join("; ")
  })

/** One issue per field: a union (string or list of parts) otherwise reports every alternative. */
const firstPerField = (issues: ReadonlyArray<string>): ReadonlyArray<string> => {
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const field = issue.split(":")[0]!
    if (seen.has(field)) return false
    seen.add(field)
    return true
  })
}

/**
 * Decode one raw case with core's decoder, at a known line.
 *
 * @example
 * ```ts
 * decodeCase({ input: "q", actual_output: "a" }, "cases.jsonl", 2) // Either.right(LLMTestCase)
 * ```
 * @since 0.1.0
 */
export const decodeCase = (raw: unknown, file: string, line: number, check?: CaseCheck): Either.Either<TestCase, DatasetError> =>
  Either.flatMap(
    Either.mapLeft(decodeTestCaseEither(raw, { file, line }), (error) => fromInvalid(error, file, line)),
    (testCase) => checked(testCase, check, file, line)
  )

/**
 * A further requirement on decoded cases that depends on the run (e.g. an `actualOutput` when nothing will
 * generate one): the `field: problem` text when the case fails it.
 *
 * @example
 * ```ts
 * const check: CaseCheck = (c) => c._tag === "LLMTestCase" && c.actualOutput === undefined ? "actual_output: is missing" : undefined
 * ```
 * @since 0.1.0
 */
export type CaseCheck = (testCase: TestCase) => string | undefined

/**
 * A decoded case passed through `check`: itself, or a DatasetError at `line`.
 *
 * @example
 * ```ts
 * checked(testCase, check, "cases.jsonl", 4)
 * ```
 * @since 0.1.0
 */
export const checked = (testCase: TestCase, check: CaseCheck | undefined, file: string, line: number | undefined): Either.Either<TestCase, DatasetError> => {
  const problem = check?.(testCase)
  return problem === undefined
    ? Either.right(testCase)
    : Either.left(new DatasetError({ file, ...(line !== undefined ? { line } : {}), detail: problem }))
}

/**
 * The checks of the validating read of a dataset (the first of a run; later reads of the same file skip them).
 *
 * @example
 * ```ts
 * loadDataset("cases.jsonl", { strictInput: false, check: undefined } satisfies Validation)
 * ```
 * @since 0.1.0
 */
export interface Validation {
  /** Lines that are not UTF-8 are an error; otherwise one warning on stderr names them. */
  readonly strictInput: boolean
  /** A run-specific requirement on every case (a DatasetError at its line when unmet). */
  readonly check: CaseCheck | undefined
}
