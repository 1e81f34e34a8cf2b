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
import { Effect, Either, Schema } from "effect"
import type { MetricError, Outcome } from "../metric/metric.js"
import { contentText } from "../model/content.js"
import { type BaseOptions, deterministic, type MetricInfo, optionError } from "./define.js"
import { validateInWorker } from "./json-pool.js"
import { compileSchema, inlineLimit, parseOutput, scoreText } from "./json-validate.js"
import { defineFactory, optional } from "./params.js"

export { compileSchema, describeErrors } from "./json-validate.js"

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
 * @since 0.1.0
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
 * @since 0.1.0
 */
export type JsonSchemaDocument = boolean | { readonly [key: string]: unknown }

/**
 * Options of {@link jsonSchema}.
 *
 * @example
 * ```ts
 * const o: JsonSchemaOptions = { schema: { type: "object" }, stripCodeFence: true }
 * ```
 * @since 0.1.0
 */
export interface JsonSchemaOptions extends JsonOptions {
  /** The JSON Schema (draft-07) the output must conform to. Required. `format` is not validated. */
  readonly schema: JsonSchemaDocument
}

/**
 * 1 when the actual output is valid JSON, else 0 with the parser's message. Default threshold 1.
 *
 * @example
 * ```ts
 * jsonValid({ stripCodeFence: true })
 * ```
 * @since 0.1.0
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

/** Tells the schemas of metric instances apart in the workers, which compile each once. */
let nextSchemaKey = 0

/**
 * 1 when the actual output is JSON that conforms to `schema`, else 0; the reason lists each violation with its
 * JSON pointer. Default threshold 1. Throws a `RangeError` when the schema itself is invalid.
 *
 * @example
 * ```ts
 * jsonSchema({ schema: { type: "object", properties: { age: { type: "integer", minimum: 0 } }, required: ["age"] } })
 * ```
 * @since 0.1.0
 */
export const jsonSchema = (options: JsonSchemaOptions) => {
  const stripCodeFence = options.stripCodeFence ?? false
  const compiled = compileSchema(options.schema)
  if (Either.isLeft(compiled)) throw optionError(JSON_SCHEMA.id, "schema", compiled.left)
  const validate = compiled.right
  // Small outputs against a schema that cannot recurse validate here, at no cost; the rest in a worker that a
  // timeout, a deadline or Ctrl-C can terminate (./json-pool.ts).
  const limit = inlineLimit(options.schema)
  const key = nextSchemaKey++
  const name = options.name ?? JSON_SCHEMA.id
  return deterministic({
    ...JSON_SCHEMA,
    options,
    config: { schema: options.schema, stripCodeFence, draft: "07" },
    requires: ["actualOutput"],
    score: (c): Outcome | Effect.Effect<Outcome, MetricError> => {
      const text = contentText(c.actualOutput)
      return text.length <= limit
        ? scoreText(validate, text, stripCodeFence)
        : validateInWorker({ metric: name, key, schema: options.schema, text, stripCodeFence })
    }
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
 * @since 0.1.0
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
 * @since 0.1.0
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
  make: jsonSchema,
  requiresDoc: "actualOutput"
})
