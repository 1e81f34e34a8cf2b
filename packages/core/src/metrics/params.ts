/**
 * Params Schemas for the deterministic metric factories: the common fields (threshold, strict, name) plus each
 * metric's own, decoded strictly (an unknown key such as `treshold` is an error, not silently ignored), and
 * the matching documentation rows for `assay metrics`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { defineFactory } from "./params.js"
 * const f = defineFactory({
 *   id: "exact-match", description: "…", defaultThreshold: 1,
 *   fields: { trim: Schema.optionalWith(Schema.Boolean, { exact: true }) },
 *   docs: [{ name: "trim", type: "boolean", default: "true", description: "trim both texts" }],
 *   make: (p) => exactMatch(p)
 * })
 * ```
 */
import { Schema } from "effect"
import type { Metric } from "../metric/metric.js"
import type { MetricFactory, ParamDoc } from "../metric/registry.js"

/**
 * An optional field that, when present, must decode with `schema` (no `undefined` allowed in the input).
 *
 * @example
 * ```ts
 * const fields = { caseSensitive: optional(Schema.Boolean) }
 * ```
 */
export const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * A score in [0, 1].
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(UnitInterval)(0.5)
 * ```
 */
export const UnitInterval = Schema.Number.pipe(Schema.between(0, 1))

/**
 * Non-empty string.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(NonEmpty)("x")
 * ```
 */
export const NonEmpty = Schema.String.pipe(Schema.minLength(1))

/**
 * The `caseSensitive` option (default true), shared by the text-comparison metrics.
 *
 * @example
 * ```ts
 * const fields = { caseSensitive: caseSensitiveParam.field }
 * ```
 */
export const caseSensitiveParam = {
  field: optional(Schema.Boolean),
  doc: { name: "caseSensitive", type: "boolean", default: "true", description: "compare letter case" }
} as const

const baseFields = {
  threshold: optional(UnitInterval),
  strict: optional(Schema.Boolean),
  name: optional(NonEmpty)
}

const baseDocs = (defaultThreshold: number, id: string): ReadonlyArray<ParamDoc> => [
  { name: "threshold", type: "number in [0, 1]", default: String(defaultThreshold), description: "pass mark: a case passes when score ≥ threshold" },
  { name: "strict", type: "boolean", default: "false", description: "only a score of 1 passes" },
  { name: "name", type: "string", default: id, description: "result name, to run two configurations of one metric side by side" }
]

/**
 * Decoded params: the common fields plus the metric's own.
 *
 * @example
 * ```ts
 * type P = Params<{ variant: typeof RougeVariant }> // { threshold?, strict?, name?, variant }
 * ```
 */
export type Params<F extends Schema.Struct.Fields> = Schema.Struct.Type<typeof baseFields & F>

/**
 * What {@link defineFactory} needs.
 *
 * @example
 * ```ts
 * const spec: FactorySpec<{}> = { id: "json-valid", description: "…", defaultThreshold: 1, fields: {}, docs: [], make: () => jsonValid() }
 * ```
 */
export interface FactorySpec<F extends Schema.Struct.Fields> {
  readonly id: string
  readonly description: string
  readonly defaultThreshold: number
  readonly fields: F
  readonly docs: ReadonlyArray<ParamDoc>
  /** A check across fields (e.g. that a pattern compiles with its flags); return the problem, or undefined. */
  readonly check?: ((params: Params<F>) => ParamProblem | undefined) | undefined
  readonly make: (params: Params<F>) => Metric
  /** The fields the metric needs, in words, when they cannot be read off a metric built with no params. */
  readonly requiresDoc?: string | undefined
}

/**
 * A decode problem found by {@link FactorySpec.check}: which field, and what is wrong.
 *
 * @example
 * ```ts
 * const problem: ParamProblem = { path: ["pattern"], message: "invalid pattern" }
 * ```
 */
export interface ParamProblem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/**
 * A metric factory whose params Schema is the common fields plus `fields`, rejecting unknown keys.
 *
 * @example
 * ```ts
 * const f = defineFactory({ id: "json-valid", description: "…", defaultThreshold: 1, fields: {}, docs: [], make: jsonValid })
 * Schema.decodeUnknownSync(f.params)({ threshold: 2 }) // throws: Expected a number between 0 and 1, actual 2
 * ```
 */
export const defineFactory = <F extends Schema.Struct.Fields>(spec: FactorySpec<F>): MetricFactory => {
  // The metrics' fields never need services; TypeScript cannot see that through the generic `F`.
  const struct = Schema.Struct({ ...baseFields, ...spec.fields }).annotations({
    identifier: `${spec.id} params`,
    parseOptions: { onExcessProperty: "error" }
  }) as unknown as Schema.Schema<Params<F>, unknown>
  const check = spec.check
  return {
    id: spec.id,
    description: spec.description,
    params: check === undefined
      ? struct
      : struct.pipe(Schema.filter((params) => check(params as Params<F>) ?? true)),
    paramsDoc: [...baseDocs(spec.defaultThreshold, spec.id), ...spec.docs],
    make: spec.make,
    requiresDoc: spec.requiresDoc
  }
}
