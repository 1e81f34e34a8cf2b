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
import type { ErrorObject, ValidateFunction } from "ajv"
import { Either } from "effect"
import { createRequire } from "node:module"
import type { Outcome } from "../metric/metric.js"
import { linearRegExpEngine } from "./linear-regex.js"

/**
 * Ajv's class, loaded when the first schema is compiled: a program that builds no json-schema metric does not
 * load Ajv. Synchronous, because `jsonSchema` reports an invalid schema as it is built; Ajv is CommonJS.
 */
let ajvClass: typeof import("ajv").Ajv | undefined
const ajv = () => (ajvClass ??= (createRequire(import.meta.url)("ajv") as typeof import("ajv")).Ajv)

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
      const Ajv = ajv()
      const validator = new Ajv({
        allErrors: true,
        strictSchema: true,
        strictTypes: false,
        strictTuples: false,
        validateFormats: false,
        logger: false,
        // The schema's `pattern`s are the user's: matched in linear time (./linear-regex.ts).
        code: { regExp: linearRegExpEngine }
      })
      return validator.compile(schema as boolean | Record<string, unknown>)
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

/** Outputs up to this many UTF-16 units are validated on the engine's thread against a non-recursive schema. */
const INLINE_TEXT = 64 * 1024
/** The same with `uniqueItems` in the schema, which compares every pair of items. */
const INLINE_TEXT_UNIQUE = 4 * 1024
/** Unfolded schema size × output units up to which an output is validated on the engine's thread. */
const INLINE_WORK = 8 * 1024 * 1024

/** A local reference's target (`#` or `#/json/pointer`) in `root`, or undefined for any other reference. */
const resolveLocal = (root: unknown, ref: string): unknown => {
  if (ref !== "#" && !ref.startsWith("#/")) return undefined
  let node = root
  for (const raw of ref === "#" ? [] : ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~")
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

/**
 * The number of values in the schema with every `$ref` replaced by its target, and whether it has
 * `uniqueItems`. Infinity when a reference is recursive, not a local pointer, or inside a nested `$id` (which
 * changes what `#` means).
 */
const unfoldedShape = (root: unknown) => {
  let unique = false
  const memo = new Map<object, number>()
  const open = new Set<object>()
  const size = (node: unknown, isRoot: boolean): number => {
    if (typeof node !== "object" || node === null) return 1
    const known = memo.get(node)
    if (known !== undefined) return known
    if (open.has(node)) return Infinity
    open.add(node)
    let total = 1
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref") {
        const target = typeof value === "string" ? resolveLocal(root, value) : undefined
        total += target === undefined ? Infinity : size(target, false)
      } else if (key === "$id" && !isRoot && !Array.isArray(node)) total = Infinity
      else {
        if (key === "uniqueItems" && value === true) unique = true
        total += size(value, false)
      }
      if (total === Infinity) break
    }
    open.delete(node)
    memo.set(node, total)
    return total
  }
  // A schema nested beyond the call stack is treated as recursive.
  const nodes = Either.getOrElse(Either.try(() => size(root, true)), () => Infinity)
  return { nodes, unique }
}

/**
 * The longest output (in UTF-16 units) that validates against `schema` on the engine's thread; longer outputs
 * go to the worker, where a timeout or Ctrl-C can stop them. Without recursion Ajv's work is bounded by the
 * unfolded schema's size × the output's (`pattern`s run on RE2) — except `uniqueItems`, quadratic in the
 * items. A recursive schema (a `$ref` to an enclosing schema) can take time exponential in the output's depth
 * (a recursive `anyOf`), so every output goes to the worker.
 *
 * @example
 * ```ts
 * inlineLimit({ type: "object" }) // 65536
 * inlineLimit({ items: { $ref: "#" } }) // -1
 * ```
 */
export const inlineLimit = (schema: unknown): number => {
  const shape = unfoldedShape(schema)
  if (shape.nodes === Infinity) return -1
  const bound = Math.min(INLINE_TEXT, Math.floor(INLINE_WORK / shape.nodes))
  return shape.unique ? Math.min(bound, INLINE_TEXT_UNIQUE) : bound
}
