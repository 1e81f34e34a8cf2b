/**
 * `rouge`: ROUGE-1, ROUGE-2 or ROUGE-L F-measure (Lin, 2004) of the actual output against the expected
 * output, computed as Google's `rouge-score` package does without stemming: ROUGE-N from clipped n-gram
 * overlap, ROUGE-L from the longest common subsequence, F = 2PR / (P + R).
 *
 * Tokenization: lower-cased runs of letters and digits (see {@link wordTokens}); for ASCII text the same
 * tokens as `rouge-score`, which drops every non-ASCII letter. One deliberate difference: two texts that both
 * have no tokens score 1 (they are identical), where `rouge-score` gives 0.
 *
 * @example
 * ```ts
 * import { rouge } from "@assay/core"
 * const m = rouge({ variant: "rougeL", threshold: 0.4 })
 * ```
 */
import { Schema } from "effect"
import type { Outcome } from "../metric/metric.js"
import { contentText } from "../model/content.js"
import { type BaseOptions, deterministic, type MetricInfo } from "./define.js"
import { defineFactory, optional } from "./params.js"
import { Slices, SLICE_WORK } from "./sliced.js"
import { countIds, fMeasure, lcsLength, lcsSteps, ngramLevels, overlap, wordTokens } from "./text.js"

/**
 * The ROUGE variants.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(RougeVariant)("rougeL")
 * ```
 * @since 0.1.0
 */
export const RougeVariant = Schema.Literal("rouge1", "rouge2", "rougeL")
/**
 * A ROUGE variant.
 *
 * @example
 * ```ts
 * const v: RougeVariant = "rouge2"
 * ```
 * @since 0.1.0
 */
export type RougeVariant = typeof RougeVariant.Type

const ROUGE: MetricInfo = { id: "rouge", version: 1, defaultThreshold: 0.5 }

/**
 * Options of {@link rouge}.
 *
 * @example
 * ```ts
 * const o: RougeOptions = { variant: "rougeL" }
 * ```
 * @since 0.1.0
 */
export interface RougeOptions extends BaseOptions {
  /** Default "rouge1". */
  readonly variant?: RougeVariant | undefined
}

/**
 * Precision, recall and F-measure of one ROUGE variant.
 *
 * @example
 * ```ts
 * const { fmeasure }: RougeScore = rougeScore(target, prediction, "rouge1")
 * ```
 * @since 0.1.0
 */
export interface RougeScore {
  readonly precision: number
  readonly recall: number
  readonly fmeasure: number
}

const fromCounts = (hits: number, predictionCount: number, targetCount: number): RougeScore => {
  const precision = predictionCount === 0 ? 0 : hits / predictionCount
  const recall = targetCount === 0 ? 0 : hits / targetCount
  return { precision, recall, fmeasure: fMeasure(precision, recall) }
}

/**
 * ROUGE of tokenized texts (argument order as in `rouge-score`: target, then prediction).
 *
 * @example
 * ```ts
 * rougeScore(["the", "cat"], ["the", "dog"], "rouge1").fmeasure // 0.5
 * ```
 * @since 0.1.0
 */
export const rougeScore = (target: ReadonlyArray<string>, prediction: ReadonlyArray<string>, variant: RougeVariant): RougeScore => {
  if (target.length === 0 && prediction.length === 0) return { precision: 1, recall: 1, fmeasure: 1 }
  if (variant === "rougeL") return fromCounts(lcsLength(target, prediction), prediction.length, target.length)
  const n = variant === "rouge1" ? 1 : 2
  const level = ngramLevels([target, prediction], n)[n - 1]!
  const [t, p] = level.ids
  return fromCounts(overlap(countIds(p!, level.size), countIds(t!, level.size)), p!.length, t!.length)
}

const rougeOutcome = (variant: RougeVariant, s: RougeScore): Outcome => ({
  score: s.fmeasure,
  reason: `${variant} precision ${s.precision.toFixed(4)}, recall ${s.recall.toFixed(4)}`
})

/**
 * ROUGE F-measure of the actual output (prediction) against the expected output (target). Default threshold
 * 0.5.
 *
 * @example
 * ```ts
 * rouge({ variant: "rouge2" })
 * ```
 * @since 0.1.0
 */
export const rouge = (options: RougeOptions = {}) => {
  const variant = options.variant ?? "rouge1"
  return deterministic({
    ...ROUGE,
    options,
    config: { variant, measure: "fmeasure", tokenizer: "lowercase letters+digits", stemmer: false },
    requires: ["actualOutput", "expectedOutput"],
    score: (c) => {
      const target = wordTokens(contentText(c.expectedOutput), true)
      const prediction = wordTokens(contentText(c.actualOutput), true)
      // ROUGE-L's table is O(n·m): beyond one slice it is run a slice at a time (./sliced.ts).
      if (variant === "rougeL" && target.length * prediction.length > SLICE_WORK) {
        return new Slices((function*() {
          return rougeOutcome(variant, fromCounts(yield* lcsSteps(target, prediction), prediction.length, target.length))
        })())
      }
      return rougeOutcome(variant, rougeScore(target, prediction, variant))
    }
  })
}

/**
 * Factory for `rouge`.
 *
 * @example
 * ```ts
 * rougeFactory.make({ variant: "rougeL" })
 * ```
 * @since 0.1.0
 */
export const rougeFactory = defineFactory({
  ...ROUGE,
  description: "ROUGE F-measure (rouge1, rouge2 or rougeL) of the actual output against the expected output",
  fields: { variant: optional(RougeVariant) },
  docs: [{ name: "variant", type: "rouge1 | rouge2 | rougeL", default: "rouge1", description: "unigram, bigram or longest-common-subsequence overlap" }],
  make: rouge
})
