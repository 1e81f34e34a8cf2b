import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { contains, containsAll, containsAny } from "@assay/core"
import { scorePair } from "./helpers.js"

describe("contains", () => {
  it.effect("looks for the expected output by default, or for `value`", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(contains(), "The capital is Paris.", "Paris")).score).toBe(1)
      expect((yield* scorePair(contains(), "The capital is paris.", "Paris")).score).toBe(0)
      expect((yield* scorePair(contains({ caseSensitive: false }), "The capital is paris.", "Paris")).score).toBe(1)
      expect((yield* scorePair(contains({ value: "42" }), "it is 42")).score).toBe(1)
      expect((yield* scorePair(contains({ value: "42" }), "it is 4 2")).score).toBe(0)
    }))

  it("requires expectedOutput only when no value is given", () => {
    expect(contains().requires).toEqual(["actualOutput", "expectedOutput"])
    expect(contains({ value: "x" }).requires).toEqual(["actualOutput"])
    expect(containsAll({ values: ["x"] }).requires).toEqual(["actualOutput"])
  })
})

describe("containsAll", () => {
  it.effect("scores the fraction found and names the missing values", () =>
    Effect.gen(function*() {
      const m = containsAll({ values: ["Paris", "France", "Seine"] })
      const o = yield* scorePair(m, "Paris is in France.")
      expect(o.score).toBeCloseTo(2 / 3, 12)
      expect(o.reason).toBe(`missing "Seine"`)
      expect(m.threshold).toBe(1)
      expect((yield* scorePair(m, "Paris, France, on the Seine")).score).toBe(1)
    }))

  it.effect("caseSensitive false matches across case, including non-ASCII letters", () =>
    Effect.gen(function*() {
      const m = containsAll({ values: ["ÉCOLE", "Straße"], caseSensitive: false })
      expect((yield* scorePair(m, "l'école et la straße")).score).toBe(1)
      // The reason quotes the values as given, not lower-cased.
      expect((yield* scorePair(m, "l'école")).reason).toBe(`missing "Straße"`)
    }))

  it("rejects an empty list or an empty string", () => {
    expect(() => containsAll({ values: [] })).toThrow(`contains-all: option "values" must not be empty`)
    expect(() => containsAny({ values: ["a", ""] })).toThrow(RangeError)
  })
})

describe("containsAny", () => {
  it.effect("1 when at least one value is present", () =>
    Effect.gen(function*() {
      const m = containsAny({ values: ["yes", "correct"] })
      expect((yield* scorePair(m, "that is correct")).score).toBe(1)
      const o = yield* scorePair(m, "no")
      expect(o.score).toBe(0)
      expect(o.reason).toBe(`none found of "yes", "correct"`)
    }))

  it("config carries the values and case sensitivity", () => {
    expect(containsAny({ values: ["a"] }).config).toEqual({ metric: "contains-any", version: 1, values: ["a"], caseSensitive: true })
    expect(containsAny().config).toMatchObject({ values: null })
    expect(contains({ value: "42", caseSensitive: false }).config).toEqual({ metric: "contains", version: 1, value: "42", caseSensitive: false })
  })
})
