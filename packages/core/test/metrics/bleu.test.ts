import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { bleu, type BleuSettings, sentenceBleu } from "@assay/core"
import { scorePair } from "./helpers.js"

// The worked example of Papineni et al. (2002), as shipped in the docstrings of NLTK's
// nltk/translate/bleu_score.py (`sentence_bleu` and `SmoothingFunction`).
const hypothesis1 = "It is a guide to action which ensures that the military always obeys the commands of the party"
const hypothesis2 = "It is to insure the troops forever hearing the activity guidebook that party direct"
const reference1 = "It is a guide to action that ensures that the military will forever heed Party commands"
const reference2 = "It is the guiding principle which guarantees the military forces always being under the command of the Party"
const reference3 = "It is the practical guide for the army always to heed the directions of the party"
const words = (s: string) => s.split(" ")
const refs = [reference1, reference2, reference3].map(words)
// NLTK's doctests print these with an ellipsis ("0.4118..."): the printed digits are a prefix of the value.
const startsWith = (value: number, digits: string) => expect(String(value).startsWith(digits), `${value} starts with ${digits}`).toBe(true)
const settings = (smoothing: BleuSettings["smoothing"]): BleuSettings => ({ maxN: 4, smoothing, epsilon: 0.1 })

describe("sentenceBleu against NLTK's published values", () => {
  it("three references, no smoothing: 0.5045666840058485 (NLTK sentence_bleu docstring)", () => {
    const b = sentenceBleu(words(hypothesis1), refs, settings("none"))
    expect(b.score).toBeCloseTo(0.5045666840058485, 14)
    // The parts, as printed in the same docstring's modified_precision examples: p1 = 17/18, p2 = 10/17.
    expect(b.matches.slice(0, 2)).toEqual([17, 10])
    expect(b.totals).toEqual([18, 17, 16, 15])
    expect(b.brevityPenalty).toBe(1)
  })

  it("hypothesis2 has no matching 4-gram: 0 without smoothing (NLTK docstring)", () => {
    expect(sentenceBleu(words(hypothesis2), refs, settings("none")).score).toBe(0)
  })

  it("method1 on hypothesis2: 0.0370… (NLTK sentence_bleu docstring, chencherry.method1)", () => {
    startsWith(sentenceBleu(words(hypothesis2), refs, settings("method1")).score, "0.0370")
  })

  it("one reference: 0.4118… unsmoothed and with method1, 0.4489… with method2 (NLTK SmoothingFunction docstring)", () => {
    const one = [words(reference1)]
    startsWith(sentenceBleu(words(hypothesis1), one, settings("none")).score, "0.4118")
    startsWith(sentenceBleu(words(hypothesis1), one, settings("method1")).score, "0.4118")
    startsWith(sentenceBleu(words(hypothesis1), one, settings("add-one")).score, "0.4489")
    // The brevity penalty here: c = 18 > r = 16, so none.
    expect(sentenceBleu(words(hypothesis1), one, settings("none")).brevityPenalty).toBe(1)
  })

  it("Papineni et al. §2.1: 'the the the the the the the' has modified unigram precision 2/7", () => {
    const b = sentenceBleu(words("the the the the the the the"), [words("the cat is on the mat"), words("there is a cat on the mat")], { maxN: 1, smoothing: "none", epsilon: 0.1 })
    expect(b.matches[0]).toBe(2)
    expect(b.totals[0]).toBe(7)
    // BLEU-1 = BP · p1 = 2/7: the closest reference has r = 7 = c tokens, so BP = exp(1 − 7/7) = 1.
    expect(b.score).toBeCloseTo(2 / 7, 14)
  })

  it("brevity penalty exp(1 − r/c) for a short hypothesis (hand-computed)", () => {
    // hypothesis "the cat" vs reference "the cat is on the mat": p1 = 2/2, p2 = 1/1, BP = exp(1 − 6/2) = e^-2.
    const b = sentenceBleu(words("the cat"), [words("the cat is on the mat")], { maxN: 2, smoothing: "none", epsilon: 0.1 })
    expect(b.brevityPenalty).toBeCloseTo(Math.exp(-2), 14)
    expect(b.score).toBeCloseTo(Math.exp(-2), 14)
  })

  it("the closest reference length wins, the shorter one on a tie (NLTK closest_ref_length)", () => {
    const hyp = words("a b c d e")
    expect(sentenceBleu(hyp, [words("a b c d"), words("a b c d e f")], settings("method1")).referenceLength).toBe(4)
    expect(sentenceBleu(hyp, [words("a b c d e f g"), words("a b c d e f")], settings("method1")).referenceLength).toBe(6)
  })

  it("edge cases: empty hypothesis, no unigram match", () => {
    expect(sentenceBleu([], [[]], settings("method1")).score).toBe(1)
    expect(sentenceBleu([], [words("a b")], settings("method1")).score).toBe(0)
    expect(sentenceBleu(words("x y"), [words("a b")], settings("add-one")).score).toBe(0)
  })
})

describe("bleu metric", () => {
  it.effect("tokenizes words and punctuation and scores actual vs expected", () =>
    Effect.gen(function*() {
      const o = yield* scorePair(bleu({ smoothing: "none" }), hypothesis1, reference1)
      expect(o.score).toBeCloseTo(0.4118, 4)
      expect(o.reason).toMatch(/^BLEU-4 0\.4118: precisions 11\/18, 8\/17, 6\/16, 4\/15, brevity penalty 1\.0000 \(18 vs 16 tokens\)$/)
      // Punctuation is split off, so "world!" and "world" share the word token.
      expect((yield* scorePair(bleu({ maxN: 1 }), "Hello, world!", "Hello, world!")).score).toBe(1)
      expect((yield* scorePair(bleu({ maxN: 1 }), "Hello world", "Hello, world!")).score).toBeCloseTo(Math.exp(1 - 4 / 2), 12)
    }))

  it.effect("case-sensitive unless lowercase; unicode words are tokens", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(bleu({ maxN: 1 }), "PARIS", "paris")).score).toBe(0)
      expect((yield* scorePair(bleu({ maxN: 1, lowercase: true }), "PARIS", "paris")).score).toBe(1)
      expect((yield* scorePair(bleu({ maxN: 2 }), "東京 は 大きい", "東京 は 大きい")).score).toBe(1)
      expect((yield* scorePair(bleu(), "", "")).score).toBe(1)
    }))

  it("options are validated and are all in the config", () => {
    expect(() => bleu({ maxN: 0 })).toThrow(`bleu: option "maxN" must be an integer in 1…8, got 0`)
    expect(() => bleu({ epsilon: 0 })).toThrow(RangeError)
    expect(bleu().config).toEqual({ metric: "bleu", version: 1, maxN: 4, smoothing: "method1", epsilon: 0.1, lowercase: false, tokenizer: "words+punctuation" })
  })
})
