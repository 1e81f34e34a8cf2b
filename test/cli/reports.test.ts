/**
 * Report outputs end to end: `--out` decodes with core's RunResult Schema, `--jsonl` has one CaseResult per
 * case, `--junit` counts match, output through pipes is plain (no ANSI escapes), and the example job works.
 */
import { CaseResult, RunResult } from "@assay/core"
import { Schema } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, qaJsonl, requireBuild, ROOT } from "./harness.js"

beforeAll(requireBuild)

const ANSI = /\x1b\[/

describe("reports", () => {
  it("--out, --jsonl and --junit agree with each other and with the Schemas", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "old.jsonl": "" })
    const r = await assay(
      ["run", "cases.jsonl", "--metric", "exact-match", "--metric", "levenshtein", "--no-cache", "--identifier", "capitals",
        "--out", "reports/out.json", "--jsonl", "old.jsonl", "--junit", "reports/junit.xml"],
      { cwd: dir }
    )
    expect(r.code).toBe(1)
    const out = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "reports/out.json"), "utf8")))
    expect(out.status).toBe("completed")
    expect(out.identifier).toBe("capitals")
    expect(out.runId).toMatch(/^\d{8}-\d{6}-[0-9a-z]{4}$/)
    expect(out.summary.metrics.map((m) => m.name)).toEqual(["exact-match", "levenshtein"])
    expect(out.cases.every((c) => c.metrics.length === 2)).toBe(true)
    expect(out.unfinished).toEqual([])

    const lines = readFileSync(join(dir, "old.jsonl"), "utf8").trim().split("\n")
    const streamed = lines.map((l) => Schema.decodeUnknownSync(CaseResult)(JSON.parse(l)))
    expect(streamed.map((c) => c.index).sort((a, b) => a - b)).toEqual(out.cases.map((c) => c.index))

    const xml = readFileSync(join(dir, "reports/junit.xml"), "utf8")
    expect(xml).toContain(`<testsuite name="capitals" tests="10" failures="3" errors="0" skipped="0"`)
    expect(xml.match(/<testcase /g)).toHaveLength(10)
    expect(xml.match(/<failure /g)).toHaveLength(3)
    expect(readdirSync(join(dir, "reports")).filter((f) => f.endsWith(".tmp"))).toEqual([]) // atomic writes leave no temp files
  })

  it("through pipes the output is plain: progress lines on stderr, no escape codes", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--no-cache"], { cwd: dir })
    expect(r.stdout).not.toMatch(ANSI)
    expect(r.stderr).not.toMatch(ANSI)
    const progress = r.stderr.split("\n").filter((l) => l.startsWith("progress "))
    expect(progress.length).toBe(10) // one line per 10 % of 10 cases
    expect(progress.at(-1)).toMatch(/^progress 10\/10 100\.0% · pass 70\.0% · [\d.]+\/s · exact-match 7\/10$/)
    expect(r.stdout).toContain("pass rate 70.0% · 7 passed, 3 failed, 0 errored, 0 skipped")
  })

  it("--no-progress prints plain lines and NO_COLOR is honoured", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--no-progress"], { cwd: dir, env: { NO_COLOR: "1" } })
    expect(r.code).toBe(1)
    expect(r.stdout + r.stderr).not.toMatch(ANSI)
    expect(r.stderr).toContain("progress 10/10")
  })
})

describe("the example job", () => {
  it("runs with deterministic metrics only and exits 0 through the config's minPassRate", async () => {
    const dir = fixtureDir()
    const r = await assay(["run", join(ROOT, "examples/qa.jsonl"), "--config", join(ROOT, "examples/assay.config.json"), "--out", "out.json"], { cwd: dir })
    expect(r.stderr).not.toContain("assay:")
    expect(r.code).toBe(0)
    const out = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")))
    expect(out.summary.total).toBeGreaterThanOrEqual(30)
    expect(out.summary.failed).toBeGreaterThan(0) // deliberately wrong answers fail
    expect(out.summary.passRate).toBeGreaterThanOrEqual(0.7)
    expect(out.cases.find((c) => c.name === "capital-australia")?.success).toBe(false)
  })
})
