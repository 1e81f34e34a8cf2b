/**
 * The CLI against the fake OpenAI server: `--target` fills missing outputs from the model; a failing target
 * is a failed run (exit 3).
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fixtureDir, requireBuild, startFake } from "./harness.js"

let fake: FakeServer
beforeAll(async () => {
  requireBuild()
  fake = await startFake(["--reply", "Paris", "--latency", "5"])
})
afterAll(() => fake?.stop())

const CASES = [
  { name: "france", input: "Capital of France?", expected_output: "Paris" },
  { name: "italy", input: "Capital of Italy?", expected_output: "Rome" },
  { name: "given", input: "Say hi", actual_output: "hi", expected_output: "hi" }
].map((c) => JSON.stringify(c)).join("\n")

describe("--target", () => {
  it("generates missing actual outputs through the model and scores them", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES })
    const r = await assay(
      ["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--target", "openai:gpt-4o-mini", "--prompt-template", "Answer briefly: {{input}}", "--out", "out.json", "--html", "r.html"],
      { cwd: dir, env: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: "sk-test" } }
    )
    expect(r.stderr).not.toContain("assay:")
    expect(r.code).toBe(1)
    const out = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")))
    expect(out.cases.map((c) => [c.name, c.success])).toEqual([["france", true], ["italy", false], ["given", true]])
    expect(out.cases[1]!.metrics[0]!.reason).toContain('got "Paris"')
    expect(readFileSync(join(dir, "r.html"), "utf8")).toContain("<b>actual</b><pre>Paris</pre>")
  })

  it("a target that cannot be reached fails the run with exit 3", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES })
    const r = await assay(
      ["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--target", "openai:gpt-4o-mini", "--base-url", "http://127.0.0.1:9/v1"],
      { cwd: dir, env: { OPENAI_API_KEY: "sk-test", ASSAY_JUDGE_MAX_RETRIES: "0" } }
    )
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/assay: target openai:gpt-4o-mini failed on case #0/)
  }, 120_000)
})
