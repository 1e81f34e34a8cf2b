/**
 * Text helpers shared by the deterministic metrics: option-driven normalisation, Unicode-aware tokenizers,
 * n-gram counting and the longest common subsequence.
 *
 * @example
 * ```ts
 * import { wordTokens, lcsLength } from "./text.js"
 * lcsLength(wordTokens("the cat sat", true), wordTokens("The cat", true)) // 2
 * ```
 */
import { runToEnd, SLICE_WORK } from "./sliced.js"

/**
 * Options that say which differences between two texts do not count.
 *
 * @example
 * ```ts
 * const o: NormalizeOptions = { trim: true, caseSensitive: false, normalizeWhitespace: true }
 * ```
 */
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

/**
 * The n-grams of one order across several texts, as dense ids.
 *
 * @example
 * ```ts
 * const [unigrams]: Array<NgramLevel> = ngramLevels([["a", "b"]], 1)
 * ```
 */
export interface NgramLevel {
  /** Number of distinct n-grams of this order over all the texts: every id is below it. */
  readonly size: number
  /** Per text, the id of the n-gram starting at each position. */
  readonly ids: ReadonlyArray<ReadonlyArray<number>>
}

/**
 * The n-grams of orders 1…maxN of several texts as small integers: equal n-grams get equal ids, across texts.
 * Order n is built from order n − 1 (an n-gram is an (n−1)-gram plus a token), so no string keys are built;
 * counting then works on arrays indexed by id instead of string-keyed maps, which is what makes BLEU and ROUGE cheap
 * enough to run hundreds of thousands of times. Keys stay exact below ~9·10⁷ tokens in all.
 *
 * @example
 * ```ts
 * const [unigrams, bigrams] = ngramLevels([["a", "b", "a", "b"]], 2)
 * countIds(bigrams!.ids[0]!, bigrams!.size) // [2, 1]: "a b" twice, "b a" once
 * ```
 */
export const ngramLevels = (texts: ReadonlyArray<ReadonlyArray<string>>, maxN: number): Array<NgramLevel> => {
  const vocabulary = new Map<string, number>()
  const tokenIds = texts.map((tokens) => {
    const ids = new Array<number>(tokens.length)
    for (let i = 0; i < tokens.length; i++) {
      let id = vocabulary.get(tokens[i]!)
      if (id === undefined) {
        id = vocabulary.size
        vocabulary.set(tokens[i]!, id)
      }
      ids[i] = id
    }
    return ids
  })
  const base = vocabulary.size
  const levels: Array<NgramLevel> = [{ size: base, ids: tokenIds }]
  for (let n = 2; n <= maxN; n++) {
    const previous = levels[n - 2]!.ids
    const pairs = new Map<number, number>()
    const ids = previous.map((grams, t) => {
      const tokens = tokenIds[t]!
      const out = new Array<number>(Math.max(0, grams.length - 1))
      for (let i = 0; i < out.length; i++) {
        const key = grams[i]! * base + tokens[i + n - 1]!
        let id = pairs.get(key)
        if (id === undefined) {
          id = pairs.size
          pairs.set(key, id)
        }
        out[i] = id
      }
      return out
    })
    levels.push({ size: pairs.size, ids })
  }
  return levels
}

/**
 * How often each id occurs, as an array indexed by id.
 *
 * @example
 * ```ts
 * countIds([0, 1, 0], 2) // [2, 1]
 * ```
 */
export const countIds = (ids: ReadonlyArray<number>, size: number): Array<number> => {
  const counts = zeros(size)
  for (let i = 0; i < ids.length; i++) counts[ids[i]!]!++
  return counts
}

/**
 * An array of `size` zeros. Plain arrays, not typed ones: for the small sizes here V8 allocates them far more
 * cheaply (a profile of BLEU showed typed-array allocation and its GC at over half the time).
 *
 * @example
 * ```ts
 * zeros(3) // [0, 0, 0]
 * ```
 */
export const zeros = (size: number): Array<number> => {
  const out = new Array<number>(size)
  for (let i = 0; i < size; i++) out[i] = 0
  return out
}

/**
 * Size of the multiset intersection of two count arrays (clipped counts).
 *
 * @example
 * ```ts
 * overlap([2, 0], [1, 3]) // 1
 * ```
 */
export const overlap = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  let total = 0
  for (let k = 0; k < a.length; k++) total += Math.min(a[k]!, b[k]!)
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
export const lcsLength = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): number => runToEnd(lcsSteps(a, b))

/**
 * {@link lcsLength} as a sliced computation: it yields after each slice's worth of table cells (./sliced.ts).
 *
 * @example
 * ```ts
 * new Slices(lcsSteps(tokensA, tokensB))
 * ```
 */
export function* lcsSteps(a: ReadonlyArray<string>, b: ReadonlyArray<string>): Generator<void, number, void> {
  if (a.length === 0 || b.length === 0) return 0
  let prev = zeros(b.length + 1)
  let curr = zeros(b.length + 1)
  let work = 0
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1]
    for (let j = 1; j <= b.length; j++) {
      curr[j] = ai === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, curr[j - 1]!)
    }
    const swap = prev
    prev = curr
    curr = swap
    work += b.length
    if (work >= SLICE_WORK && i < a.length) {
      work = 0
      yield
    }
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
