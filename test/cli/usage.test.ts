/**
 * What a person reads first: `--help` that fits a screen, mistyped options and metric ids answered with the closest
 * known name, `--option=value`, `runs list` with a header, and commands that only read a store refusing a database
 * that does not exist instead of creating one.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, qaJsonl, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const ANSI = /\u001b\[/

describe("--help", () => {
  it("assay --help lists every command on one line each, without colour codes", async () => {
    const r = await assay(["--help"])
    expect(r.code).toBe(0)
    expect(r.stdout.split("\n")[0]).toBe("Usage: assay <command>")
    for (const command of ["run", "resume", "runs", "compare", "cache", "metrics"]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\s+\\S`, "m"))
    }
    expect(r.stdout).not.toMatch(ANSI)
    expect(r.stdout.split("\n").length).toBeLessThanOrEqual(30)
  })

  it("assay run --help names `assay run`, groups every option on one line, and fits a screen", async () => {
    const r = await assay(["run", "--help"])
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split("\n")
    expect(lines[0]).toBe("Usage: assay run <dataset> [options]")
    for (const group of ["input:", "run:", "limits:", "cache:", "output:", "gates:"]) expect(lines).toContain(group)
    // a flag without a group would land under "other:"; @effect/cli's generic sentences must not appear
    expect(lines).not.toContain("other:")
    expect(r.stdout).not.toContain("A user-defined piece of text")
    expect(r.stdout).toMatch(/^  --concurrency <n>\s+cases in flight/m)
    expect(r.stdout).toMatch(/^  --min-pass-rate <p%>\s+exit 0 when/m)
    expect(r.stdout).toMatch(/^  --timeout <duration>\s+time limit per metric/m)
    expect(r.stdout).not.toMatch(ANSI)
    expect(lines.length).toBeLessThanOrEqual(70)
  })

  it("nested commands have their own help: runs list, cache prune", async () => {
    const list = await assay(["runs", "list", "-h"])
    expect(list.stdout.split("\n")[0]).toBe("Usage: assay runs list [options]")
    const prune = await assay(["cache", "prune", "--help"])
    expect(prune.stdout).toMatch(/^  --older-than <duration>\s+drop entries written longer ago/m)
  })
})

describe("what a person types", () => {
  it("an unknown option is a usage error naming the closest known one, before anything runs", async () => {
    const dir = fixtureDir({ "qa.jsonl": qaJsonl() })
    const r = await assay(["run", "qa.jsonl", "--metric", "exact-match", "--concurency", "4"], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("unknown option --concurency for `assay run`: did you mean --concurrency?")
    expect(existsSync(join(dir, ".assay"))).toBe(false)
  })

  it("--option=value works like --option value", async () => {
    const dir = fixtureDir({ "qa.jsonl": qaJsonl() })
    const r = await assay(["run", "qa.jsonl", "--metric=exact-match", "--concurrency=3", "--out=out.json", "--no-progress"], { cwd: dir })
    expect(r.code).toBe(1)
    expect(existsSync(join(dir, "out.json"))).toBe(true)
  })

  it("a mistyped metric id gets a suggestion; a metric that needs parameters says where they go", async () => {
    const dir = fixtureDir({ "qa.jsonl": qaJsonl() })
    const typo = await assay(["run", "qa.jsonl", "--metric", "exact-mach"], { cwd: dir })
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain(`unknown metric "exact-mach": did you mean exact-match?`)
    const bare = await assay(["run", "qa.jsonl", "--metric", "g-eval", "--judge", "openai-compatible:m"], { cwd: dir })
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain("metric g-eval needs parameters that --metric cannot set")
    expect(bare.stderr).toMatch(/name \(.*\); criteria \(.*\); evaluationSteps \(/)
  })

  it("assay.config.json in the current directory is used without --config, and says so", async () => {
    const config = JSON.stringify({ metrics: ["exact-match"], minPassRate: 0.5 })
    const dir = fixtureDir({ "qa.jsonl": qaJsonl(), "assay.config.json": config })
    const r = await assay(["run", "qa.jsonl", "--no-progress"], { cwd: dir })
    expect(r.code).toBe(0) // the config's minPassRate
    expect(r.stderr).toContain("assay: using assay.config.json")
    const both = fixtureDir({ "qa.jsonl": qaJsonl(), "assay.config.json": config, "assay.config.yaml": "metrics: [exact-match]\n" })
    const ambiguous = await assay(["run", "qa.jsonl"], { cwd: both })
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toContain("assay.config.json and assay.config.yaml both found")
  })
})

describe("the end of a run", () => {
  it("names the run, where its results went, and why the exit code is what it is", async () => {
    const dir = fixtureDir({ "qa.jsonl": qaJsonl() })
    const failed = await assay(["run", "qa.jsonl", "--metric", "exact-match", "--out", "out.json", "--no-progress"], { cwd: dir })
    expect(failed.code).toBe(1)
    const runId = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")).runId as string
    expect(failed.stderr).toContain(`run ${runId} · reports: out.json · see it again: assay runs show ${runId}`)
    expect(failed.stderr).toContain("exit 1: 3 of 10 cases failed or errored; no --min-pass-rate gate allows that")
    const gated = await assay(["run", "qa.jsonl", "--metric", "exact-match", "--min-pass-rate", "50%", "--no-progress"], { cwd: dir })
    expect(gated.code).toBe(0)
    expect(gated.stderr).toContain("exit 0: pass rate 70% ≥ the minimum 50% (--min-pass-rate)")
  })
})

describe("stores that do not exist", () => {
  it("cache stats and runs show on a missing database say so, runs list says there are no runs; nothing is created", async () => {
    const dir = fixtureDir()
    for (const args of [["cache", "stats", "--cache", "nope/x.db"], ["runs", "show", "latest", "--cache", "nope/x.db"]]) {
      const r = await assay(args, { cwd: dir })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`no assay database at ${join(dir, "nope/x.db")}`)
    }
    const list = await assay(["runs", "list", "--cache", "nope/x.db"], { cwd: dir })
    expect(list.code).toBe(0)
    expect(list.stdout.trim()).toBe("no runs yet")
    expect(existsSync(join(dir, "nope"))).toBe(false)
  })
})

describe("runs list", () => {
  it("has a header row above the runs", async () => {
    const dir = fixtureDir({ "qa.jsonl": qaJsonl() })
    const ran = await assay(["run", "qa.jsonl", "--metric", "exact-match", "--identifier", "listed"], { cwd: dir })
    expect(ran.code).not.toBe(2)
    const r = await assay(["runs", "list"], { cwd: dir })
    const [header, first] = r.stdout.split("\n")
    expect(header).toMatch(/^RUN\s+STARTED \(UTC\)\s+STATUS\s+FINISHED\/ALL\s+PASS RATE\s+IDENTIFIER OR DATASET$/)
    expect(first).toMatch(/completed\s+\d+\/\d+\s+(\d+\.\d%|n\/a)\s+listed$/)
  })
})
