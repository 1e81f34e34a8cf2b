import type { CaseResult, RunOutcome } from "@assay/core"
import { describe, expect, it } from "vitest"
import { ConsoleDigest } from "../src/report/console.js"
import { makeStyle } from "../src/report/style.js"

const result = (index: number, success: boolean): CaseResult => ({
  index,
  name: `case-${index}`,
  success,
  skipped: false,
  errored: false,
  metrics: [],
  durationMs: 1,
  cost: 0,
  tokens: { input: 0, output: 0 }
})

const outcome: RunOutcome = {
  runId: "r",
  identifier: null,
  status: "completed",
  unfinished: [],
  summary: { total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, passRate: 0, durationMs: 0, cost: 0, tokens: { input: 0, output: 0 }, metrics: [] }
}

/** The case labels a rendered digest lists, in order. */
const listed = (digest: ConsoleDigest) => [...digest.render(outcome, makeStyle(false)).matchAll(/case-(\d+)/g)].map((m) => Number(m[1]))

describe("ConsoleDigest", () => {
  it("lists the failing and passing cases of lowest index, whatever order they arrive in", () => {
    const inOrder = new ConsoleDigest({ maxFailing: 3, maxPassing: 2 })
    const shuffled = new ConsoleDigest({ maxFailing: 3, maxPassing: 2 })
    const all = Array.from({ length: 40 }, (_, i) => result(i, i % 3 !== 0))
    for (const c of all) inOrder.add(c)
    for (const c of [...all].sort((a, b) => ((a.index * 17) % 41) - ((b.index * 17) % 41))) shuffled.add(c)
    expect(listed(inOrder)).toEqual([0, 3, 6, 1, 2])
    expect(listed(shuffled)).toEqual(listed(inOrder))
    expect(shuffled.render(outcome, makeStyle(false))).toContain("and 11 more failing cases")
    expect(shuffled.render(outcome, makeStyle(false))).toContain("and 24 more passing cases")
  })
})
