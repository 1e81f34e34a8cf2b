/**
 * Text helpers shared by the deterministic metrics: option-driven normalisation, Unicode-aware tokenizers,
 * n-gram counting and the longest common subsequence.
 *
 * @example
 * ```ts
 * import { wordTokens, ngramCounts } from "./text.js"
 * ngramCounts(wordTokens("the cat the cat", false), 2).get("the\u0000cat") // 2
 * ```
 */

/** Options that say which differences between two texts do not count. */
export interface NormalizeOptions {
  readonly trim: boolean
  readonly caseSensitive: boolean
  readonly normalizeWhitespace: boolean
}

const WHITESPACE_RUN = /\s+/g

/**
 * A normaliser built once from options (so scoring does not branch on them per call): optional whitespace
 * collapsing (runs of whitespace become one space), trimming and lower-casing.
 *
 * @example
 * ```ts
 * normalizer({ trim: true, caseSensitive: false, normalizeWhitespace: true })("  A \n b ") // "a b"
 * ```
 */
export const normalizer = (options: NormalizeOptions): (text: string) => string => {
  const steps: Array<(text: string) => string> = []
  if (options.normalizeWhitespace) steps.push((t) => t.replace(WHITESPACE_RUN, " "))
  if (options.trim) steps.push((t) => t.trim())
  if (!options.caseSensitive) steps.push((t) => t.toLowerCase())
  if (steps.length === 0) return (t) => t
  return (t) => {
    let out = t
    for (const step of steps) out = step(out)
    return out
  }
}

/** Words (runs of letters, marks and digits, any script) and single punctuation or symbol characters. */
const WORD_OR_PUNCT = /[\p{L}\p{M}\p{N}_]+|[^\p{L}\p{M}\p{N}_\s]/gu
/** Words only: runs of letters, marks and digits. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu

/**
 * BLEU tokenization: words and separate punctuation marks (close to sacrebleu's `13a` on ordinary text:
 * "it's fine." → it ' s fine .), optionally lower-cased. Whitespace-separated ASCII words tokenize exactly as
 * NLTK's `str.split()`-based examples do.
 *
 * @example
 * ```ts
 * punctuatedTokens("Hello, world!", false) // ["Hello", ",", "world", "!"]
 * ```
 */
export const punctuatedTokens = (text: string, lowercase: boolean): Array<string> =>
  (lowercase ? text.toLowerCase() : text).match(WORD_OR_PUNCT) ?? []

/**
 * ROUGE tokenization, as in Google's `rouge-score` without stemming: lower-case, then runs of letters and
 * digits; everything else separates tokens. Unlike `rouge-score` (which keeps only `[a-z0-9]`), letters of
 * every script are kept, so non-English text is not scored as empty.
 *
 * @example
 * ```ts
 * wordTokens("The log.", true) // ["the", "log"]
 * ```
 */
export const wordTokens = (text: string, lowercase: boolean): Array<string> =>
  (lowercase ? text.toLowerCase() : text).match(WORD) ?? []

/** Separator for n-gram keys: cannot occur inside a token. */
const SEP = "\u0000"

/**
 * Counts of the n-grams of a token list, keyed by the tokens joined with NUL.
 *
 * @example
 * ```ts
 * ngramCounts(["a", "b", "a", "b"], 2).get("a\u0000b") // 2
 * ```
 */
export const ngramCounts = (tokens: ReadonlyArray<string>, n: number): Map<string, number> => {
  const counts = new Map<string, number>()
  for (let i = 0; i + n <= tokens.length; i++) {
    let key = tokens[i]!
    for (let k = 1; k < n; k++) key += SEP + tokens[i + k]!
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

/**
 * Size of the multiset intersection of two count maps (clipped counts).
 *
 * @example
 * ```ts
 * overlap(new Map([["a", 2]]), new Map([["a", 1]])) // 1
 * ```
 */
export const overlap = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number => {
  let total = 0
  for (const [key, count] of a) {
    const other = b.get(key)
    if (other !== undefined) total += Math.min(count, other)
  }
  return total
}

/**
 * Length of the longest common subsequence of two token lists, in O(n·m) time and O(m) memory (two rows).
 *
 * @example
 * ```ts
 * lcsLength(["a", "b", "c"], ["a", "c"]) // 2
 * ```
 */
export const lcsLength = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): number => {
  if (a.length === 0 || b.length === 0) return 0
  let prev = new Uint32Array(b.length + 1)
  let curr = new Uint32Array(b.length + 1)
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1]
    for (let j = 1; j <= b.length; j++) {
      curr[j] = ai === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, curr[j - 1]!)
    }
    const swap = prev
    prev = curr
    curr = swap
  }
  return prev[b.length]!
}

/**
 * F-measure (harmonic mean) of precision and recall; 0 when both are 0.
 *
 * @example
 * ```ts
 * fMeasure(0.75, 2 / 3) // 0.70588…
 * ```
 */
export const fMeasure = (precision: number, recall: number): number =>
  precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
