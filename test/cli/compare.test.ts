/**
 * `assay compare` on two stored runs, by the built binary: cases matched by input (an inserted case does not
 * re-label the others), the per-metric statistics, `--json`, and the exit codes of `--fail-on-regression`,
 * `--fail-on-significant-regression` and `--alpha`.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const runId = (dir: string, file: string) =>
  Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, file), "utf8"))).runId!

/** Twelve unnamed cases; the first `wrong` of them answer wrongly. */
const cases = (wrong: number, extra: boolean) => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ input: `question ${i}?`, actual_output: i < wrong ? "nope" : `a${i}`, expected_output: `a${i}` }))
  return (extra ? [{ input: "a new question?", actual_output: "b", expected_output: "b" }, ...rows] : rows).map((c) => JSON.stringify(c)).join("\n")
}

const runAs = async (dir: string, text: string, out: string) => {
  writeFileSync(join(dir, "cases.jsonl"), text)
  const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--out", out], { cwd: dir })
  expect(r.stderr).not.toContain("Error")
  return runId(dir, out)
}

describe("assay compare", () => {
  it("matches by input, shows the statistics and fails only as the flags ask", async () => {
    const dir = fixtureDir({})
    const base = await runAs(dir, cases(0, false), "base.json")
    const one = await runAs(dir, cases(1, true), "one.json") // a case inserted first, one regression
    const ten = await runAs(dir, cases(10, false), "ten.json") // ten regressions: McNemar p = 2/1024

    const shown = await assay(["compare", base, one], { cwd: dir })
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain("1 regressed, 0 improved, 0 changed, 11 unchanged, 0 removed, 1 added")
    expect(shown.stdout).toMatch(/exact-match\s+mean 1\.000 → 0\.917\s+Δ -0\.083 \[-0\.250–0\.000\]/)
    expect(shown.stdout).toContain("Holm-adjusted")
    expect(shown.stdout).not.toContain("share no case")

    const other = await runAs(dir, JSON.stringify({ input: "unrelated?", actual_output: "x", expected_output: "x" }), "other.json")
    const apart = await assay(["compare", base, other], { cwd: dir })
    expect(apart.stdout).toContain("0 regressed, 0 improved, 0 changed, 0 unchanged, 12 removed, 1 added")
    expect(apart.stdout).toContain("warning: the two runs share no case (by name or input): were they run on the same dataset?")

    expect((await assay(["compare", base, one, "--fail-on-regression"], { cwd: dir })).code).toBe(1)
    expect((await assay(["compare", base, one, "--fail-on-significant-regression"], { cwd: dir })).code).toBe(0)
    const significant = await assay(["compare", base, ten, "--fail-on-significant-regression"], { cwd: dir })
    expect(significant.code).toBe(1)
    expect(significant.stdout).toMatch(/p 0\.0020\s+adj 0\.0020\s+significant drop/)
    expect((await assay(["compare", base, ten, "--fail-on-significant-regression", "--alpha", "0.001"], { cwd: dir })).code).toBe(0)

    const json = await assay(["compare", base, ten, "--json"], { cwd: dir })
    const parsed = JSON.parse(json.stdout) as { metrics: Array<{ name: string; passToFail: number; pValue: number }>; significantRegressions: Array<string> }
    expect(parsed.metrics[0]).toMatchObject({ name: "exact-match", passToFail: 10 })
    expect(parsed.metrics[0]!.pValue).toBeCloseTo(2 / 1024, 10)
    expect(parsed.significantRegressions).toEqual(["exact-match"])

    const bad = await assay(["compare", base, ten, "--alpha", "2"], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--alpha")
  }, 180_000)
})
