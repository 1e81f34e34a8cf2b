/**
 * Whole-run reuse, through the built CLI against the fake server as the target: a rerun of an unchanged run
 * copies its results as cached ones (no request, same scores, every metric cached) whatever its concurrency;
 * a changed dataset or hyperparameter, a cleared cache, a `--no-cache` run and a run with errored cases are
 * never reused — those reruns evaluate and call the target again.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fakeLog, fixtureDir, requireBuild, startFake } from "./harness.js"

// better-sqlite3 comes with @effect/sql-sqlite-node: the test damages a stored batch through it.
const Sqlite = createRequire(import.meta.url)("better-sqlite3") as new(path: string) => {
  prepare: (sql: string) => { run: (...params: ReadonlyArray<unknown>) => unknown }
  close: () => void
}

let fake: FakeServer
beforeAll(async () => {
  requireBuild()
  fake = await startFake(["--reply", "Paris", "--latency", "5", "--refuse", "REFUSED", "--refuse-status", "400"])
})
afterAll(() => fake?.stop())

const jsonl = (cases: ReadonlyArray<unknown>) => cases.map((c) => JSON.stringify(c)).join("\n") + "\n"
const CASES = [
  { name: "france", input: "Capital of France?", expected_output: "Paris" },
  { name: "italy", input: "Capital of Italy?", expected_output: "Rome" },
  { name: "louvre", input: "Where is the Louvre?", expected_output: "Paris" }
]
const readResult = (dir: string, file: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, file), "utf8")))
const requests = async () => (await fakeLog(fake)).length

describe("a rerun of an unchanged run", () => {
  const run = (dir: string, args: ReadonlyArray<string> = []) =>
    assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", "openai-compatible:app", "--base-url", fake.baseUrl, "--no-progress", ...args], { cwd: dir })

  it("copies its results as cached ones; any change, a cleared cache or an uncached run evaluates again", async () => {
    const dir = fixtureDir({ "cases.jsonl": jsonl(CASES) })
    const first = await run(dir, ["--out", "a.json"])
    expect(first.code).toBe(1)
    expect(first.stderr).not.toContain("reusing")
    const a = readResult(dir, "a.json")

    const before = await requests()
    const second = await run(dir, ["--out", "b.json", "--jsonl", "b.jsonl", "--concurrency", "2"])
    expect(second.code).toBe(1)
    expect(second.stderr).toContain(`reusing the results of run ${a.runId}`)
    expect(await requests()).toBe(before)
    const b = readResult(dir, "b.json")
    expect(b.runId).not.toBe(a.runId)
    expect(b.cases.map((c) => [c.name, c.success, c.metrics[0]!.score, c.testCase?.actualOutput])).toEqual(
      a.cases.map((c) => [c.name, c.success, c.metrics[0]!.score, c.testCase?.actualOutput])
    )
    expect(b.cases.every((c) => c.metrics.every((m) => m.cached && m.cost === 0) && c.cost === 0)).toBe(true)
    expect({ ...b.summary, durationMs: 0 }).toEqual({ ...a.summary, durationMs: 0, cost: 0, tokens: { input: 0, output: 0 } })
    const lines = readFileSync(join(dir, "b.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
    expect(lines.map((l) => l.name)).toEqual(CASES.map((c) => c.name))
    // The reused run is a run like any other: listed, shown, and reused in turn.
    const shown = await assay(["runs", "show", b.runId!, "--out", "shown.json"], { cwd: dir })
    expect(shown.code).toBe(0)
    expect(readResult(dir, "shown.json").cases).toEqual(b.cases)
    expect((await run(dir)).stderr).toContain("reusing the results of run ")

    const hyper = await run(dir, ["--hyperparameter", "prompt=v2"])
    expect(hyper.stderr).not.toContain("reusing")
    expect(await requests()).toBe(before + CASES.length) // the target's task cache is keyed by hyperparameters too

    // A renamed case is the same case to the cache, but the report must show its new name.
    writeFileSync(join(dir, "cases.jsonl"), jsonl(CASES.map((c, i) => (i === 0 ? { ...c, name: "renamed" } : c))))
    const renamed = await run(dir, ["--out", "renamed.json"])
    expect(renamed.stderr).not.toContain("reusing")
    expect(await requests()).toBe(before + CASES.length) // every case still from the cache
    expect(readResult(dir, "renamed.json").cases[0]!.name).toBe("renamed")

    writeFileSync(join(dir, "cases.jsonl"), jsonl([...CASES, { name: "spain", input: "Capital of Spain?", expected_output: "Madrid" }]))
    const grown = await run(dir)
    expect(grown.stderr).not.toContain("reusing")
    expect(await requests()).toBe(before + CASES.length + 1) // only the new case calls the target
    expect((await run(dir)).stderr).toContain("reusing")

    expect((await assay(["cache", "clear"], { cwd: dir })).code).toBe(0)
    const uncached = await run(dir, ["--no-cache"])
    expect(uncached.stderr).not.toContain("reusing")
    const cleared = await run(dir)
    expect(cleared.stderr).not.toContain("reusing")
    expect(await requests()).toBe(before + CASES.length + 1 + 2 * (CASES.length + 1))
  }, 120_000)

  it("is evaluated again with --repeat above 1 (its metrics are never cached)", async () => {
    const dir = fixtureDir({ "cases.jsonl": jsonl(CASES) })
    for (const _ of [1, 2]) {
      const r = await run(dir, ["--repeat", "2"])
      expect(r.code).toBe(1)
      expect(r.stderr).not.toContain("reusing")
    }
  }, 120_000)

  it("fails with a reason when the run to reuse cannot be read back; the next run evaluates", async () => {
    const dir = fixtureDir({ "cases.jsonl": jsonl(CASES) })
    const first = await run(dir, ["--out", "a.json"])
    expect(first.code).toBe(1)
    const db = new Sqlite(join(dir, ".assay/assay.db"))
    db.prepare("UPDATE run_batches SET batch = ?").run(Buffer.from("not deflate"))
    db.close()
    const damaged = await run(dir)
    expect(damaged.code).toBe(3)
    expect(damaged.stderr).toContain(`could not reuse run ${readResult(dir, "a.json").runId}`)
    expect(damaged.stderr).not.toMatch(/\n\s+at /) // no stack trace
    const before = await requests()
    const next = await run(dir, ["--out", "c.json"])
    expect(next.code).toBe(1)
    expect(next.stderr).not.toContain("reusing")
    expect(await requests()).toBe(before) // every case from the per-case cache
    expect(readResult(dir, "c.json").cases.map((c) => c.name)).toEqual(CASES.map((c) => c.name))
  }, 120_000)

  it("is evaluated again when a case errored", async () => {
    const dir = fixtureDir({ "cases.jsonl": jsonl([...CASES, { name: "refused", input: "REFUSED question", expected_output: "Paris" }]) })
    const first = await run(dir, ["--ignore-errors"])
    expect(first.code).toBe(1)
    const before = await requests()
    const second = await run(dir, ["--ignore-errors", "--out", "b.json"])
    expect(second.stderr).not.toContain("reusing")
    expect(await requests()).toBe(before + 1) // the errored case asks again; the others come from the cache
    expect(readResult(dir, "b.json").summary.errored).toBe(1)
  }, 120_000)
})
