/**
 * `exactMatch`: 1 when the actual output equals the expected output (after the chosen normalisation), else 0.
 *
 * @example
 * ```ts
 * import { exactMatch } from "@assay/core"
 * const m = exactMatch({ caseSensitive: false })
 * ```
 */
import { Schema } from "effect"
import { contentText } from "../model/content.js"
import { type BaseOptions, deterministic, type MetricInfo, preview } from "./define.js"
import { caseSensitiveParam, defineFactory, optional } from "./params.js"
import { normalizer } from "./text.js"

const EXACT_MATCH: MetricInfo = { id: "exact-match", version: 1, defaultThreshold: 1 }

/**
 * Options of {@link exactMatch}.
 *
 * @example
 * ```ts
 * const o: ExactMatchOptions = { trim: true, caseSensitive: false }
 * ```
 * @since 0.1.0
 */
export interface ExactMatchOptions extends BaseOptions {
  /** Ignore leading and trailing whitespace. Default true. */
  readonly trim?: boolean | undefined
  /** Default true. */
  readonly caseSensitive?: boolean | undefined
  /** Treat every run of whitespace as one space. Default false. */
  readonly normalizeWhitespace?: boolean | undefined
}

const firstDifference = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return i
  return n
}

/**
 * Exact match of actual and expected output. Default threshold 1. The reason of a mismatch shows where the
 * texts first differ.
 *
 * @example
 * ```ts
 * exactMatch({ trim: true, caseSensitive: false, normalizeWhitespace: true })
 * ```
 * @since 0.1.0
 */
export const exactMatch = (options: ExactMatchOptions = {}) => {
  const config = {
    trim: options.trim ?? true,
    caseSensitive: options.caseSensitive ?? true,
    normalizeWhitespace: options.normalizeWhitespace ?? false
  }
  const normalize = normalizer(config)
  return deterministic({
    ...EXACT_MATCH,
    options,
    config,
    requires: ["actualOutput", "expectedOutput"],
    score: (c) => {
      const actual = normalize(contentText(c.actualOutput))
      const expected = normalize(contentText(c.expectedOutput))
      if (actual === expected) return { score: 1, reason: "actual output equals expected output" }
      const at = firstDifference(actual, expected)
      return {
        score: 0,
        reason: `outputs differ at character ${at}: expected ${preview(expected.slice(at), 30)}, got ${preview(actual.slice(at), 30)}`
      }
    }
  })
}

/**
 * Factory for `exact-match`.
 *
 * @example
 * ```ts
 * exactMatchFactory.make(Schema.decodeUnknownSync(exactMatchFactory.params)({ caseSensitive: false }))
 * ```
 * @since 0.1.0
 */
export const exactMatchFactory = defineFactory({
  ...EXACT_MATCH,
  description: "1 when the actual output equals the expected output, else 0",
  fields: {
    trim: optional(Schema.Boolean),
    caseSensitive: caseSensitiveParam.field,
    normalizeWhitespace: optional(Schema.Boolean)
  },
  docs: [
    { name: "trim", type: "boolean", default: "true", description: "ignore leading and trailing whitespace" },
    caseSensitiveParam.doc,
    { name: "normalizeWhitespace", type: "boolean", default: "false", description: "treat runs of whitespace as one space" }
  ],
  make: exactMatch
})
