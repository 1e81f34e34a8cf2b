/**
 * The CLI's epochs: `--repeat n` re-runs the target on every case n times and `--reducer` decides how each
 * metric's epoch scores combine, against a flaky fake model (asked the same question thrice, it answers
 * Lyon, Paris, Lyon).
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fakeLog, fixtureDir, requireBuild, startFake } from "./harness.js"

let flaky: FakeServer
beforeAll(async () => {
  requireBuild()
  flaky = await startFake(["--replies", "Lyon|Paris|Lyon"])
})
afterAll(() => flaky?.stop())

const CASES = [
  { name: "flaky-1", input: "Capital of France?", expected_output: "Paris" },
  { name: "flaky-2", input: "France's capital?", expected_output: "Paris" },
  { name: "given-right", input: "q3", actual_output: "Paris", expected_output: "Paris" },
  { name: "given-wrong", input: "q4", actual_output: "Rome", expected_output: "Paris" }
].map((c) => JSON.stringify(c)).join("\n") + "\n"

const run = (dir: string, reducer: string, out: string) =>
  assay(
    ["run", "cases.jsonl", "--metric", "exact-match", "--target", "openai:gpt-4o-mini", "--repeat", "3", "--reducer", reducer, "--concurrency", "2", "--out", out, "--jsonl", `${out}l`],
    { cwd: dir, env: { OPENAI_BASE_URL: flaky.baseUrl, OPENAI_API_KEY: "sk-test" } }
  )

const read = (dir: string, file: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, file), "utf8")))

describe("--repeat with a target", () => {
  it("re-runs the target per epoch; pass@k passes a flaky case that pass^k fails; epoch scores reach --out and --jsonl", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES })
    const before = (await fakeLog(flaky)).length

    const any = await run(dir, "pass@k", "any.json")
    expect(any.stderr).not.toContain("assay:")
    expect(any.code).toBe(1) // given-wrong fails in every epoch
    expect((await fakeLog(flaky)).length - before).toBe(6) // 2 cases without an output × 3 epochs
    const a = read(dir, "any.json")
    expect(a.cases.map((c) => [c.name, c.success])).toEqual([["flaky-1", true], ["flaky-2", true], ["given-right", true], ["given-wrong", false]])
    expect(a.cases[0]!.metrics[0]).toMatchObject({ score: 1, success: true, epochScores: [0, 1, 0] })
    expect(a.cases[3]!.metrics[0]!.epochScores).toEqual([0, 0, 0])
    // The case's tokens are the three target calls'.
    expect(a.cases[0]!.tokens.input).toBeGreaterThan(0)
    expect(a.cases[0]!.tokens.input % 3).toBe(0)
    const lines = readFileSync(join(dir, "any.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { name: string; metrics: Array<{ epochScores?: Array<number> }> })
    expect(lines.find((l) => l.name === "flaky-2")?.metrics[0]?.epochScores).toEqual([0, 1, 0])

    const all = await run(dir, "pass^k", "all.json")
    expect(all.code).toBe(1)
    const b = read(dir, "all.json")
    expect(b.cases.map((c) => [c.name, c.success])).toEqual([["flaky-1", false], ["flaky-2", false], ["given-right", true], ["given-wrong", false]])
    expect(b.cases[0]!.metrics[0]!.reason).toMatch(/^pass\^k of 3 epochs \(0\.000, 1\.000, 0\.000\); epoch 1: /)
  })
})
