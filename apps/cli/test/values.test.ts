import { describe, expect, it } from "@effect/vitest"
import { Duration, Either, Option, Schema } from "effect"
import { Budget, DurationText, fromFlag, parseDuration, Rate } from "../src/config/values.js"

const decode = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknownEither(schema)

describe("flag and config values", () => {
  it.each([
    ["250ms", 250], ["30s", 30_000], ["1.5s", 1_500], ["2m", 120_000], ["1h", 3_600_000], ["10 seconds", 10_000]
  ])("duration %s = %d ms", (text, ms) => {
    expect(Option.map(parseDuration(text), Duration.toMillis)).toEqual(Option.some(ms))
  })

  it("rejects durations without a unit or with garbage", () => {
    expect(Option.isNone(parseDuration("30"))).toBe(true)
    expect(Option.isNone(parseDuration("soon"))).toBe(true)
    expect(Either.isLeft(decode(DurationText)("-5s"))).toBe(true)
  })

  it("config durations may be numbers of milliseconds; flags are text", () => {
    expect(Either.map(decode(DurationText)(1500), Duration.toMillis)).toEqual(Either.right(1500))
    expect(Either.isLeft(decode(fromFlag(DurationText))(1500))).toBe(true)
  })

  it("budgets: counts stay counts, percentages become fractions", () => {
    expect(decode(Budget)("5")).toEqual(Either.right(5))
    expect(decode(Budget)("10%")).toEqual(Either.right(0.1))
    expect(decode(Budget)(0)).toEqual(Either.right(0))
    expect(Either.isLeft(decode(Budget)("150%"))).toBe(true)
    expect(Either.isLeft(decode(Budget)("lots"))).toBe(true)
  })

  it("rates are in [0, 1]", () => {
    expect(decode(Rate)("80%")).toEqual(Either.right(0.8))
    expect(decode(Rate)("0.75")).toEqual(Either.right(0.75))
    expect(Either.isLeft(decode(Rate)("2"))).toBe(true)
  })
})
