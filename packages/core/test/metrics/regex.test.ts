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

  it.effect(". matches one astral code point, with or without the u flag (RE2 matches code points)", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(regex({ pattern: "^.$", flags: "u" }), "😀")).score).toBe(1)
      expect((yield* scorePair(regex({ pattern: "^.$" }), "😀")).score).toBe(1)
      // the reported position is in UTF-16 units, as JavaScript's
      expect((yield* scorePair(regex({ pattern: "x" }), "😀x")).reason).toBe(`matched "x" at 2`)
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
    expect(m.config).toEqual({ metric: "regex", version: 2, pattern: "x", flags: "i", fullMatch: false })
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

describe("regex runs in linear time (RE2)", () => {
  it.effect("a pattern that backtracks catastrophically in JavaScript answers at once", () =>
    Effect.gen(function*() {
      // JavaScript's engine takes minutes for `^(a+)+$` on forty "a"s and a "!" (2^40 ways to split the run).
      const o = yield* scorePair(regex({ pattern: "^(a+)+$" }), "a".repeat(40) + "!")
      expect(o).toEqual({ score: 0, reason: "no match for /^(a+)+$/" })
      expect((yield* scorePair(regex({ pattern: "^(a+)+$", fullMatch: true }), "a".repeat(100_000))).score).toBe(1)
    }))

  it("lookahead and backreferences are refused with a message naming the construct", () => {
    expect(() => regex({ pattern: "(a)\\1" })).toThrow(/regex: option "pattern" pattern "\(a\)\\\\1" uses a backreference \\1, which the linear-time regex engine \(RE2\) does not support/)
    expect(() => regex({ pattern: "(?<x>a)\\k<x>" })).toThrow(/named backreference/)
    expect(() => regex({ pattern: "foo(?!bar)" })).toThrow(/uses a lookahead \(\?!…\)/)
    expect(() => regex({ pattern: "a", flags: "v" })).toThrow(`flags "v" are not allowed: use any of d, i, m, s, u`)
    // an escaped backslash before a digit, and (?= inside a class, are plain text
    expect(() => regex({ pattern: "\\\\1[(?=]" })).not.toThrow()
  })

  it.effect("lookbehind, named groups and JavaScript escapes are translated", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(regex({ pattern: "(?<=\\$)\\d+" }), "costs $42")).reason).toBe(`matched "42" at 7`)
      expect((yield* scorePair(regex({ pattern: "(?<year>\\d{4})-\\u0041" }), "in 2024-A")).score).toBe(1)
    }))
})
