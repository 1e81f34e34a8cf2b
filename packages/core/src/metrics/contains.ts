/**
 * Substring metrics: `contains` (one substring), `containsAll` (fraction of substrings found) and
 * `containsAny` (1 when at least one is found). Without an explicit list the substring is the case's
 * expected output.
 *
 * @example
 * ```ts
 * import { containsAll } from "@assay/core"
 * const m = containsAll({ values: ["Paris", "France"], caseSensitive: false })
 * ```
 */
import { Schema } from "effect"
import type { Outcome } from "../metric/metric.js"
import { contentText } from "../model/content.js"
import type { LLMTestCase } from "../model/test-case.js"
import { type BaseOptions, deterministic, type MetricInfo, optionError } from "./define.js"
import { caseSensitiveParam, defineFactory, NonEmpty, optional } from "./params.js"
import { normalizer } from "./text.js"

/**
 * Options of {@link containsAll} and {@link containsAny}.
 *
 * @example
 * ```ts
 * const o: ContainsListOptions = { values: ["Paris"], caseSensitive: false }
 * ```
 * @since 0.1.0
 */
export interface ContainsListOptions extends BaseOptions {
  /** Substrings to look for; when absent, the case's expected output is the one substring. */
  readonly values?: ReadonlyArray<string> | undefined
  /** Default true. */
  readonly caseSensitive?: boolean | undefined
}

/**
 * Options of {@link contains}.
 *
 * @example
 * ```ts
 * const o: ContainsOptions = { value: "42" }
 * ```
 * @since 0.1.0
 */
export interface ContainsOptions extends BaseOptions {
  /** The substring; when absent, the case's expected output. */
  readonly value?: string | undefined
  /** Default true. */
  readonly caseSensitive?: boolean | undefined
}

type Mode = "all" | "any"

/** A substring to look for: as given, and normalised for comparison. */
interface Needle {
  readonly text: string
  readonly needle: string
}

const quoted = (needles: ReadonlyArray<Needle>): string => needles.map((n) => JSON.stringify(n.text)).join(", ")

const CONTAINS: MetricInfo = { id: "contains", version: 1, defaultThreshold: 1 }
const CONTAINS_ALL: MetricInfo = { id: "contains-all", version: 1, defaultThreshold: 1 }
const CONTAINS_ANY: MetricInfo = { id: "contains-any", version: 1, defaultThreshold: 1 }

/** The three metrics differ only in how they are called and whether one or any value must be found. */
const build = (
  info: MetricInfo,
  mode: Mode,
  values: ReadonlyArray<string> | undefined,
  options: BaseOptions & { readonly caseSensitive?: boolean | undefined },
  /** The metric's own value option(s) as the user names them, for the config. */
  valueConfig: Readonly<Record<string, unknown>>
) => {
  const caseSensitive = options.caseSensitive ?? true
  const normalize = normalizer({ trim: false, caseSensitive, normalizeWhitespace: false })
  if (values !== undefined && values.length === 0) throw optionError(info.id, "values", "must not be empty (omit it to use the expected output)")
  if (values?.some((v) => v.length === 0)) throw optionError(info.id, "values", "must not contain an empty string")
  // Fixed values are normalised once here, not per case; reasons quote them as the user wrote them.
  const fixed = values?.map((text): Needle => ({ text, needle: normalize(text) }))
  const needles = (c: LLMTestCase): ReadonlyArray<Needle> => {
    if (fixed !== undefined) return fixed
    const text = contentText(c.expectedOutput)
    return [{ text, needle: normalize(text) }]
  }
  const score = (c: LLMTestCase): Outcome => {
    const haystack = normalize(contentText(c.actualOutput))
    const wanted = needles(c)
    const found = wanted.filter((n) => haystack.includes(n.needle))
    if (mode === "any") {
      return found.length > 0 ? { score: 1, reason: `found ${quoted(found)}` } : { score: 0, reason: `none found of ${quoted(wanted)}` }
    }
    const missing = wanted.filter((n) => !found.includes(n))
    return { score: found.length / wanted.length, reason: missing.length === 0 ? `found all ${wanted.length}` : `missing ${quoted(missing)}` }
  }
  return deterministic({
    ...info,
    options,
    config: { ...valueConfig, caseSensitive },
    requires: values === undefined ? ["actualOutput", "expectedOutput"] : ["actualOutput"],
    score
  })
}

/**
 * 1 when the actual output contains `value` (default: the expected output), else 0. Default threshold 1.
 *
 * @example
 * ```ts
 * contains({ value: "42" })
 * ```
 * @since 0.1.0
 */
export const contains = (options: ContainsOptions = {}) =>
  build(CONTAINS, "all", options.value === undefined ? undefined : [options.value], options, { value: options.value ?? null })

/**
 * Fraction of `values` (default: the expected output) that the actual output contains; the reason names the
 * missing ones. Default threshold 1, so all must be present to pass.
 *
 * @example
 * ```ts
 * containsAll({ values: ["Paris", "France"] })
 * ```
 * @since 0.1.0
 */
export const containsAll = (options: ContainsListOptions = {}) => build(CONTAINS_ALL, "all", options.values, options, { values: options.values ?? null })

/**
 * 1 when the actual output contains at least one of `values` (default: the expected output), else 0.
 *
 * @example
 * ```ts
 * containsAny({ values: ["yes", "correct"], caseSensitive: false })
 * ```
 * @since 0.1.0
 */
export const containsAny = (options: ContainsListOptions = {}) => build(CONTAINS_ANY, "any", options.values, options, { values: options.values ?? null })

const valuesField = { values: optional(Schema.NonEmptyArray(NonEmpty)), caseSensitive: caseSensitiveParam.field }
const valuesDocs = [
  { name: "values", type: "non-empty string[]", default: "[expectedOutput]", description: "substrings to look for" },
  caseSensitiveParam.doc
]

/**
 * Factory for `contains`.
 *
 * @example
 * ```ts
 * containsFactory.make({ value: "42" })
 * ```
 * @since 0.1.0
 */
export const containsFactory = defineFactory({
  ...CONTAINS,
  description: "1 when the actual output contains the value (default: the expected output)",
  fields: { value: optional(NonEmpty), caseSensitive: caseSensitiveParam.field },
  docs: [{ name: "value", type: "string", default: "expectedOutput", description: "the substring to look for" }, caseSensitiveParam.doc],
  make: contains
})

/**
 * Factory for `contains-all`.
 *
 * @example
 * ```ts
 * containsAllFactory.make({ values: ["a", "b"] })
 * ```
 * @since 0.1.0
 */
export const containsAllFactory = defineFactory({
  ...CONTAINS_ALL,
  description: "fraction of the values found in the actual output (default threshold 1: all must be present)",
  fields: valuesField,
  docs: valuesDocs,
  make: containsAll
})

/**
 * Factory for `contains-any`.
 *
 * @example
 * ```ts
 * containsAnyFactory.make({ values: ["yes", "y"] })
 * ```
 * @since 0.1.0
 */
export const containsAnyFactory = defineFactory({
  ...CONTAINS_ANY,
  description: "1 when the actual output contains at least one of the values",
  fields: valuesField,
  docs: valuesDocs,
  make: containsAny
})
