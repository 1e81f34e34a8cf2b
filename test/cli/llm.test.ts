/**
 * The CLI against the fake OpenAI server: LLM-judged metrics (scores, cost, tokens, retries shown in progress,
 * cached reruns), judge usage errors, and `--target` filling missing outputs from the model (a failing target
 * fails the run, exit 3, by default; `failures.test.ts` covers the other error policies).
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fixtureDir, gevalConfig, qaJsonl, requireBuild, startFake } from "./harness.js"

let fake: FakeServer
let judge: FakeServer
beforeAll(async () => {
  requireBuild()
  fake = await startFake(["--reply", "Paris", "--latency", "5"])
  // every 4th request fails with a retryable error: the judge's call policy retries it
  judge = await startFake(["--reply", '{"score": 8, "reason": "the answer names the right city"}', "--latency", "5", "--fail-every", "4"])
})
afterAll(() => {
  fake?.stop()
  judge?.stop()
})

const GEVAL_CONFIG = gevalConfig(["exact-match"])

describe("LLM-judged metrics", () => {
  it("score through the judge with cost and tokens, show judge retries in progress, and are cached on rerun", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": GEVAL_CONFIG })
    const env = { OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: "sk-test" }
    const first = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--out", "a.json"], { cwd: dir, env })
    expect(first.stderr).not.toContain("assay:")
    expect(first.code).toBe(1) // exact-match fails 3 cases
    const a = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "a.json"), "utf8")))
    const correctness = a.summary.metrics.find((m) => m.name === "correctness")
    expect(correctness).toMatchObject({ count: 10, passed: 10, errored: 0 })
    expect(correctness?.mean).toBeCloseTo(0.8)
    expect(a.summary.cost).toBeGreaterThan(0)
    expect(a.summary.tokens.input).toBeGreaterThan(0)
    expect(a.cases[0]!.metrics[0]!.reason).toContain("the answer names the right city")
    const last = first.stderr.trim().split("\n").filter((l) => l.startsWith("progress ")).at(-1)
    expect(last).toMatch(/judge \d+\/\d+ in flight, \d+ backing off, \d+×429, [1-9]\d* retries, (\d+ failed, )?1\d calls$/)

    const second = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--out", "b.json"], { cwd: dir, env })
    expect(second.code).toBe(1)
    expect(second.stderr).not.toMatch(/judge [1-9]\d* calls/) // every verdict came from the cache
    const b = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "b.json"), "utf8")))
    expect(b.cases.every((c) => c.metrics.every((m) => m.cached))).toBe(true)
    expect(b.cases.map((c) => c.metrics[0]!.score)).toEqual(a.cases.map((c) => c.metrics[0]!.score))
    expect(b.summary.cost).toBe(0)

    // A new hyperparameter misses the metric cache, but the judge's requests are the same: --offline replays
    // them from the response cache without a call (the server would fail every 4th one).
    const third = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--hyperparameter", "replay=1", "--offline", "--out", "c.json"], { cwd: dir, env })
    expect(third.stderr).not.toContain("assay:")
    const c = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "c.json"), "utf8")))
    expect(c.cases.every((x) => x.metrics.every((m) => !m.cached))).toBe(true)
    expect(c.cases.map((x) => x.metrics[0]!.score)).toEqual(a.cases.map((x) => x.metrics[0]!.score))
    expect(c.summary.cost).toBe(0)
    const offline = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--offline", "--no-cache"], { cwd: dir, env })
    expect(offline.code).toBe(2)
    expect(offline.stderr).toContain("--offline replays the response cache")
  })

  it.each([
    [["--metric", "faithfulness"], /needs an LLM judge: pass --judge/],
    [["--metric", "faithfulness", "--judge", "nope:x"], /--judge: expected provider:model/],
    [["--metric", "g-eval", "--judge", "openai:gpt-4o-mini"], /metric g-eval needs parameters that --metric cannot set/]
  ])("%j exits 2", async (args, message) => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay(["run", "cases.jsonl", "--no-cache", ...args], { cwd: dir, env: { OPENAI_BASE_URL: judge.baseUrl } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })
})

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
    expect(readFileSync(join(dir, "r.html"), "utf8")).toContain('"actualOutput":"Paris"')
  })

  it("a target that cannot be reached fails the run with exit 3, naming the URL", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES })
    const r = await assay(
      ["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--target", "openai:gpt-4o-mini", "--base-url", "http://127.0.0.1:9/v1"],
      { cwd: dir, env: { OPENAI_API_KEY: "sk-test" } }
    )
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("assay: target openai:gpt-4o-mini: cannot connect to http://127.0.0.1:9/v1/chat/completions: connection refused (ECONNREFUSED)")
  }, 120_000)
})
