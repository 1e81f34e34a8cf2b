/**
 * JSON metrics: `jsonValid` (the actual output parses as JSON) and `jsonSchema` (it parses and conforms to a
 * JSON Schema, draft-07, checked by Ajv). The schema is compiled once per metric instance; the reason lists
 * every violation with its JSON pointer.
 *
 * @example
 * ```ts
 * import { jsonSchema } from "@assay/core"
 * const m = jsonSchema({ schema: { type: "object", required: ["name"] } })
 * ```
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv"
import { Either, Schema } from "effect"
import type { Outcome } from "../metric/metric.js"
import { contentText } from "../model/content.js"
import { type BaseOptions, deterministic, type MetricInfo, optionError } from "./define.js"
import { linearRegExpEngine } from "./linear-regex.js"
import { defineFactory, optional } from "./params.js"

const JSON_VALID: MetricInfo = { id: "json-valid", version: 1, defaultThreshold: 1 }

// Version 2: the schema's patterns are matched by RE2 (./linear-regex.ts).
const JSON_SCHEMA: MetricInfo = { id: "json-schema", version: 2, defaultThreshold: 1 }

/**
 * Options shared by the JSON metrics.
 *
 * @example
 * ```ts
 * const o: JsonOptions = { stripCodeFence: true }
 * ```
 */
export interface JsonOptions extends BaseOptions {
  /** Accept output wrapped in a Markdown code fence (```json … ```), as models often write it. Default false. */
  readonly stripCodeFence?: boolean | undefined
}

/**
 * A JSON Schema: an object, or `true`/`false`.
 *
 * @example
 * ```ts
 * const s: JsonSchemaDocument = { type: "array", items: { type: "string" } }
 * ```
 */
export type JsonSchemaDocument = boolean | { readonly [key: string]: unknown }

/**
 * Options of {@link jsonSchema}.
 *
 * @example
 * ```ts
 * const o: JsonSchemaOptions = { schema: { type: "object" }, stripCodeFence: true }
 * ```
 */
export interface JsonSchemaOptions extends JsonOptions {
  /** The JSON Schema (draft-07) the output must conform to. Required. `format` is not validated. */
  readonly schema: JsonSchemaDocument
}

const FENCED = /^\s*```[^\n]*\n([\s\S]*?)\n?```\s*$/

/** The JSON text of an output: itself, or the inside of a code fence when asked and present. */
const jsonText = (text: string, stripCodeFence: boolean): string => {
  if (!stripCodeFence) return text
  const fenced = FENCED.exec(text)
  return fenced === null ? text : fenced[1]!
}

/**
 * Parse the output, or an outcome of 0 with the parser's message. Parsing untrusted text is the point of this
 * metric and the value only goes on to Ajv, so `JSON.parse` is called directly: `Schema.parseJson` would wrap
 * the same SyntaxError in a ParseError and costs about three times as much on invalid output (measured:
 * 20 µs vs 7.5 µs), which matters at hundreds of thousands of cases.
 */
const parseOutput = (text: string, stripCodeFence: boolean): Either.Either<unknown, Outcome> =>
  Either.try({
    try: (): unknown => JSON.parse(jsonText(text, stripCodeFence)),
    catch: (e) => ({ score: 0, reason: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` })
  })

/**
 * 1 when the actual output is valid JSON, else 0 with the parser's message. Default threshold 1.
 *
 * @example
 * ```ts
 * jsonValid({ stripCodeFence: true })
 * ```
 */
export const jsonValid = (options: JsonOptions = {}) => {
  const stripCodeFence = options.stripCodeFence ?? false
  return deterministic({
    ...JSON_VALID,
    options,
    config: { stripCodeFence },
    requires: ["actualOutput"],
    score: (c) => Either.match(parseOutput(contentText(c.actualOutput), stripCodeFence), {
      onLeft: (outcome) => outcome,
      onRight: () => ({ score: 1, reason: "valid JSON" })
    })
  })
}

/**
 * Compile a JSON Schema the way {@link jsonSchema} does (Ajv, all errors, unknown keywords rejected), or say
 * why it is not a usable schema.
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
      return ajv.compile(schema as JsonSchemaDocument)
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
 * 1 when the actual output is JSON that conforms to `schema`, else 0; the reason lists each violation with its
 * JSON pointer. Default threshold 1. Throws a `RangeError` when the schema itself is invalid.
 *
 * @example
 * ```ts
 * jsonSchema({ schema: { type: "object", properties: { age: { type: "integer", minimum: 0 } }, required: ["age"] } })
 * ```
 */
export const jsonSchema = (options: JsonSchemaOptions) => {
  const stripCodeFence = options.stripCodeFence ?? false
  const compiled = compileSchema(options.schema)
  if (Either.isLeft(compiled)) throw optionError(JSON_SCHEMA.id, "schema", compiled.left)
  const validate = compiled.right
  return deterministic({
    ...JSON_SCHEMA,
    options,
    config: { schema: options.schema, stripCodeFence, draft: "07" },
    requires: ["actualOutput"],
    score: (c) => Either.match(parseOutput(contentText(c.actualOutput), stripCodeFence), {
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
  })
}

const stripCodeFenceField = { stripCodeFence: optional(Schema.Boolean) }
const stripCodeFenceDoc = {
  name: "stripCodeFence",
  type: "boolean",
  default: "false",
  description: "accept output wrapped in a Markdown code fence"
}

/**
 * Factory for `json-valid`.
 *
 * @example
 * ```ts
 * jsonValidFactory.make({ stripCodeFence: true })
 * ```
 */
export const jsonValidFactory = defineFactory({
  ...JSON_VALID,
  description: "1 when the actual output is valid JSON",
  fields: stripCodeFenceField,
  docs: [stripCodeFenceDoc],
  make: jsonValid
})

/**
 * Factory for `json-schema`; `schema` is required and compiled while decoding, so an invalid schema is a
 * decode error.
 *
 * @example
 * ```ts
 * jsonSchemaFactory.make(Schema.decodeUnknownSync(jsonSchemaFactory.params)({ schema: { type: "array" } }))
 * ```
 */
export const jsonSchemaFactory = defineFactory({
  ...JSON_SCHEMA,
  description: "1 when the actual output is JSON conforming to a JSON Schema (draft-07)",
  fields: {
    schema: Schema.Union(Schema.Boolean, Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    ...stripCodeFenceField
  },
  docs: [
    { name: "schema", type: "JSON Schema (required)", description: "draft-07 schema the output must conform to; `format` is not validated" },
    stripCodeFenceDoc
  ],
  check: (p) => {
    const compiled = compileSchema(p.schema)
    return Either.isLeft(compiled) ? { path: ["schema"], message: compiled.left } : undefined
  },
  make: jsonSchema
})
