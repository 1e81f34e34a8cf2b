/**
 * `--batch` end to end, the built CLI against the fake server's batch APIs (a separate process): judge calls
 * go through OpenAI's Files + Batches with no live chat call, at half the live cost; a provider without a
 * batch API is a usage error; and a run killed (SIGKILL) while its batch is pending resumes by polling that
 * batch — the fake server's count of created batches does not move. (A kill between the provider accepting a
 * batch and the run store recording it would lose that batch: the window is one local SQLite write.)
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, fakeLog, type FakeServer, fixtureDir, gevalConfig, qaJsonl, requireBuild, startFake } from "./harness.js"

let quick: FakeServer
let slow: FakeServer
beforeAll(async () => {
  requireBuild()
  const reply = ["--reply", "{\"score\": 8, \"reason\": \"the answer names the right city\"}"]
  quick = await startFake([...reply, "--batch-delay", "300"])
  // Long enough that the run is killed while its batch is pending, short enough for resume to see it end.
  slow = await startFake([...reply, "--batch-delay", "3000"])
})
afterAll(() => {
  quick?.stop()
  slow?.stop()
})

const batchesCreated = async (server: FakeServer): Promise<number> =>
  ((await (await fetch(`${server.baseUrl.replace(/\/v1$/, "")}/_fake/batches`)).json()) as { created: number }).created

const decode = (dir: string, file: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, file), "utf8")))

describe("--batch", () => {
  it("judges through the batch API: no live calls, half the live cost", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": gevalConfig() })
    const before = (await fakeLog(quick)).length
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--batch", "--batch-poll", "100ms", "--out", "out.json"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: quick.baseUrl, OPENAI_API_KEY: "sk-test" }
    })
    expect(r.stderr).not.toContain("assay:")
    expect(r.code).toBe(0)
    const out = decode(dir, "out.json")
    expect(out.summary.metrics.find((m) => m.name === "correctness")).toMatchObject({ count: 10, passed: 10, errored: 0 })
    const log = (await fakeLog(quick)).slice(before)
    expect(log.filter((e) => e.path === "/v1/chat/completions")).toHaveLength(0)
    expect(log.filter((e) => e.path === "/v1/batches")).toHaveLength(1) // ten cases gathered into one batch
    const calls = /calls: judge 1 batches · 10 requests · cost \$([\d.]+) \(live \$([\d.]+)\)/.exec(r.stdout)
    expect(calls).not.toBeNull()
    expect(Number(calls![1])).toBeGreaterThan(0)
    expect(Number(calls![1])).toBeCloseTo(Number(calls![2]) / 2, 4)
    expect(out.summary.cost).toBeCloseTo(Number(calls![1]), 4)
  })

  it("refuses a provider without a batch API, and --offline, before any request (exit 2)", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": gevalConfig() })
    const env = { OPENAI_BASE_URL: quick.baseUrl, OPENAI_API_KEY: "sk-test" }
    const before = (await fakeLog(quick)).length
    const local = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--judge", "openai-compatible:llama3.1", "--batch"], { cwd: dir, env })
    expect(local.code).toBe(2)
    expect(local.stderr).toContain("--batch: --judge openai-compatible:llama3.1 has no batch API")
    const offline = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--batch", "--offline"], { cwd: dir, env })
    expect(offline.code).toBe(2)
    expect(offline.stderr).toContain("--batch cannot be combined with --offline")
    const nothing = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--batch"], { cwd: dir, env })
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toContain("--batch: nothing to batch")
    expect((await fakeLog(quick)).length).toBe(before)
  })

  it("a run killed while its batch is pending resumes by polling it, never submitting again", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": gevalConfig() })
    const env = { OPENAI_BASE_URL: slow.baseUrl, OPENAI_API_KEY: "sk-test" }
    const created = await batchesCreated(slow)
    let killed = false
    const first = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--batch", "--batch-poll", "100ms"], {
      cwd: dir,
      env,
      onSpawn: (child) => {
        // Killed once the batch is being polled: by then the run store holds its id.
        const poll = setInterval(() => {
          void fakeLog(slow).then((log) => {
            if (log.some((e) => e.path.startsWith("/v1/batches/")) && !killed) {
              killed = true
              child.kill("SIGKILL")
            }
          })
        }, 20)
        child.on("close", () => clearInterval(poll))
      }
    })
    expect(killed).toBe(true)
    expect(first.signal).toBe("SIGKILL")
    expect(await batchesCreated(slow)).toBe(created + 1)

    const resumed = await assay(["resume", "latest", "--out", "out.json"], { cwd: dir, env })
    expect(resumed.stderr).not.toContain("assay:")
    expect(resumed.code).toBe(0)
    const out = decode(dir, "out.json")
    expect(out.status).toBe("completed")
    expect(out.summary.metrics.find((m) => m.name === "correctness")).toMatchObject({ count: 10, passed: 10 })
    expect(await batchesCreated(slow)).toBe(created + 1) // polled, not submitted again
    expect((await fakeLog(slow)).filter((e) => e.path === "/v1/chat/completions")).toHaveLength(0)
  })
})
