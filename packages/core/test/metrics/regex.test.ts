import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { regex } from "@assay/core"
import { scorePair } from "./helpers.js"

describe("regex", () => {
  it.effect("searches anywhere by default and reports the match", () =>
    Effect.gen(function*() {
      const m = regex({ pattern: "\\d{4}-\\d{2}-\\d{2}" })
      const o = yield* scorePair(m, "due on 2024-05-01, ok")
      expect(o).toEqual({ score: 1, reason: `matched "2024-05-01" at 7` })
      expect((yield* scorePair(m, "due tomorrow")).score).toBe(0)
    }))

  it.effect("fullMatch needs the whole output, with backtracking like Python's re.fullmatch", () =>
    Effect.gen(function*() {
      const m = regex({ pattern: "a|ab", fullMatch: true })
      // A sticky match would stop at "a" and fail; a full match must try "ab".
      expect((yield* scorePair(m, "ab")).score).toBe(1)
      expect((yield* scorePair(m, "abc")).score).toBe(0)
      expect((yield* scorePair(regex({ pattern: "a|ab" }), "xabx")).score).toBe(1)
    }))

  it.effect("fullMatch anchors at the text's ends even with the m flag", () =>
    Effect.gen(function*() {
      const m = regex({ pattern: "yes", flags: "mi", fullMatch: true })
      expect((yield* scorePair(m, "YES")).score).toBe(1)
      expect((yield* scorePair(m, "yes\nand more")).score).toBe(0)
    }))

  it.effect("unicode flag: . matches one astral code point", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(regex({ pattern: "^.$", flags: "u" }), "😀")).score).toBe(1)
      expect((yield* scorePair(regex({ pattern: "^.$" }), "😀")).score).toBe(0)
    }))

  it.effect("is not stateful across calls", () =>
    Effect.gen(function*() {
      const m = regex({ pattern: "a" })
      for (let i = 0; i < 3; i++) expect((yield* scorePair(m, "a")).score).toBe(1)
    }))

  it("an invalid pattern or flag throws a RangeError at construction", () => {
    expect(() => regex({ pattern: "(" })).toThrow(RangeError)
    expect(() => regex({ pattern: "(" })).toThrow(/regex: option "pattern" invalid pattern "\(": .*Unterminated group/)
    expect(() => regex({ pattern: "a", flags: "g" })).toThrow(`flags "g" are not allowed`)
  })

  it("config and requires", () => {
    const m = regex({ pattern: "x", flags: "i" })
    expect(m.config).toEqual({ metric: "regex", version: 1, pattern: "x", flags: "i", fullMatch: false })
    expect(m.requires).toEqual(["actualOutput"])
    expect(m.threshold).toBe(1)
  })
})

describe("regex reasons", () => {
  it.effect("long matches are cut at a code point, with an ellipsis", () =>
    Effect.gen(function*() {
      const o = yield* scorePair(regex({ pattern: ".+", flags: "u" }), "😀".repeat(100))
      expect(o.reason).toBe(`matched "${"😀".repeat(59)}…" at 0`)
      const short = yield* scorePair(regex({ pattern: ".+", flags: "u" }), "😀".repeat(40))
      expect(short.reason).toBe(`matched "${"😀".repeat(40)}" at 0`)
    }))
})
