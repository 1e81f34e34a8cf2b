import { assert, describe, it } from "@effect/vitest"
import { bootstrapMeanCI, holmAdjust, meanInterval, mcnemarExact, seededRandom, SummaryAccumulator, wilsonInterval } from "@assay/core"

describe("mcnemarExact", () => {
  it("matches the exact binomial tail for known tables", () => {
    // b = 2, c = 8: 2 × P(X ≤ 2 | n = 10, ½) = 2 × 56 / 1024.
    assert.closeTo(mcnemarExact(2, 8), 0.109375, 1e-12)
    assert.closeTo(mcnemarExact(8, 2), 0.109375, 1e-12)
    // Published example (Agresti, presidential approval: b = 86, c = 150): exact p ≈ 3.7e-5.
    assert.closeTo(mcnemarExact(86, 150), 3.7e-5, 0.2e-5)
    assert.closeTo(mcnemarExact(0, 12), 2 / 4096, 1e-15)
    assert.strictEqual(mcnemarExact(5, 5), 1)
    assert.strictEqual(mcnemarExact(0, 0), 1)
  })

  it("stays finite and small for very large discordant counts", () => {
    const p = mcnemarExact(40_000, 60_000)
    assert.isTrue(p >= 0 && p < 1e-100)
    assert.closeTo(mcnemarExact(50_000, 50_000), 1, 1e-9)
  })
})

describe("holmAdjust", () => {
  it("steps down and keeps monotonicity; nulls are not tests", () => {
    const out = holmAdjust([0.01, 0.04, null, 0.03])
    assert.closeTo(out[0]!, 0.03, 1e-12)
    assert.closeTo(out[1]!, 0.06, 1e-12)
    assert.isNull(out[2])
    assert.closeTo(out[3]!, 0.06, 1e-12)
    assert.deepStrictEqual(holmAdjust([0.5, 0.9]), [1, 1])
  })
})

describe("intervals", () => {
  it("Wilson 8 of 10 is [0.490, 0.943]", () => {
    const ci = wilsonInterval(8, 10)!
    assert.closeTo(ci.low, 0.4902, 1e-4)
    assert.closeTo(ci.high, 0.9433, 1e-4)
    assert.isNull(wilsonInterval(0, 0))
    assert.deepStrictEqual(wilsonInterval(0, 5)!.low, 0)
  })

  it("normal interval of a mean from its sums", () => {
    // values 0, 1, 0, 1: mean 0.5, sd 0.57735, half-width 1.96 × 0.57735 / 2.
    const ci = meanInterval(4, 2, 2)!
    assert.closeTo(ci.low, 0.5 - 0.565794, 1e-5)
    assert.closeTo(ci.high, 0.5 + 0.565794, 1e-5)
    assert.isNull(meanInterval(1, 1, 1))
  })

  it("keeps a mean's interval inside the range of the values", () => {
    // nine 1s and a 0: mean 0.9, half-width 0.196; the high end would be 1.096 without the bounds.
    const open = meanInterval(10, 9, 9)!
    assert.isAbove(open.high, 1)
    const ci = meanInterval(10, 9, 9, { min: 0, max: 1 })!
    assert.strictEqual(ci.high, 1)
    assert.closeTo(ci.low, 0.9 - 0.196, 1e-3)
    const summary = SummaryAccumulator.empty()
    for (let i = 0; i < 10; i++) {
      const score = i === 0 ? 0 : 1
      summary.add({
        index: i, name: null, success: score === 1, skipped: false, errored: false, durationMs: 0, cost: 0, tokens: { input: 0, output: 0 },
        metrics: [{ name: "m", score, threshold: 0.5, strict: false, success: score === 1, reason: null, error: null, skipped: false, cached: false, durationMs: 0, cost: 0, tokens: { input: 0, output: 0 } }]
      })
    }
    assert.strictEqual(summary.summary(0).metrics[0]!.meanCI!.high, 1)
  })

  it("bootstrap: the same seed gives the same interval, and it covers the true mean of a seeded sample", () => {
    const next = seededRandom(99)
    const sample = Float64Array.from({ length: 400 }, () => next() * 0.6) // uniform on [0, 0.6): mean 0.3
    const a = bootstrapMeanCI(sample, { seed: 5 })!
    const b = bootstrapMeanCI(sample, { seed: 5 })!
    const c = bootstrapMeanCI(sample, { seed: 6 })!
    assert.deepStrictEqual(a, b)
    assert.notDeepEqual(a, c)
    assert.isTrue(a.low < 0.3 && 0.3 < a.high, `${a.low}–${a.high}`)
    assert.isTrue(a.high - a.low < 0.05) // ≈ 2 × 1.96 × 0.173 / √400 = 0.034
    assert.isNull(bootstrapMeanCI([]))
  })
})

describe("SummaryAccumulator intervals", () => {
  it("adds a Wilson interval on pass rates and a mean interval", () => {
    const acc = SummaryAccumulator.empty()
    for (let i = 0; i < 10; i++) {
      const score = i < 8 ? 1 : 0
      acc.add({
        index: i, name: null, success: score === 1, skipped: false, errored: false, durationMs: 0, cost: 0,
        tokens: { input: 0, output: 0 },
        metrics: [{ name: "m", score, threshold: 0.5, strict: false, success: score === 1, reason: null, error: null,
          skipped: false, cached: false, cost: 0, tokens: { input: 0, output: 0 }, durationMs: 0 }]
      })
    }
    const s = acc.summary(0)
    assert.closeTo(s.passRateCI!.low, 0.4902, 1e-4)
    assert.closeTo(s.metrics[0]!.passRateCI!.high, 0.9433, 1e-4)
    assert.isTrue(s.metrics[0]!.meanCI!.low < 0.8 && s.metrics[0]!.meanCI!.high > 0.8)
  })
})
