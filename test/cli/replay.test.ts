/**
 * Record and replay (`--record`, `--replay`), `--offline` with a target, and the task-output cache, through
 * the built CLI against two fake servers (a target answering "Paris", a judge answering a verdict), each with
 * a request log.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, fakeLog, type FakeServer, fixtureDir, requireBuild, startFake, whenStderr } from "./harness.js"

let target: FakeServer
let judge: FakeServer
const SECRET = "sk-REPLAYTEST-9d41c7e2"

beforeAll(async () => {
  requireBuild()
  target = await startFake(["--reply", "Paris", "--api-key", SECRET])
  judge = await startFake(["--reply", '{"score": 8, "reason": "the answer names the right city"}', "--api-key", SECRET])
}, 60_000)
afterAll(() => {
  target?.stop()
  judge?.stop()
})

const CASES = [
  { name: "france", input: "Capital of France?", expected_output: "Paris" },
  { input: "Capital of Italy?", expected_output: "Rome" },
  { name: "spain", input: "Capital of Spain?", expected_output: "Madrid" }
].map((c) => JSON.stringify(c)).join("\n") + "\n"

const config = (extra: ReadonlyArray<string> = []) => [
  "metrics:",
  "  - metric: g-eval",
  "    name: correctness",
  "    evaluationSteps: [\"Check that the answer is factually correct\"]",
  "    threshold: 0.7",
  "  - exact-match",
  "judge: openai-compatible:judge-model",
  "target:",
  "  model: openai-compatible:target-model",
  "  prompt: \"Answer briefly: {{input}}\"",
  `  baseUrl: ${target.baseUrl}`,
  ...extra
].join("\n")

const env = () => ({ OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: SECRET })
const requests = async () => (await fakeLog(target)).length + (await fakeLog(judge)).length
const targetRequests = async () => (await fakeLog(target)).length
const read = (dir: string, file: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, file), "utf8")))
/** What a run computed: per case, the output and every metric's score and reason. */
const outcome = (result: RunResult) =>
  result.cases.map((c) => ({ index: c.index, metrics: c.metrics.map((m) => [m.name, m.score, m.reason ?? null]) }))

describe("record and replay", () => {
  it("a replay gives the recorded results with no request; the file is sorted and holds no secret", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": config() })
    const recorded = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--record", "calls.jsonl", "--out", "a.json", "--html", "a.html"], { cwd: dir, env: env() })
    expect(recorded.code).toBe(1) // exact-match fails Italy and Spain
    const lines = readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n")
    expect(lines).toHaveLength(6) // 3 target calls + 3 judge calls
    const keys = lines.map((l) => JSON.stringify((JSON.parse(l) as { request: unknown }).request))
    expect([...keys].sort()).toEqual(keys)
    expect(readFileSync(join(dir, "calls.jsonl"), "utf8")).not.toContain(SECRET)
    expect(readFileSync(join(dir, "calls.jsonl"), "utf8")).not.toContain("uthorization")

    const before = await requests()
    // A fresh database: nothing can come from a cache; --offline: nothing from the network.
    const replayed = await assay(
      ["run", "cases.jsonl", "--config", "assay.config.yaml", "--replay", "calls.jsonl", "--offline", "--cache", "other.db", "--out", "b.json"],
      { cwd: dir, env: env() }
    )
    expect(replayed.stderr).not.toContain("assay:")
    expect(replayed.code).toBe(1)
    expect(await requests()).toBe(before)
    const a = read(dir, "a.json")
    const b = read(dir, "b.json")
    expect(outcome(b)).toEqual(outcome(a))
    expect(b.summary.cost).toBe(a.summary.cost)
    expect(readFileSync(join(dir, "a.html"), "utf8")).toContain("Paris")
  }, 60_000)

  it("judge replies served from the reply cache still appear in a recording", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": config() })
    // The first run fills the reply cache (and the metric cache); the second must still record every judge call.
    expect((await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--out", "a.json"], { cwd: dir, env: env() })).code).toBe(1)
    const judged = (await fakeLog(judge)).length
    const second = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--record", "calls.jsonl"], { cwd: dir, env: env() })
    expect(second.code).toBe(1)
    expect((await fakeLog(judge)).length).toBe(judged) // every verdict came from the reply cache
    const lines = readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { request: { body: { model: string } } })
    expect(lines.filter((l) => l.request.body.model === "openai-compatible:judge-model")).toHaveLength(3)
    expect(lines.filter((l) => l.request.body.model === "openai-compatible:target-model")).toHaveLength(3)
  }, 60_000)

  it("a call missing from the recording fails the run naming the case, even with --ignore-errors", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": config() })
    expect((await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--record", "calls.jsonl", "--no-cache"], { cwd: dir, env: env() })).code).toBe(1)
    // Drop the target call of the case without a name (#1, "Capital of Italy?").
    const kept = readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n").filter((l) => !l.includes("Answer briefly: Capital of Italy?"))
    writeFileSync(join(dir, "calls.jsonl"), kept.join("\n") + "\n")
    const before = await requests()
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--replay", "calls.jsonl", "--ignore-errors", "--no-cache"], { cwd: dir, env: env() })
    expect(r.code).toBeGreaterThanOrEqual(2)
    expect(r.stderr).toContain("replay: case #1 made a call the recording")
    expect(r.stderr).toContain("POST /v1/chat/completions")
    expect(await requests()).toBe(before)

    // A named case is named.
    const named = readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n").filter((l) => !l.includes("Answer briefly: Capital of Spain?"))
    writeFileSync(join(dir, "calls.jsonl"), named.join("\n") + "\n")
    const s = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--replay", "calls.jsonl", "--ignore-errors", "--no-cache"], { cwd: dir, env: env() })
    expect(s.code).toBeGreaterThanOrEqual(2)
    expect(s.stderr).toMatch(/replay: case #[12]( "spain")? made a call/)
  }, 60_000)

  it("an openai: target (Responses API over HttpClient) replays with no API key and no request", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES })
    const args = ["run", "cases.jsonl", "--metric", "exact-match", "--target", "openai:gpt-4o-mini", "--base-url", target.baseUrl, "--no-cache"]
    const recorded = await assay([...args, "--record", "calls.jsonl", "--out", "a.json"], { cwd: dir, env: { OPENAI_API_KEY: SECRET } })
    expect(recorded.code).toBe(1)
    const lines = readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n")
    expect(lines).toHaveLength(3)
    expect(lines.every((l) => l.includes('"path":"/v1/responses"'))).toBe(true)
    const before = await targetRequests()
    const replayed = await assay([...args, "--replay", "calls.jsonl", "--offline", "--out", "b.json"], { cwd: dir })
    expect(replayed.stderr).not.toContain("assay:")
    expect(replayed.code).toBe(1)
    expect(await targetRequests()).toBe(before)
    expect(outcome(read(dir, "b.json"))).toEqual(outcome(read(dir, "a.json")))
  }, 60_000)

  it("a recording that is not one fails naming the file and line", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": config(), "calls.jsonl": "{\"request\":{},\"response\":1}\nnot json\n" })
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--replay", "calls.jsonl"], { cwd: dir, env: env() })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("calls.jsonl:2: not a recorded call")
  }, 60_000)

  it("--offline with a target and no recording fails before any request", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": config() })
    const before = await requests()
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--offline"], { cwd: dir, env: env() })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("--offline: the target openai-compatible:target-model would call the network")
    expect(await requests()).toBe(before)
    // The config key does the same.
    const dir2 = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": config(["offline: true"]) })
    const c = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml"], { cwd: dir2, env: env() })
    expect(c.code).toBe(2)
    expect(c.stderr).toContain("--offline: the target")
  }, 60_000)
})

describe("task output cache", () => {
  it("an unchanged case is not produced again; --fresh-task and a new target.version produce it again", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": config() })
    const run = (...args: ReadonlyArray<string>) =>
      assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--metric", "exact-match", ...args], { cwd: dir, env: env() })
    let before = await targetRequests()
    expect((await run("--out", "a.json")).code).toBe(1)
    expect(await targetRequests()).toBe(before + 3)

    before = await targetRequests()
    const second = await run("--out", "b.json")
    expect(second.code).toBe(1)
    expect(await targetRequests()).toBe(before) // every output came from the task cache
    expect(outcome(read(dir, "b.json"))).toEqual(outcome(read(dir, "a.json")))
    expect(read(dir, "b.json").summary.cost).toBe(0)

    expect((await run("--fresh-task")).code).toBe(1)
    expect(await targetRequests()).toBe(before + 3)

    before = await targetRequests()
    writeFileSync(join(dir, "assay.config.yaml"), config(["  version: \"2\""]))
    expect((await run()).code).toBe(1)
    expect(await targetRequests()).toBe(before + 3)
    before = await targetRequests()
    expect((await run()).code).toBe(1)
    expect(await targetRequests()).toBe(before)

    expect((await run("--no-cache")).code).toBe(1)
    expect(await targetRequests()).toBe(before + 3)
  }, 90_000)
})

describe("resume with a target", () => {
  it("does not produce again the cases the interrupted run finished", async () => {
    const many = Array.from({ length: 20 }, (_, i) => JSON.stringify({ input: `Capital of country ${i}?`, expected_output: "Paris" })).join("\n") + "\n"
    const dir = fixtureDir({ "cases.jsonl": many, "assay.config.yaml": config() })
    // --fresh-task: the task cache must not be what spares the finished cases.
    const args = ["--config", "assay.config.yaml", "--metric", "exact-match", "--fresh-task", "--throttle", "150ms", "--concurrency", "1", "--out", "out.json"]
    const signal = whenStderr("progress ", (child) => child.kill("SIGINT"))
    const before = await targetRequests()
    const first = await assay(["run", "cases.jsonl", ...args], { cwd: dir, env: env(), onSpawn: signal.onSpawn })
    expect(first.code).toBe(130)
    const out = read(dir, "out.json")
    expect(out.unfinished.length).toBeGreaterThan(0)
    const afterFirst = await targetRequests()
    expect(afterFirst - before).toBeGreaterThanOrEqual(out.cases.length)
    const resumed = await assay(["resume", out.runId!, "--out", "full.json"], { cwd: dir, env: env() })
    expect(resumed.code).toBe(0)
    expect(read(dir, "full.json").cases).toHaveLength(20)
    expect((await targetRequests()) - afterFirst).toBe(out.unfinished.length)
  }, 120_000)
})
