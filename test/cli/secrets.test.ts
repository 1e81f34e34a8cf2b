/**
 * Secrets and provider failures through the built CLI, against the fake server: a key the server echoes back
 * reaches no output and not the store; a rejected key stops the run (exit 2) without a call per case;
 * `openai:`/`anthropic:` without a key fail before any request; unreachable endpoints fail at once naming the
 * URL; `--base-url` credentials are not stored; and `anthropic:` works from the bundle, as judge and target.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, fakeLog, type FakeServer, fixtureDir, qaJsonl, requireBuild, startFake } from "./harness.js"

/** Not shaped like a token (no `sk-`, no `Bearer` when sent to Anthropic): only the configured value finds it. */
const KEY = "plainkey-7f3a9c2e1d5b"
const SCORE = '{"score": 8, "reason": "the answer names the right city"}'

let locked: FakeServer // accepts only KEY; every error reply quotes the credential it got; every 2nd request a 400
let open: FakeServer // no key needed, judge replies
let paris: FakeServer // no key needed, answers "Paris"
beforeAll(async () => {
  requireBuild()
  locked = await startFake(["--api-key", KEY, "--echo-credentials", "--fail-every", "2", "--fail-status", "400", "--reply", SCORE])
  open = await startFake(["--reply", SCORE])
  paris = await startFake(["--reply", "Paris"])
})
afterAll(() => {
  for (const server of [locked, open, paris]) server?.stop()
})

const root = (server: FakeServer) => server.baseUrl.replace(/\/v1$/, "")
const requests = async (server: FakeServer): Promise<number> => (await fakeLog(server)).length

/** The environment that points `provider` at `server` with `key`. */
const envFor = (provider: string, server: FakeServer, key: string): Record<string, string> =>
  provider === "anthropic"
    ? { ANTHROPIC_BASE_URL: root(server), ANTHROPIC_API_KEY: key }
    : { OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: key }

const gEval = (judge: string) =>
  ["metrics:", "  - metric: g-eval", "    name: correctness", "    evaluationSteps: [\"Check the answer\"]", `judge: ${judge}`].join("\n")

/** Every file of `dir` (reports, the SQLite database with its -wal/-shm) and the process output, as text. */
const everything = (dir: string, output: { stdout: string; stderr: string }) =>
  [output.stdout, output.stderr, ...readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString("latin1"))].join("\n")

const TARGET_CASES = Array.from({ length: 20 }, (_, i) => JSON.stringify({ input: `q${i}`, expected_output: "Paris" })).join("\n")
const REPORTS = ["--out", "out.json", "--jsonl", "cases.jsonl", "--junit", "junit.xml", "--html", "report.html", "--cache", "assay.db"]

describe("a key the server echoes back", () => {
  it.each(["openai-compatible", "openai", "anthropic"])("%s: reaches no output and not the store", async (provider) => {
    const dir = fixtureDir({ "qa.jsonl": qaJsonl(), "assay.config.yaml": gEval(`${provider}:m`) })
    const r = await assay(["run", "qa.jsonl", "--config", "assay.config.yaml", "--ignore-errors", "--no-progress", ...REPORTS], {
      cwd: dir,
      env: envFor(provider, locked, KEY)
    })
    expect(r.code).toBe(1)
    const out = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")))
    const errors = out.cases.flatMap((c) => c.metrics.flatMap((m) => (m.error === null ? [] : [m.error])))
    expect(errors.length).toBeGreaterThan(0) // the 400s, whose messages quoted the key
    expect(errors.every((e) => e.includes("received credentials:") && e.includes("<redacted>"))).toBe(true)
    expect(everything(dir, r)).not.toContain(KEY)
  })
})

describe("a rejected key", () => {
  it("stops a judged run at the first call, even with --ignore-errors: exit 2, naming the provider and the variable", async () => {
    const dir = fixtureDir({ "qa.jsonl": TARGET_CASES.replaceAll("\"input\"", "\"actual_output\": \"Paris\", \"input\""), "assay.config.yaml": gEval("openai-compatible:m") })
    const before = await requests(locked)
    const r = await assay(["run", "qa.jsonl", "--config", "assay.config.yaml", "--ignore-errors", "--concurrency", "2", "--no-progress", ...REPORTS], {
      cwd: dir,
      env: envFor("openai-compatible", locked, "plainkey-wrong-0123456")
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("assay: judge openai-compatible:m: openai-compatible rejected the API key (401: ")
    expect(r.stderr).toContain("check OPENAI_API_KEY")
    expect((await requests(locked)) - before).toBeLessThanOrEqual(2) // the calls in flight, not one per case
    expect(everything(dir, r)).not.toContain("plainkey-wrong-0123456")
  })

  it("stops a target the same way", async () => {
    const dir = fixtureDir({ "cases.jsonl": TARGET_CASES })
    const before = await requests(locked)
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", "openai:m", "--concurrency", "2", "--ignore-errors", "--no-progress", "--cache", "assay.db"], {
      cwd: dir,
      env: envFor("openai", locked, "plainkey-wrong-0123456")
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("assay: target openai:m: openai rejected the API key")
    expect(r.stderr).toContain("check OPENAI_API_KEY")
    expect((await requests(locked)) - before).toBeLessThanOrEqual(2)
    expect(everything(dir, r)).not.toContain("plainkey-wrong-0123456")
  })
})

describe("missing keys", () => {
  it.each([
    [["--judge", "openai:m", "--metric", "answer-relevancy"], "judge settings: openai:m needs an API key: set OPENAI_API_KEY"],
    [["--target", "openai:m", "--metric", "exact-match"], "target settings: openai:m needs an API key: set OPENAI_API_KEY"],
    [["--judge", "anthropic:m", "--metric", "answer-relevancy"], "judge settings: anthropic:m needs an API key: set ANTHROPIC_API_KEY"],
    [["--target", "anthropic:m", "--metric", "exact-match"], "target settings: anthropic:m needs an API key: set ANTHROPIC_API_KEY"]
  ])("%j fails before any request, whatever the base URL: exit 2, no run recorded", async (args, message) => {
    const dir = fixtureDir({ "cases.jsonl": TARGET_CASES })
    const before = await requests(open)
    const r = await assay(["run", "cases.jsonl", ...args, "--cache", "assay.db", "--base-url", open.baseUrl], {
      cwd: dir,
      env: { OPENAI_BASE_URL: open.baseUrl, ANTHROPIC_BASE_URL: root(open) }
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
    expect(await requests(open)).toBe(before)
    expect((await assay(["runs", "list", "--cache", "assay.db"], { cwd: dir })).stdout).toContain("no runs yet")
  })

  it("openai-compatible: runs without a key", async () => {
    const dir = fixtureDir({ "cases.jsonl": TARGET_CASES })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", "openai-compatible:m", "--base-url", paris.baseUrl, "--no-cache"], { cwd: dir })
    expect(r.code).toBe(0)
  })
})

describe("unreachable endpoints", () => {
  it.each(["openai-compatible", "openai", "anthropic"])("%s judge, nothing listening: exit 3 at once, naming the URL", async (provider) => {
    const dir = fixtureDir({ "qa.jsonl": qaJsonl(), "assay.config.yaml": gEval(`${provider}:m`) })
    const closed = { baseUrl: "http://127.0.0.1:9/v1", stop: () => undefined }
    const r = await assay(["run", "qa.jsonl", "--config", "assay.config.yaml", "--ignore-errors", "--no-cache", "--no-progress"], { cwd: dir, env: envFor(provider, closed, KEY) })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(new RegExp(`assay: judge ${provider}:m: cannot connect to http://127\\.0\\.0\\.1:9/v1/\\S+: connection refused \\(ECONNREFUSED\\)`))
  })

  it.each([
    ["openai:m", "chat/completions"],
    ["openai-responses:m", "responses"]
  ])("a target host that does not resolve (%s): exit 3 naming the URL, and a warning about the key over plain http", async (target, path) => {
    const dir = fixtureDir({ "cases.jsonl": TARGET_CASES })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", target, "--base-url", "http://nowhere.invalid/v1", "--no-cache"], {
      cwd: dir,
      env: { OPENAI_API_KEY: KEY }
    })
    expect(r.code).toBe(3)
    // Effect's logger (warnings included) writes to stdout
    expect(r.stdout + r.stderr).toContain("the API key is sent unencrypted over plain http to nowhere.invalid")
    expect(r.stderr).toContain(`assay: target ${target}: cannot connect to http://nowhere.invalid/v1/${path}: host name not found (ENOTFOUND)`)
  })
})

describe("--base-url with credentials", () => {
  it("is stored without them; resume asks for the URL again", async () => {
    const dir = fixtureDir({ "cases.jsonl": TARGET_CASES })
    const withCredentials = paris.baseUrl.replace("http://", "http://bob:pw-SECRET-4711@")
    const args = ["--metric", "exact-match", "--target", "openai-compatible:m", "--cache", "assay.db", "--no-progress"]
    const r = await assay(["run", "cases.jsonl", ...args, "--base-url", withCredentials], { cwd: dir })
    expect(r.code).toBe(0)
    const refused = await assay(["resume", "latest", "--cache", "assay.db"], { cwd: dir })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("target base URL carried credentials, which are not stored: resume with --base-url <url>")
    const resumed = await assay(["resume", "latest", "--cache", "assay.db", "--base-url", withCredentials], { cwd: dir })
    expect(resumed.code).toBe(0)
    expect(everything(dir, { stdout: r.stdout + resumed.stdout, stderr: r.stderr + resumed.stderr })).not.toContain("pw-SECRET-4711")
  })
})

describe("anthropic: from the built binary", () => {
  it("judges and generates against the fake server's Messages API", async () => {
    const dir = fixtureDir({ "qa.jsonl": qaJsonl(), "cases.jsonl": TARGET_CASES, "assay.config.yaml": gEval("anthropic:claude-3-5-haiku-latest") })
    const judged = await assay(["run", "qa.jsonl", "--config", "assay.config.yaml", "--no-cache", "--out", "judged.json"], {
      cwd: dir,
      env: envFor("anthropic", open, "sk-ant-test")
    })
    expect(judged.stderr).not.toMatch(/^assay: (?!using )/m)
    expect(judged.code).toBe(0)
    const result = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "judged.json"), "utf8")))
    expect(result.summary.metrics[0]).toMatchObject({ name: "correctness", count: 10, passed: 10 })
    const generated = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", "anthropic:claude-3-5-haiku-latest", "--no-cache"], {
      cwd: dir,
      env: envFor("anthropic", paris, "sk-ant-test")
    })
    expect(generated.stderr).not.toMatch(/^assay: (?!using )/m)
    expect(generated.code).toBe(0)
    const log = await fakeLog(paris)
    expect(log.filter((e) => e.path === "/v1/messages").length).toBe(20)
  })
})
