/**
 * A failure stays on its case: the CLI against fake servers that refuse some target inputs, rate-limit hard, or
 * answer the judge with unusable JSON. A failing target call is an error on its case under the run's error
 * policy; 429s are waited out rather than failing calls; an unusable judge reply is never replayed from the cache.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fixtureDir, gevalConfig, qaJsonl, requireBuild, startFake } from "./harness.js"

const servers: Array<FakeServer> = []
const start = async (args: ReadonlyArray<string>) => {
  const server = await startFake(args)
  servers.push(server)
  return server
}
beforeAll(requireBuild)
afterAll(() => servers.forEach((s) => s.stop()))

const readResult = (dir: string, file: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, file), "utf8")))
const lastProgress = (stderr: string) => stderr.trim().split("\n").filter((l) => l.startsWith("progress ")).at(-1) ?? ""

const GEVAL_CONFIG = gevalConfig()

describe("schema-invalid judge replies", () => {
  it("are not cached: a rerun against a healthy judge asks again and scores", async () => {
    const [broken, healthy] = await Promise.all([
      start(["--reply", "I think the answer is fine."]),
      start(["--reply", '{"score": 8, "reason": "right city"}'])
    ])
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": GEVAL_CONFIG })
    const run = (baseUrl: string, out: string) =>
      assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--ignore-errors", "--out", out], {
        cwd: dir,
        env: { OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: "sk-test" }
      })
    const first = await run(broken.baseUrl, "a.json")
    expect(first.code).toBe(1)
    const a = readResult(dir, "a.json")
    expect(a.summary.errored).toBe(10)
    // One line saying what is wrong and what came back, not a schema tree.
    expect(a.cases[0]!.metrics[0]!.error).toMatch(/^judge reply unusable after 3 attempt\(s\): Unexpected token .* is not valid JSON; last reply: "I think the answer is fine\."$/)
    // 10 cases × (the question + 2 repairs), all answered with prose
    expect(lastProgress(first.stderr)).toMatch(/judge \d+\/\d+ in flight, .* 30 calls$/)

    const second = await run(healthy.baseUrl, "b.json")
    expect(second.stderr).not.toContain("assay:")
    expect(second.code).toBe(0)
    expect(lastProgress(second.stderr)).toMatch(/judge \d+\/\d+ in flight, .* 10 calls$/) // asked again, not replayed
    const b = readResult(dir, "b.json")
    expect(b.summary).toMatchObject({ passed: 10, errored: 0 })
    expect(b.cases.every((c) => c.metrics[0]!.score === 0.8 && !c.metrics[0]!.cached)).toBe(true)
  })
})

/** Six cases without outputs; the fake target answers "Paris" and refuses inputs containing REFUSED. */
const TARGET_CASES = [
  { name: "france", input: "Capital of France?", expected_output: "Paris" },
  { name: "italy", input: "Capital of Italy?", expected_output: "Rome" },
  { name: "bad-1", input: "REFUSED question one", expected_output: "Paris" },
  { name: "given", input: "Say hi", actual_output: "hi", expected_output: "hi" },
  { name: "bad-2", input: "REFUSED question two", expected_output: "Paris" },
  { name: "paris", input: "Where is the Louvre?", expected_output: "Paris" }
].map((c) => JSON.stringify(c)).join("\n") + "\n"

describe("a failing target call is an error on its case", () => {
  let refusing: FakeServer
  beforeAll(async () => {
    refusing = await start(["--reply", "Paris", "--refuse", "REFUSED", "--refuse-status", "400"])
  })
  const runTarget = (dir: string, args: ReadonlyArray<string>, baseUrl = refusing.baseUrl) =>
    assay(["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--target", "openai-compatible:app", "--base-url", baseUrl, ...args], { cwd: dir })

  it("fail-fast by default: exit 3 naming the case and the target's error", async () => {
    const dir = fixtureDir({ "cases.jsonl": TARGET_CASES })
    const r = await runTarget(dir, ["--concurrency", "1"])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/assay: task failed on case #2 \(bad-1\): target openai-compatible:app: 400: This input is refused\./)
  })

  it("--ignore-errors: the refused cases are errored in console, --out and --jsonl; the others are scored; exit 1", async () => {
    const dir = fixtureDir({ "cases.jsonl": TARGET_CASES })
    const r = await runTarget(dir, ["--ignore-errors", "--out", "out.json", "--jsonl", "cases.out.jsonl", "--junit", "junit.xml"])
    expect(r.stderr).not.toContain("assay:")
    expect(r.code).toBe(1)
    const out = readResult(dir, "out.json")
    expect(out.summary).toMatchObject({ total: 6, passed: 3, failed: 1, errored: 2 })
    expect(out.cases.map((c) => [c.name, c.errored, c.success])).toEqual([
      ["france", false, true], ["italy", false, false], ["bad-1", true, false], ["given", false, true], ["bad-2", true, false], ["paris", false, true]
    ])
    expect(out.cases[2]).toMatchObject({ metrics: [], error: "target openai-compatible:app: 400: This input is refused." })
    expect(out.cases[0]!.tokens.input).toBeGreaterThan(0) // the target's tokens count in the case's totals
    const lines = readFileSync(join(dir, "cases.out.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
    expect(lines.filter((l) => l.error !== undefined).map((l) => l.name).sort()).toEqual(["bad-1", "bad-2"])
    expect(r.stdout).toMatch(/ERROR {3}bad-1 REFUSED question one\n {4}error target openai-compatible:app: 400: This input is refused\./)
    expect(r.stdout).toMatch(/calls: target 5 calls · 0 retries · 0×429 · 2 failed/)
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toContain("400: This input is refused.</error>")
  })

  it("--max-errors: within the budget the run completes (exit 1), beyond it the run fails (exit 3)", async () => {
    const dir = fixtureDir({ "cases.jsonl": TARGET_CASES })
    const within = await runTarget(dir, ["--max-errors", "2", "--out", "out.json"])
    expect(within.stderr).not.toContain("assay:")
    expect(within.code).toBe(1)
    expect(readResult(dir, "out.json").summary).toMatchObject({ passed: 3, errored: 2 })
    const beyond = await runTarget(dir, ["--max-errors", "1"])
    expect(beyond.code).toBe(3)
    expect(beyond.stderr).toMatch(/assay: 2 cases errored, more than the budget of 1 \(last: target openai-compatible:app: 400/)
  })

  it("a target answering 500 is retried until --timeout, then that case is errored", async () => {
    const failing = await start(["--reply", "Paris", "--refuse", "REFUSED", "--refuse-status", "500"])
    const dir = fixtureDir({ "cases.jsonl": TARGET_CASES })
    const r = await runTarget(dir, ["--ignore-errors", "--timeout", "2s", "--out", "out.json"], failing.baseUrl)
    expect(r.code).toBe(1)
    const out = readResult(dir, "out.json")
    expect(out.summary).toMatchObject({ passed: 3, errored: 2 })
    expect(out.cases[2]!.error).toBe("timed out after 2s")
    expect(lastProgress(r.stderr)).toMatch(/target \d+\/\d+ in flight, \d+ backing off, \d+×429, [1-9]\d* retries, .*\d+ calls$/)
  })
})

describe("429s are waited out, not failures", () => {
  it("more connections than the server's rate cap: every case completes, the 429s are counted", async () => {
    const capped = await start(["--reply", "Paris", "--rate", "10"])
    const cases = Array.from({ length: 60 }, (_, i) => JSON.stringify({ name: `c${i}`, input: `Capital of France? (${i})`, expected_output: "Paris" }))
    const dir = fixtureDir({ "cases.jsonl": cases.join("\n") + "\n" })
    const r = await assay(
      ["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--concurrency", "50", "--target", "openai-compatible:app", "--base-url", capped.baseUrl, "--out", "out.json"],
      { cwd: dir, env: { ASSAY_JUDGE_MAX_CONNECTIONS: "50" } }
    )
    expect(r.stderr).not.toContain("assay:")
    expect(r.code).toBe(0)
    expect(readResult(dir, "out.json").summary).toMatchObject({ total: 60, passed: 60, errored: 0 })
    const calls = /calls: target 60 calls · 0 retries · (\d+)×429 · cap/.exec(r.stdout)
    expect(calls, r.stdout).not.toBeNull()
    expect(Number(calls![1])).toBeGreaterThan(0)
  })
})
