/**
 * `bleu`: sentence BLEU (Papineni et al., 2002) of the actual output against the expected output, computed
 * as NLTK's `sentence_bleu` does: clipped (modified) n-gram precisions for n = 1…maxN with uniform weights,
 * their geometric mean, and the brevity penalty exp(1 − r/c) with r the closest reference length.
 *
 * Tokenization: words (runs of letters, marks, digits and `_`, any script) and each other non-space character
 * as its own token — "Hello, world!" → Hello , world ! — close to sacrebleu's `13a` on ordinary text.
 * Case-sensitive unless `lowercase`.
 *
 * Smoothing (Chen & Cherry, 2014, as named in NLTK): `none` — any zero precision makes the score 0;
 * `method1` (default) — a zero match count becomes `epsilon` (0.1); `add-one` — NLTK's `method2` (Lin & Och,
 * 2004) as published with its docstring example (0.4489…): 1 is added to the matches and the total of every
 * n-gram order. (Some later NLTK releases leave the unigram precision unsmoothed.)
 *
 * @example
 * ```ts
 * import { bleu } from "@assay/core"
 * const m = bleu({ maxN: 4, smoothing: "add-one" })
 * ```
 */
import { Schema } from "effect"
import { contentText } from "../model/content.js"
import { type BaseOptions, deterministic, type MetricInfo, optionError } from "./define.js"
import { defineFactory, optional } from "./params.js"
import { countIds, ngramLevels, overlap, punctuatedTokens, zeros } from "./text.js"

/**
 * BLEU smoothing methods; see the module doc.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(BleuSmoothing)("method1")
 * ```
 * @since 0.1.0
 */
export const BleuSmoothing = Schema.Literal("none", "method1", "add-one")
/**
 * A BLEU smoothing method.
 *
 * @example
 * ```ts
 * const s: BleuSmoothing = "add-one"
 * ```
 * @since 0.1.0
 */
export type BleuSmoothing = typeof BleuSmoothing.Type

/**
 * How to compute BLEU.
 *
 * @example
 * ```ts
 * const s: BleuSettings = { maxN: 4, smoothing: "method1", epsilon: 0.1 }
 * ```
 * @since 0.1.0
 */
export interface BleuSettings {
  /** Highest n-gram order, 1…8. Default 4. */
  readonly maxN: number
  readonly smoothing: BleuSmoothing
  /** The count that replaces a zero under `method1`. Default 0.1. */
  readonly epsilon: number
}

const BLEU: MetricInfo = { id: "bleu", version: 1, defaultThreshold: 0.5 }

/**
 * Options of {@link bleu}.
 *
 * @example
 * ```ts
 * const o: BleuOptions = { maxN: 2, lowercase: true, threshold: 0.3 }
 * ```
 * @since 0.1.0
 */
export interface BleuOptions extends BaseOptions, Partial<BleuSettings> {
  /** Lower-case both texts before tokenizing. Default false. */
  readonly lowercase?: boolean | undefined
}

/**
 * A BLEU score and its parts.
 *
 * @example
 * ```ts
 * const { score, brevityPenalty }: BleuBreakdown = sentenceBleu(hypothesis, [reference], settings)
 * ```
 * @since 0.1.0
 */
export interface BleuBreakdown {
  readonly score: number
  /** Clipped matches and hypothesis n-gram totals, for n = 1…maxN (before smoothing). */
  readonly matches: ReadonlyArray<number>
  readonly totals: ReadonlyArray<number>
  readonly brevityPenalty: number
  readonly hypothesisLength: number
  readonly referenceLength: number
}

/** Per n-gram, its highest count in any one reference: what a hypothesis count is clipped to. */
const maxCounts = (refIds: ReadonlyArray<ReadonlyArray<number>>, size: number): Array<number> => {
  const max = zeros(size)
  for (const ids of refIds) {
    const counts = countIds(ids, size)
    for (let k = 0; k < size; k++) if (counts[k]! > max[k]!) max[k] = counts[k]!
  }
  return max
}

/** The reference length closest to the hypothesis length (the shorter one on a tie), as NLTK picks it. */
const closestLength = (references: ReadonlyArray<ReadonlyArray<string>>, hypLength: number): number => {
  let best = references[0]?.length ?? 0
  for (const ref of references) {
    const d = Math.abs(ref.length - hypLength)
    const bestD = Math.abs(best - hypLength)
    if (d < bestD || (d === bestD && ref.length < best)) best = ref.length
  }
  return best
}

/**
 * Sentence BLEU of a tokenized hypothesis against one or more tokenized references.
 *
 * @example
 * ```ts
 * sentenceBleu("the cat sat".split(" "), ["the cat sat".split(" ")], { maxN: 2, smoothing: "none", epsilon: 0.1 }).score // 1
 * ```
 * @since 0.1.0
 */
export const sentenceBleu = (
  hypothesis: ReadonlyArray<string>,
  references: ReadonlyArray<ReadonlyArray<string>>,
  settings: BleuSettings
): BleuBreakdown => {
  const matches: Array<number> = []
  const totals: Array<number> = []
  const levels = ngramLevels([hypothesis, ...references], settings.maxN)
  for (const level of levels) {
    const [hypIds, ...refIds] = level.ids
    const hyp = countIds(hypIds!, level.size)
    matches.push(overlap(hyp, refIds.length === 1 ? countIds(refIds[0]!, level.size) : maxCounts(refIds, level.size)))
    totals.push(Math.max(1, hypIds!.length))
  }
  const hypothesisLength = hypothesis.length
  const referenceLength = closestLength(references, hypothesisLength)
  const brevityPenalty = hypothesisLength > referenceLength ? 1 : hypothesisLength === 0 ? 0 : Math.exp(1 - referenceLength / hypothesisLength)
  const parts = { matches, totals, brevityPenalty, hypothesisLength, referenceLength }
  if (hypothesisLength === 0) return { ...parts, score: referenceLength === 0 ? 1 : 0 }
  // As in NLTK: no unigram match at all scores 0 whatever the smoothing.
  if (matches[0] === 0) return { ...parts, score: 0 }
  let logSum = 0
  for (let i = 0; i < settings.maxN; i++) {
    let m = matches[i]!
    let t = totals[i]!
    if (settings.smoothing === "method1" && m === 0) m = settings.epsilon
    else if (settings.smoothing === "add-one") {
      m += 1
      t += 1
    }
    if (m === 0) return { ...parts, score: 0 }
    logSum += Math.log(m / t) / settings.maxN
  }
  return { ...parts, score: brevityPenalty * Math.exp(logSum) }
}

/**
 * Sentence BLEU of the actual output against the expected output. Default threshold 0.5.
 *
 * @example
 * ```ts
 * bleu({ smoothing: "none", lowercase: true })
 * ```
 * @since 0.1.0
 */
export const bleu = (options: BleuOptions = {}) => {
  const settings: BleuSettings = {
    maxN: options.maxN ?? 4,
    smoothing: options.smoothing ?? "method1",
    epsilon: options.epsilon ?? 0.1
  }
  if (!Number.isInteger(settings.maxN) || settings.maxN < 1 || settings.maxN > 8) throw optionError(BLEU.id, "maxN", `must be an integer in 1…8, got ${settings.maxN}`)
  if (!(settings.epsilon > 0 && settings.epsilon <= 1)) throw optionError(BLEU.id, "epsilon", `must be in (0, 1], got ${settings.epsilon}`)
  const lowercase = options.lowercase ?? false
  return deterministic({
    ...BLEU,
    options,
    config: { ...settings, lowercase, tokenizer: "words+punctuation" },
    requires: ["actualOutput", "expectedOutput"],
    score: (c) => {
      const hyp = punctuatedTokens(contentText(c.actualOutput), lowercase)
      const ref = punctuatedTokens(contentText(c.expectedOutput), lowercase)
      const b = sentenceBleu(hyp, [ref], settings)
      const precisions = b.matches.map((m, i) => `${m}/${b.totals[i]}`).join(", ")
      return {
        score: b.score,
        reason: `BLEU-${settings.maxN} ${b.score.toFixed(4)}: precisions ${precisions}, brevity penalty ${b.brevityPenalty.toFixed(4)} (${b.hypothesisLength} vs ${b.referenceLength} tokens)`
      }
    }
  })
}

/**
 * Factory for `bleu`.
 *
 * @example
 * ```ts
 * bleuFactory.make({ maxN: 2, smoothing: "none" })
 * ```
 * @since 0.1.0
 */
export const bleuFactory = defineFactory({
  ...BLEU,
  description: "sentence BLEU of the actual output against the expected output",
  fields: {
    maxN: optional(Schema.Int.pipe(Schema.between(1, 8))),
    smoothing: optional(BleuSmoothing),
    epsilon: optional(Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(1))),
    lowercase: optional(Schema.Boolean)
  },
  docs: [
    { name: "maxN", type: "integer 1…8", default: "4", description: "highest n-gram order (uniform weights)" },
    { name: "smoothing", type: "none | method1 | add-one", default: "method1", description: "how zero n-gram matches are smoothed (NLTK method1 / method2)" },
    { name: "epsilon", type: "number in (0, 1]", default: "0.1", description: "the count replacing a zero under method1" },
    { name: "lowercase", type: "boolean", default: "false", description: "lower-case both texts before tokenizing" }
  ],
  make: bleu
})
