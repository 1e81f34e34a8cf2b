/**
 * The pure half of the JSON metrics, shared by the engine's thread and the json-schema worker
 * (./json-worker.ts): parse an output, compile a schema with Ajv, score a value against it, and judge whether
 * a schema is cheap enough to validate without a worker.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * const v = compileSchema({ type: "integer" })
 * if (Either.isRight(v)) scoreText(v.right, "4.5", false).score // 0
 * ```
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv"
import { Either } from "effect"
import type { Outcome } from "../metric/metric.js"
import { linearRegExpEngine } from "./linear-regex.js"

const FENCED = /^\s*```[^\n]*\n([\s\S]*?)\n?```\s*$/

/** The JSON text of an output: itself, or the inside of a code fence when asked and present. */
const jsonText = (text: string, stripCodeFence: boolean): string => {
  if (!stripCodeFence) return text
  const fenced = FENCED.exec(text)
  return fenced === null ? text : fenced[1]!
}

/**
 * Parse the output, or an outcome of 0 with the parser's message. Parsing untrusted text is the point of these
 * metrics and the value only goes on to Ajv, so `JSON.parse` is called directly: `Schema.parseJson` would wrap
 * the same SyntaxError in a ParseError and costs about three times as much on invalid output, which matters
 * at hundreds of thousands of cases.
 *
 * @example
 * ```ts
 * parseOutput("```json\n[1]\n```", true) // Either.right([1])
 * ```
 */
export const parseOutput = (text: string, stripCodeFence: boolean): Either.Either<unknown, Outcome> =>
  Either.try({
    try: (): unknown => JSON.parse(jsonText(text, stripCodeFence)),
    catch: (e) => ({ score: 0, reason: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` })
  })

/**
 * Compile a JSON Schema the way `jsonSchema` does (Ajv, all errors, unknown keywords rejected), or say why it
 * is not a usable schema.
 *
 * @example
 * ```ts
 * compileSchema({ type: "strin" }) // Either.left("schema is invalid: data/type must be equal to one of the allowed values…")
 * ```
 */
export const compileSchema = (schema: unknown): Either.Either<ValidateFunction, string> =>
  Either.try({
    try: () => {
      const ajv = new Ajv({
        allErrors: true,
        strictSchema: true,
        strictTypes: false,
        strictTuples: false,
        validateFormats: false,
        logger: false,
        // The schema's `pattern`s are the user's: matched in linear time (./linear-regex.ts).
        code: { regExp: linearRegExpEngine }
      })
      return ajv.compile(schema as boolean | Record<string, unknown>)
    },
    catch: (e) => (e instanceof Error ? e.message : String(e))
  })

/**
 * One line per schema violation: the JSON pointer of the offending value (`""` is the whole document), the
 * problem, and the allowed values when the keyword has them.
 *
 * @example
 * ```ts
 * describeErrors(validate.errors ?? []) // ['"/age": must be >= 0']
 * ```
 */
export const describeErrors = (errors: ReadonlyArray<ErrorObject>): ReadonlyArray<string> =>
  errors.map((e) => {
    const allowed = e.keyword === "enum" ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}` : ""
    return `${JSON.stringify(e.instancePath)}: ${e.message ?? e.keyword}${allowed}`
  })

/**
 * The json-schema outcome of an output: 0 with the parser's message when it is not JSON, 1 when it conforms,
 * else 0 with every violation.
 *
 * @example
 * ```ts
 * scoreText(validate, '{"age": -1}', false) // { score: 0, reason: '1 schema violation: "/age": must be >= 0', … }
 * ```
 */
export const scoreText = (validate: ValidateFunction, text: string, stripCodeFence: boolean): Outcome =>
  Either.match(parseOutput(text, stripCodeFence), {
    onLeft: (outcome) => outcome,
    onRight: (value): Outcome => {
      if (validate(value)) return { score: 1, reason: "conforms to the schema" }
      const problems = describeErrors(validate.errors ?? [])
      return {
        score: 0,
        reason: `${problems.length} schema violation${problems.length === 1 ? "" : "s"}: ${problems.join("; ")}`,
        verbose: problems
      }
    }
  })

/** Outputs up to this many UTF-16 units are validated on the engine's thread against a linear schema. */
const INLINE_TEXT = 64 * 1024
/** The same with `uniqueItems` in the schema, which compares every pair of items. */
const INLINE_TEXT_UNIQUE = 4 * 1024
/** Schema nodes × output units below which a large schema still validates inline. */
const INLINE_WORK = 8 * 1024 * 1024

/** `$ref` anywhere (draft-07 has no other reference keyword), `uniqueItems`, and the number of schema nodes. */
const schemaShape = (schema: unknown) => {
  let nodes = 0
  let ref = false
  let unique = false
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return
    nodes++
    if (Array.isArray(node)) return node.forEach(visit)
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref") ref = true
      else if (key === "uniqueItems" && value === true) unique = true
      visit(value)
    }
  }
  visit(schema)
  return { nodes, ref, unique }
}

/**
 * The longest output (in UTF-16 units) that validates against `schema` on the engine's thread; longer outputs
 * go to the worker, where a timeout or Ctrl-C can stop them. Without `$ref` a schema cannot recurse, so Ajv's
 * work is bounded by schema nodes × output size (`pattern`s run on RE2) — except `uniqueItems`, quadratic in
 * the items; with `$ref`, a recursive `anyOf` can be exponential in the output's depth, so every output goes
 * to the worker.
 *
 * @example
 * ```ts
 * inlineLimit({ type: "object" }) // 65536
 * inlineLimit({ items: { $ref: "#" } }) // -1
 * ```
 */
export const inlineLimit = (schema: unknown): number => {
  const shape = schemaShape(schema)
  if (shape.ref) return -1
  const bound = Math.min(INLINE_TEXT, Math.floor(INLINE_WORK / Math.max(1, shape.nodes)))
  return shape.unique ? Math.min(bound, INLINE_TEXT_UNIQUE) : bound
}
