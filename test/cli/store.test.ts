/**
 * The SQLite cache and run history end to end: a rerun reports every metric `cached` with equal scores,
 * hyperparameters are part of the cache key, `--no-cache` bypasses it, `runs`, `compare` and `cache` work.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, QA_CASES, qaJsonl, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const readOut = (dir: string, file: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, file), "utf8")))
const METRICS = ["--metric", "exact-match", "--metric", "bleu"]

describe("cache", () => {
  it("a rerun is served from the cache; hyperparameters and --no-cache bypass it", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    await assay(["run", "cases.jsonl", ...METRICS, "--out", "first.json"], { cwd: dir })
    await assay(["run", "cases.jsonl", ...METRICS, "--out", "second.json"], { cwd: dir })
    await assay(["run", "cases.jsonl", ...METRICS, "--hyperparameter", "prompt=v2", "--out", "third.json"], { cwd: dir })
    await assay(["run", "cases.jsonl", ...METRICS, "--no-cache", "--out", "fourth.json"], { cwd: dir })
    const [first, second, third, fourth] = ["first", "second", "third", "fourth"].map((n) => readOut(dir, `${n}.json`))
    const flags = (r: RunResult) => r.cases.flatMap((c) => c.metrics.map((m) => m.cached))
    const scores = (r: RunResult) => r.cases.flatMap((c) => c.metrics.map((m) => m.score))
    expect(flags(first!).every((c) => !c)).toBe(true)
    expect(flags(second!)).toHaveLength(20)
    expect(flags(second!).every((c) => c)).toBe(true)
    expect(scores(second!)).toEqual(scores(first!))
    expect(flags(third!).every((c) => !c)).toBe(true) // a new hyperparameter is a new cache key
    expect(flags(fourth!).every((c) => !c)).toBe(true)

    const stats = await assay(["cache", "stats"], { cwd: dir })
    expect(stats.code).toBe(0)
    expect(stats.stdout).toMatch(/cached results: 40\n\s+bleu\s+20\n\s+exact-match\s+20/)
    const cleared = await assay(["cache", "clear"], { cwd: dir })
    expect(cleared.stdout).toContain("deleted 40 cached results")
    await assay(["run", "cases.jsonl", ...METRICS, "--out", "fifth.json"], { cwd: dir })
    expect(flags(readOut(dir, "fifth.json")).every((c) => !c)).toBe(true)
  }, 180_000)

  it("--cache puts the database elsewhere; prune needs a bound", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--cache", "db/custom.db"], { cwd: dir })
    expect(r.code).toBe(1)
    const stats = await assay(["cache", "stats", "--cache", "db/custom.db"], { cwd: dir })
    expect(stats.stdout).toContain("cached results: 10")
    expect((await assay(["cache", "prune", "--cache", "db/custom.db"], { cwd: dir })).code).toBe(2)
    const pruned = await assay(["cache", "prune", "--cache", "db/custom.db", "--max-bytes", "0"], { cwd: dir })
    expect(pruned.stdout).toContain("deleted 10 cached results")
  }, 120_000)
})

describe("runs and compare", () => {
  it("lists runs, shows one, and reports regressions (exit 1 with --fail-on-regression)", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    await assay(["run", "cases.jsonl", "--metric", "exact-match", "--identifier", "before", "--out", "a.json"], { cwd: dir })
    const changed = QA_CASES.map((c) =>
      c.name === "paris" ? { ...c, actual_output: "Lyon" } : c.name === "canberra" ? { ...c, actual_output: "Canberra" } : c)
    writeFileSync(join(dir, "cases.jsonl"), changed.map((c) => JSON.stringify(c)).join("\n"))
    await assay(["run", "cases.jsonl", "--metric", "exact-match", "--identifier", "after", "--out", "b.json"], { cwd: dir })
    const a = readOut(dir, "a.json").runId!
    const b = readOut(dir, "b.json").runId!

    const list = await assay(["runs", "list"], { cwd: dir })
    expect(list.stdout.trim().split("\n").slice(1).map((l) => l.split(/\s+/)[0])).toEqual([b, a]) // newest first, below the header
    const show = await assay(["runs", "show", a], { cwd: dir })
    expect(show.stdout).toMatch(/FAILED\s+canberra/)
    expect(show.stdout).toContain("pass rate 70.0%")

    const compare = await assay(["compare", a, "latest"], { cwd: dir })
    expect(compare.code).toBe(0)
    expect(compare.stdout).toMatch(/REGRESSED paris\n\s+exact-match 1\.000 → 0\.000 \(-1\.000\)/)
    expect(compare.stdout).toMatch(/IMPROVED\s+canberra/)
    expect(compare.stdout).toContain("1 regressed, 1 improved")
    const strict = await assay(["compare", a, b, "--fail-on-regression"], { cwd: dir })
    expect(strict.code).toBe(1)
    const missing = await assay(["runs", "show", "no-such-run"], { cwd: dir })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("no run no-such-run")
  }, 180_000)
})
