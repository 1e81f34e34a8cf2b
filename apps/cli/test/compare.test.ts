import type { CaseResult } from "@assay/core"
import { describe, expect, it } from "@effect/vitest"
import { compareRuns, comparisonText } from "../src/report/compare.js"
import { makeStyle } from "../src/report/style.js"

const caseResult = (index: number, name: string, score: number): CaseResult => ({
  index, name, success: score >= 0.5, skipped: false, errored: false, durationMs: 1, cost: 0, tokens: { input: 0, output: 0 },
  metrics: [{
    name: "bleu", score, threshold: 0.5, strict: false, success: score >= 0.5, reason: null, error: null, skipped: false,
    cached: false, cost: 0, tokens: { input: 0, output: 0 }, durationMs: 1
  }]
})

describe("compareRuns", () => {
  const a = [caseResult(0, "paris", 0.9), caseResult(1, "rome", 0.2), caseResult(2, "tokyo", 0.7), caseResult(3, "only-a", 1)]
  const b = [caseResult(0, "paris", 0.4), caseResult(1, "rome", 0.8), caseResult(2, "tokyo", 0.7)]
  const diff = compareRuns(a, b)

  it("finds regressions, fixes and score deltas by case index", () => {
    expect(diff.regressions).toEqual(["paris"])
    expect(diff.fixes).toEqual(["rome"])
    expect(diff.deltas.map((d) => [d.case, d.before, d.after])).toEqual([["paris", 0.9, 0.4], ["rome", 0.2, 0.8]])
    expect(diff.onlyInA).toBe(1)
    expect(diff.meanDelta[0]!.before).toBeCloseTo(0.6)
    expect(diff.meanDelta[0]!.after).toBeCloseTo(0.6333, 3)
  })

  it("renders a plain summary line", () => {
    const text = comparisonText(diff, "a", "b", makeStyle(false))
    expect(text).toContain("REGRESSION paris")
    expect(text).toContain("paris bleu 0.900 → 0.400 (-0.500)")
    expect(text.split("\n").at(-1)).toBe("1 regressions, 1 fixed, 2 score changes")
  })
})
