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
import type { Outcome } from "../metric/metric.js"
import { contentText } from "../model/content.js"
import { type BaseOptions, deterministic, type MetricInfo } from "./define.js"
import { caseSensitiveParam, defineFactory, optional } from "./params.js"
import { Slices, SLICE_WORK } from "./sliced.js"
import { normalizer } from "./text.js"

const LEVENSHTEIN: MetricInfo = { id: "levenshtein", version: 1, defaultThreshold: 0.5 }

/**
 * Options of {@link levenshtein}.
 *
 * @example
 * ```ts
 * const o: LevenshteinOptions = { caseSensitive: false, threshold: 0.8 }
 * ```
 * @since 0.1.0
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

/** Both strings with one UTF-16 unit per code point (NFC first), so that unit edits are code point edits. */
const prepare = (a: string, b: string): readonly [string, string] => {
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) return [a, b]
  const x = a.normalize("NFC")
  const y = b.normalize("NFC")
  if (!SURROGATE.test(x) && !SURROGATE.test(y)) return [x, y]
  return toSingleUnits(x, y) ?? [x, y]
}

/**
 * Levenshtein distance and the longer length, both in code points.
 *
 * @example
 * ```ts
 * editDistance("kitten", "sitting") // { distance: 3, length: 7 }
 * ```
 * @since 0.1.0
 */
export const editDistance = (a: string, b: string): { readonly distance: number; readonly length: number } => {
  const [x, y] = prepare(a, b)
  return { distance: distance(x, y), length: Math.max(x.length, y.length) }
}

/**
 * Myers' bit-parallel edit distance over blocks of 32 characters of the longer string (the algorithm and
 * bit operations of `fastest-levenshtein`'s `myers_x`, MIT), yielding between blocks once a slice's worth of
 * work is done. `fastest-levenshtein` computes the same number in one call; this copy exists only so that a
 * huge pair can be stopped between blocks (see ./sliced.ts). Takes strings prepared as {@link editDistance}
 * prepares them (one UTF-16 unit per code point) to count code points.
 *
 * @example
 * ```ts
 * new Slices(editDistanceSteps("kitten", "sitting")) // a computation that returns 3
 * ```
 * @since 0.1.0
 */
export function* editDistanceSteps(a: string, b: string): Generator<void, number, void> {
  const [longer, shorter] = a.length >= b.length ? [a, b] : [b, a]
  const n = shorter.length
  const m = longer.length
  if (n === 0) return m
  const peq = new Uint32Array(0x10000)
  const phc = new Int32Array(Math.ceil(n / 32)).fill(-1)
  const mhc = new Int32Array(Math.ceil(n / 32))
  const blocks = Math.ceil(m / 32)
  let score = m
  let work = 0
  for (let j = 0; j < blocks; j++) {
    const last = j === blocks - 1
    const start = j * 32
    const end = Math.min(32, m - start) + start
    for (let k = start; k < end; k++) peq[longer.charCodeAt(k)] = peq[longer.charCodeAt(k)]! | (1 << k)
    let mv = 0
    let pv = -1
    for (let i = 0; i < n; i++) {
      const word = (i / 32) | 0
      const eq = peq[shorter.charCodeAt(i)]!
      const pb = (phc[word]! >>> i) & 1
      const mb = (mhc[word]! >>> i) & 1
      const xv = eq | mv
      const xh = ((((eq | mb) & pv) + pv) ^ pv) | eq | mb
      let ph = mv | ~(xh | pv)
      let mh = pv & xh
      if (last) score += ((ph >>> (m - 1)) & 1) - ((mh >>> (m - 1)) & 1)
      if ((ph >>> 31) ^ pb) phc[word] = phc[word]! ^ (1 << i)
      if ((mh >>> 31) ^ mb) mhc[word] = mhc[word]! ^ (1 << i)
      ph = (ph << 1) | pb
      mh = (mh << 1) | mb
      pv = mh | ~(xv | ph)
      mv = ph & xv
    }
    for (let k = start; k < end; k++) peq[longer.charCodeAt(k)] = 0
    work += n
    if (work >= SLICE_WORK && !last) {
      work = 0
      yield
    }
  }
  return score
}

const similarity = (edits: number, length: number): Outcome => ({
  score: length === 0 ? 1 : 1 - edits / length,
  reason: `edit distance ${edits} over length ${length}`
})

/**
 * Similarity 1 − distance / max length (1 when both are empty). Default threshold 0.5.
 *
 * @example
 * ```ts
 * levenshtein({ caseSensitive: false, trim: true })
 * ```
 * @since 0.1.0
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
      const [x, y] = prepare(normalize(contentText(c.actualOutput)), normalize(contentText(c.expectedOutput)))
      const length = Math.max(x.length, y.length)
      // A pair that fits in one slice is scored at once; a larger one is run a slice at a time (./sliced.ts).
      if (Math.ceil(length / 32) * Math.min(x.length, y.length) <= SLICE_WORK) return similarity(distance(x, y), length)
      return new Slices((function*() {
        return similarity(yield* editDistanceSteps(x, y), length)
      })())
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
 * @since 0.1.0
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
