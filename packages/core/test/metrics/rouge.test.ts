import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { rouge, rougeScore } from "@assay/core"
import { scorePair } from "./helpers.js"

// rouge-score's README example (google-research/rouge): scorer.score(target, prediction) with
// target = 'The quick brown fox jumps over the lazy dog', prediction = 'The quick brown dog jumps on the log.'
// prints rouge1 P=0.75 R=0.6666666666666666 F=0.7058823529411765,
//        rouge2 P=0.2857142857142857 R=0.25 F=0.26666666666666666,
//        rougeL P=0.625 R=0.5555555555555556 F=0.5882352941176471.
// (The README uses its stemmer; on these texts it only turns "jumps" into "jump" on both sides.)
const target = "The quick brown fox jumps over the lazy dog"
const prediction = "The quick brown dog jumps on the log."

describe("rouge against rouge-score's README", () => {
  it.effect("rouge1: 6 shared unigrams (the ×2, quick, brown, dog, jumps) → P 6/8, R 6/9, F 12/17", () =>
    Effect.gen(function*() {
      const o = yield* scorePair(rouge({ variant: "rouge1" }), prediction, target)
      expect(o.score).toBeCloseTo(0.7058823529411765, 15)
      expect(o.reason).toBe("rouge1 precision 0.7500, recall 0.6667")
    }))

  it.effect("rouge2: 2 shared bigrams (the quick, quick brown) → P 2/7, R 2/8, F 4/15", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(rouge({ variant: "rouge2" }), prediction, target)).score).toBeCloseTo(0.26666666666666666, 15)
    }))

  it.effect("rougeL: LCS 'the quick brown jumps the' = 5 → P 5/8, R 5/9, F 10/17", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(rouge({ variant: "rougeL" }), prediction, target)).score).toBeCloseTo(0.5882352941176471, 15)
    }))
})

describe("rougeScore", () => {
  it("precision is over the prediction, recall over the target (hand-computed)", () => {
    // target a b c d, prediction a b: unigram hits 2 → P = 2/2, R = 2/4, F = 2·1·0.5/1.5 = 2/3.
    expect(rougeScore(["a", "b", "c", "d"], ["a", "b"], "rouge1")).toEqual({ precision: 1, recall: 0.5, fmeasure: 2 / 3 })
    // Clipping: prediction "the the the" vs target "the cat": 1 hit → P 1/3, R 1/2, F 0.4.
    expect(rougeScore(["the", "cat"], ["the", "the", "the"], "rouge1").fmeasure).toBeCloseTo(0.4, 15)
    // LCS is a subsequence, not a substring: a b c d vs a x c y d → LCS a c d = 3 → P 3/5, R 3/4.
    expect(rougeScore(["a", "b", "c", "d"], ["a", "x", "c", "y", "d"], "rougeL")).toMatchObject({ precision: 0.6, recall: 0.75 })
  })

  it("edge cases: empty texts, one-word texts for rouge2", () => {
    expect(rougeScore([], [], "rougeL").fmeasure).toBe(1)
    expect(rougeScore(["a"], [], "rouge1").fmeasure).toBe(0)
    expect(rougeScore([], ["a"], "rougeL").fmeasure).toBe(0)
    // rouge-score gives 0 when a text has no bigram, even for identical one-word texts.
    expect(rougeScore(["cat"], ["cat"], "rouge2").fmeasure).toBe(0)
  })
})

describe("rouge metric", () => {
  it.effect("lower-cases, splits on non-alphanumerics, and keeps non-ASCII letters", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(rouge(), "THE LOG!", "the log")).score).toBe(1)
      // rouge-score would drop every token here and score 0; these are identical texts.
      expect((yield* scorePair(rouge(), "Größe über alles", "größe über alles")).score).toBe(1)
      expect((yield* scorePair(rouge(), "Größe", "Grosse")).score).toBe(0)
    }))

  it("defaults to rouge1 and puts the variant in the config", () => {
    expect(rouge().config).toMatchObject({ metric: "rouge", version: 1, variant: "rouge1" })
    expect(rouge({ variant: "rougeL" }).config).toMatchObject({ variant: "rougeL" })
  })
})
