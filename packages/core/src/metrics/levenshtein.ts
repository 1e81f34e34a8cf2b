/**
 * `levenshtein`: similarity 1 − distance / max length between actual and expected output.
 *
 * The distance comes from `fastest-levenshtein` (Myers' bit-parallel algorithm; the well-kept npm package
 * webpack and stylelint use). That library counts UTF-16 code units, so an emoji would count as two edits;
 * here lengths and edits are in Unicode code points (after NFC normalisation, so "é" precomposed equals
 * "e" + combining accent). Strings with astral characters are re-encoded one code point → one code unit
 * before the call; plain BMP text goes straight through.
 *
 * @example
 * ```ts
 * import { levenshtein } from "@assay/core"
 * const m = levenshtein({ threshold: 0.8, caseSensitive: false })
 * ```
 */
import { distance } from "fastest-levenshtein"
import { Schema } from "effect"
import { contentText } from "../model/content.js"
import { type BaseOptions, deterministic, type MetricInfo } from "./define.js"
import { caseSensitiveParam, defineFactory, optional } from "./params.js"
import { normalizer } from "./text.js"

const LEVENSHTEIN: MetricInfo = { id: "levenshtein", version: 1, defaultThreshold: 0.5 }

/**
 * Options of {@link levenshtein}.
 *
 * @example
 * ```ts
 * const o: LevenshteinOptions = { caseSensitive: false, threshold: 0.8 }
 * ```
 */
export interface LevenshteinOptions extends BaseOptions {
  /** Default true. */
  readonly caseSensitive?: boolean | undefined
  /** Ignore leading and trailing whitespace. Default false. */
  readonly trim?: boolean | undefined
}

const SURROGATE = /[\uD800-\uDFFF]/
const NON_ASCII = /[^\u0000-\u007F]/

/**
 * Re-encode two strings so that each code point is one UTF-16 unit (equal code points → equal units), or
 * return undefined when they have more distinct code points than fit (only for absurdly large inputs).
 */
const toSingleUnits = (a: string, b: string): readonly [string, string] | undefined => {
  const ids = new Map<number, string>()
  const encode = (s: string): string | undefined => {
    let out = ""
    for (const ch of s) {
      const cp = ch.codePointAt(0)!
      let unit = ids.get(cp)
      if (unit === undefined) {
        if (ids.size > 0xffff) return undefined
        unit = String.fromCharCode(ids.size)
        ids.set(cp, unit)
      }
      out += unit
    }
    return out
  }
  const ea = encode(a)
  const eb = ea === undefined ? undefined : encode(b)
  return ea === undefined || eb === undefined ? undefined : [ea, eb]
}

/**
 * Levenshtein distance and the longer length, both in code points.
 *
 * @example
 * ```ts
 * editDistance("kitten", "sitting") // { distance: 3, length: 7 }
 * ```
 */
export const editDistance = (a: string, b: string): { readonly distance: number; readonly length: number } => {
  let x = a
  let y = b
  if (NON_ASCII.test(x) || NON_ASCII.test(y)) {
    x = x.normalize("NFC")
    y = y.normalize("NFC")
    if (SURROGATE.test(x) || SURROGATE.test(y)) {
      const encoded = toSingleUnits(x, y)
      if (encoded !== undefined) [x, y] = encoded
    }
  }
  return { distance: distance(x, y), length: Math.max(x.length, y.length) }
}

/**
 * Similarity 1 − distance / max length (1 when both are empty). Default threshold 0.5.
 *
 * @example
 * ```ts
 * levenshtein({ caseSensitive: false, trim: true })
 * ```
 */
export const levenshtein = (options: LevenshteinOptions = {}) => {
  const config = { caseSensitive: options.caseSensitive ?? true, trim: options.trim ?? false, normalizeWhitespace: false }
  const normalize = normalizer(config)
  return deterministic({
    ...LEVENSHTEIN,
    options,
    config: { caseSensitive: config.caseSensitive, trim: config.trim, unit: "code point", normalization: "NFC" },
    requires: ["actualOutput", "expectedOutput"],
    score: (c) => {
      const d = editDistance(normalize(contentText(c.actualOutput)), normalize(contentText(c.expectedOutput)))
      const score = d.length === 0 ? 1 : 1 - d.distance / d.length
      return { score, reason: `edit distance ${d.distance} over length ${d.length}` }
    }
  })
}

/**
 * Factory for `levenshtein`.
 *
 * @example
 * ```ts
 * levenshteinFactory.make({ threshold: 0.9 })
 * ```
 */
export const levenshteinFactory = defineFactory({
  ...LEVENSHTEIN,
  description: "1 − edit distance / max length between actual and expected output (code points)",
  fields: { caseSensitive: caseSensitiveParam.field, trim: optional(Schema.Boolean) },
  docs: [
    caseSensitiveParam.doc,
    { name: "trim", type: "boolean", default: "false", description: "ignore leading and trailing whitespace" }
  ],
  make: levenshtein
})
