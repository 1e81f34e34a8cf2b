/**
 * `--max-cost` end to end against the fake OpenAI server (which reports usage): the run stops before passing
 * the budget, exits 4 with status `budget` in the run store and the partial report, prints how to continue,
 * and `assay resume --max-cost <more>` finishes it without asking the judge anything twice. A model without a
 * price is a usage error (exit 2) with `--max-cost`, and a warning plus an unknown cost without it. Target
 * calls count in the spend like judge calls.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fakeLog, fixtureDir, requireBuild, startFake } from "./harness.js"

const decode = Schema.decodeUnknownSync(RunResult)
const readResult = (dir: string, file: string) => decode(JSON.parse(readFileSync(join(dir, file), "utf8")))

/** n cases whose answers are given (the judge scores them). */
const cases = (n: number, withOutput = true) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ name: `c${i}`, input: `Question number ${i}?`, ...(withOutput ? { actual_output: `A${i}` } : {}), expected_output: `A${i}` })).join("\n") + "\n"

/** A g-eval judge (one call per case) at a price that makes each call cost about $0.13. */
const judgedConfig = (judge = "openai:gpt-4o-mini") => [
  "metrics:",
  "  - metric: g-eval",
  "    name: correctness",
  "    evaluationSteps: [\"Check the answer\"]",
  "    threshold: 0.7",
  `judge: ${judge}`,
  "prices: { gpt-4o-mini: { input: 1000, output: 1000 } }"
].join("\n")

let judge: FakeServer
let target: FakeServer
beforeAll(async () => {
  requireBuild()
  judge = await startFake(["--reply", '{"score": 8, "reason": "ok"}', "--latency", "10"])
  target = await startFake(["--reply", "A1", "--latency", "5"])
})
afterAll(() => {
  judge?.stop()
  target?.stop()
})

const chatCalls = async (server: FakeServer) => (await fakeLog(server)).filter((e) => e.path.endsWith("/chat/completions")).length

describe("--max-cost", () => {
  it("stops before the budget (exit 4, status budget), and resume with a higher budget finishes with no call twice", async () => {
    const dir = fixtureDir({ "cases.jsonl": cases(40), "assay.config.yaml": judgedConfig() })
    const env = { OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: "sk-test" }
    const before = await chatCalls(judge)
    const first = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--max-cost", "1", "--concurrency", "4", "--out", "a.json", "--no-progress"], { cwd: dir, env })
    expect(first.code).toBe(4)
    const a = readResult(dir, "a.json")
    expect(a.status).toBe("budget")
    expect(a.cases.length).toBeGreaterThan(0)
    expect(a.cases.length + a.unfinished.length).toBe(40)
    expect(a.summary.cost).toBeGreaterThan(0)
    expect(a.summary.cost).toBeLessThanOrEqual(1)
    expect(await chatCalls(judge) - before).toBe(a.cases.length) // every call made is in a kept result
    expect(first.stderr).toContain(`Continue with a higher budget: assay resume ${a.runId} --max-cost <usd>`)
    expect(first.stderr).toMatch(/Budget reached: \$0\.\d{4} of \$1\.00 spent/)
    expect(first.stderr).toContain("exit 4: the cost budget (--max-cost) was reached")
    expect(first.stderr).toMatch(/progress .*\$0\.\d{4} of \$1\.00/)
    const list = await assay(["runs", "list"], { cwd: dir })
    expect(list.stdout).toMatch(new RegExp(`^${a.runId} .* budget +${a.cases.length}/40 `, "m"))

    const resumed = await assay(["resume", a.runId!, "--max-cost", "100", "--out", "b.json", "--no-progress"], { cwd: dir, env })
    expect(resumed.code).toBe(0)
    const b = readResult(dir, "b.json")
    expect(b.status).toBe("completed")
    expect(b.cases).toHaveLength(40)
    expect(await chatCalls(judge) - before).toBe(40) // nothing asked twice
    expect(b.summary.cost).toBeCloseTo(b.cases.reduce((n, c) => n + c.cost, 0), 9)
  })

  it("counts a resumed run's earlier spend against the budget: resuming with the same limit stops at once", async () => {
    const dir = fixtureDir({ "cases.jsonl": cases(20), "assay.config.yaml": judgedConfig() })
    const env = { OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: "sk-test" }
    const first = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--max-cost", "1", "--concurrency", "2", "--out", "a.json", "--no-progress"], { cwd: dir, env })
    expect(first.code).toBe(4)
    const a = readResult(dir, "a.json")
    const before = await chatCalls(judge)
    const again = await assay(["resume", a.runId!, "--out", "b.json", "--no-progress"], { cwd: dir, env })
    expect(again.code).toBe(4)
    expect(readResult(dir, "b.json").summary.cost).toBeLessThanOrEqual(1)
    expect(await chatCalls(judge) - before).toBeLessThanOrEqual(2) // at most what fit in the little left
  })

  it("with a model of unknown price is a usage error (exit 2) naming the model and how to price it, before any run", async () => {
    const dir = fixtureDir({ "cases.jsonl": cases(3), "assay.config.yaml": judgedConfig("openai-compatible:my-local-model") })
    const env = { OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: "sk-test" }
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--max-cost", "5"], { cwd: dir, env })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("--max-cost: no price is known for the judge openai-compatible:my-local-model")
    expect(r.stderr).toContain('prices: { "my-local-model": { input: <USD per 1M tokens>, output: <USD per 1M tokens> } }')
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    const list = await assay(["runs", "list"], { cwd: dir })
    expect(list.stdout).not.toMatch(/^\d{8}-/m)
  })

  it("rejects a budget that is not an amount (exit 2, naming the flag)", async () => {
    const r = await assay(["run", "cases.jsonl", "--max-cost", "five"], { cwd: fixtureDir({ "cases.jsonl": cases(1) }) })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("--max-cost: expected an amount of US dollars above 0")
  })
})

describe("prices", () => {
  it("a model without a price gets one warning and its cost is shown as unknown, never $0", async () => {
    const dir = fixtureDir({ "cases.jsonl": cases(5), "assay.config.yaml": judgedConfig("openai-compatible:my-local-model") })
    const env = { OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: "sk-test" }
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--no-progress"], { cwd: dir, env })
    expect(r.code).toBe(0)
    expect(r.stderr.split("warning: no price is known for the judge openai-compatible:my-local-model")).toHaveLength(2)
    expect(r.stdout).toContain("cost unknown (no price for openai-compatible:my-local-model)")
    expect(r.stdout).not.toContain("$0.0000")
    expect(r.stderr).toMatch(/progress .*cost unknown/)
  })

  it("prices a bare model name for openai-compatible: too, and counts the target's cost and tokens per case and in totals", async () => {
    const dir = fixtureDir({
      "cases.jsonl": cases(6, false),
      "assay.config.yaml": ["metrics: [exact-match]", "target: openai-compatible:gpt-4o-mini", "prices: { gpt-4o-mini: { input: 1000, output: 1000 } }"].join("\n")
    })
    const env = { OPENAI_BASE_URL: target.baseUrl, OPENAI_API_KEY: "sk-test" }
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--out", "a.json", "--no-progress"], { cwd: dir, env })
    expect(r.stderr).not.toContain("warning: no price")
    const a = readResult(dir, "a.json")
    expect(a.cases.every((c) => c.cost > 0 && c.tokens.input > 0 && c.tokens.output > 0)).toBe(true)
    expect(a.summary.cost).toBeCloseTo(a.cases.reduce((n, c) => n + c.cost, 0), 9)
    expect(a.summary.tokens.input).toBe(a.cases.reduce((n, c) => n + c.tokens.input, 0))

    // The target's calls are under the budget too.
    const capped = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--no-cache", "--max-cost", "0.05", "--concurrency", "1", "--out", "b.json", "--no-progress"], { cwd: dir, env })
    expect(capped.code).toBe(4)
    const b = readResult(dir, "b.json")
    expect(b.status).toBe("budget")
    expect(b.summary.cost).toBeLessThanOrEqual(0.05)
    expect(b.unfinished.length).toBeGreaterThan(0)
  })
})
