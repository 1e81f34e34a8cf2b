import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { exactMatch, MetricError } from "@assay/core"
import { conversation, llmCase, scorePair } from "./helpers.js"

describe("exactMatch", () => {
  it.effect("scores 1 for equal outputs and 0 otherwise, trimming by default", () =>
    Effect.gen(function*() {
      const m = exactMatch()
      expect((yield* scorePair(m, "  Paris\n", "Paris")).score).toBe(1)
      expect((yield* scorePair(m, "paris", "Paris")).score).toBe(0)
      expect((yield* scorePair(exactMatch({ trim: false }), " Paris", "Paris")).score).toBe(0)
    }))

  it.effect("caseSensitive and normalizeWhitespace", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(exactMatch({ caseSensitive: false }), "PARIS", "paris")).score).toBe(1)
      expect((yield* scorePair(exactMatch(), "New  York", "New York")).score).toBe(0)
      expect((yield* scorePair(exactMatch({ normalizeWhitespace: true }), "New \n\t York", "New York")).score).toBe(1)
    }))

  it.effect("the reason shows where the outputs first differ", () =>
    Effect.gen(function*() {
      const o = yield* scorePair(exactMatch(), "The answer is 41", "The answer is 42")
      expect(o.reason).toBe(`outputs differ at character 15: expected "2", got "1"`)
    }))

  it.effect("compares only the text parts of multimodal content", () =>
    Effect.gen(function*() {
      const c = llmCase({
        actualOutput: [{ type: "text", text: "a cat" }, { type: "image", url: "https://x/cat.png" }],
        expectedOutput: "a cat"
      })
      expect((yield* exactMatch().measure(c)).score).toBe(1)
    }))

  it.effect("unicode: equal strings match, a missing combining accent does not", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(exactMatch(), "naïve 😀", "naïve 😀")).score).toBe(1)
      expect((yield* scorePair(exactMatch({ caseSensitive: false }), "ÉCOLE", "école")).score).toBe(1)
      expect((yield* scorePair(exactMatch(), "naive", "naïve")).score).toBe(0)
    }))

  it.effect("missing fields score as empty text; conversational cases are refused", () =>
    Effect.gen(function*() {
      expect((yield* exactMatch().measure(llmCase({ actualOutput: "x" }))).score).toBe(0)
      expect((yield* exactMatch().measure(llmCase({}))).score).toBe(1)
      const error = yield* Effect.flip(exactMatch().measure(conversation))
      expect(error).toBeInstanceOf(MetricError)
      expect(error.message).toContain("single-turn")
    }))

  it("has threshold 1, requires both outputs, and a config with version and every option", () => {
    const m = exactMatch({ caseSensitive: false })
    expect(m.name).toBe("exact-match")
    expect(m.threshold).toBe(1)
    expect(m.requires).toEqual(["actualOutput", "expectedOutput"])
    expect(m.config).toEqual({ metric: "exact-match", version: 1, trim: true, caseSensitive: false, normalizeWhitespace: false })
    expect(exactMatch({ name: "em-ci", threshold: 0.5, strict: true })).toMatchObject({ name: "em-ci", threshold: 0.5, strict: true })
  })

  it("rejects a threshold outside [0, 1] at construction", () => {
    expect(() => exactMatch({ threshold: 1.5 })).toThrow(RangeError)
    expect(() => exactMatch({ threshold: Number.NaN })).toThrow(`exact-match: option "threshold" must be in [0, 1], got NaN`)
  })
})
