import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { editDistance, levenshtein } from "@assay/core"
import { scorePair } from "./helpers.js"

describe("editDistance", () => {
  it("textbook distances", () => {
    // Wikipedia, "Levenshtein distance": kitten → sitting = 3, Saturday → Sunday = 3; flaw → lawn = 2.
    expect(editDistance("kitten", "sitting")).toEqual({ distance: 3, length: 7 })
    expect(editDistance("Saturday", "Sunday")).toEqual({ distance: 3, length: 8 })
    expect(editDistance("flaw", "lawn")).toEqual({ distance: 2, length: 4 })
    expect(editDistance("", "abc")).toEqual({ distance: 3, length: 3 })
    expect(editDistance("", "")).toEqual({ distance: 0, length: 0 })
  })

  it("counts code points, not UTF-16 units", () => {
    // "😀" is two UTF-16 units; replacing it by "😃" is one edit, and each is one character long.
    expect(editDistance("😀", "😃")).toEqual({ distance: 1, length: 1 })
    expect(editDistance("a😀b", "ab")).toEqual({ distance: 1, length: 3 })
    expect(editDistance("𝔘𝔫𝔦", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")).toEqual({ distance: 4, length: 7 })
  })

  it("compares NFC forms: precomposed and decomposed accents are equal", () => {
    expect(editDistance("caf\u00e9", "cafe\u0301")).toEqual({ distance: 0, length: 4 })
    expect(editDistance("café", "cafe")).toEqual({ distance: 1, length: 4 })
  })
})

describe("levenshtein", () => {
  it.effect("similarity is 1 − distance / max length", () =>
    Effect.gen(function*() {
      const o = yield* scorePair(levenshtein(), "kitten", "sitting")
      expect(o.score).toBeCloseTo(1 - 3 / 7, 12)
      expect(o.reason).toBe("edit distance 3 over length 7")
      expect((yield* scorePair(levenshtein(), "", "")).score).toBe(1)
      expect((yield* scorePair(levenshtein(), "abc", "")).score).toBe(0)
    }))

  it.effect("caseSensitive and trim", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(levenshtein(), "KITTEN", "kitten")).score).toBe(0)
      expect((yield* scorePair(levenshtein({ caseSensitive: false }), "KITTEN", "kitten")).score).toBe(1)
      expect((yield* scorePair(levenshtein({ trim: true }), " kitten\n", "kitten")).score).toBe(1)
    }))

  it("defaults and config", () => {
    const m = levenshtein()
    expect(m.threshold).toBe(0.5)
    expect(m.config).toEqual({ metric: "levenshtein", version: 1, caseSensitive: true, trim: false, unit: "code point", normalization: "NFC" })
  })
})
