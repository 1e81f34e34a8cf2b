import { describe, expect, it } from "@effect/vitest"
import { Duration, Either, Option, Schema } from "effect"
import { Budget, Concurrency, DurationText, fromFlag, parseDuration, Pause, Rate, Repeat, TimeLimit } from "../src/config/values.js"

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

  it("bounded settings: concurrency 1..10000, repeat 1..1000, time limits above 0 up to 7d, pauses from 0", () => {
    expect(decode(Concurrency)("64")).toEqual(Either.right(64))
    expect(decode(Concurrency)(10_000)).toEqual(Either.right(10_000))
    for (const bad of ["0", "1000000", "-1", "2.5", "many", 0]) expect(Either.isLeft(decode(Concurrency)(bad))).toBe(true)
    expect(Either.isLeft(decode(Repeat)("1001"))).toBe(true)
    expect(Either.map(decode(TimeLimit)("30s"), Duration.toMillis)).toEqual(Either.right(30_000))
    for (const bad of ["0s", 0, -5, "8d"]) expect(Either.isLeft(decode(TimeLimit)(bad))).toBe(true)
    expect(Either.map(decode(Pause)("0ms"), Duration.toMillis)).toEqual(Either.right(0))
    expect(Either.isLeft(decode(Pause)(-5))).toBe(true)
    expect(Either.isLeft(decode(Budget)("2.5"))).toBe(true)
    expect(decode(Budget)("0.5")).toEqual(Either.right(0.5))
  })
})
