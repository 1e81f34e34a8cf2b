/**
 * Metric factories by id: how the CLI and config files turn `{"metric": "rouge", "variant": "rougeL"}` into a
 * metric. Each factory decodes its parameters with a Schema (unknown input → clear errors) and documents them
 * for `assay metrics`.
 *
 * @example
 * ```ts
 * const factory: MetricFactory = {
 *   id: "exact-match",
 *   description: "1 when actual output equals expected output",
 *   params: Schema.Struct({ threshold: Schema.optional(Schema.Number) }),
 *   paramsDoc: [{ name: "threshold", type: "number", default: "1", description: "pass mark" }],
 *   make: (p) => exactMatch(p)
 * }
 * ```
 */
import type { Schema } from "effect"
import type { Metric } from "./metric.js"

/**
 * One documented parameter of a metric factory.
 *
 * @since 0.1.0
 */
export interface ParamDoc {
  readonly name: string
  readonly type: string
  readonly default?: string | undefined
  readonly description: string
}

/**
 * Builds a metric from decoded parameters.
 *
 * @since 0.1.0
 */
export interface MetricFactory<R = never> {
  /** kebab-case id used on the command line (`--metric exact-match`) and in config files. */
  readonly id: string
  readonly description: string
  /** Decodes the parameters from unknown input (config file object; CLI passes `{}`). */
  readonly params: Schema.Schema<any, any, never>
  readonly paramsDoc: ReadonlyArray<ParamDoc>
  readonly make: (params: any) => Metric<R>
  /**
   * The case fields the metric needs, in words, when they depend on its parameters (e.g. "evaluationParams
   * (default input, actualOutput)"); otherwise `assay metrics` reads them off a metric built with no parameters.
   */
  readonly requiresDoc?: string | undefined
}
