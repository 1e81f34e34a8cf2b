/**
 * Config files and flags end to end: JSON and YAML configs, flags overriding the file, exit codes for
 * usage errors, and `assay metrics`.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, qaJsonl, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const readOut = (dir: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")))

describe("config file", () => {
  it("YAML config: metric parameters, thresholds and minPassRate (exit 0 at 70% ≥ 60%)", async () => {
    const yaml = [
      "metrics:",
      "  - metric: exact-match",
      "    caseSensitive: false",
      "  - { metric: levenshtein, threshold: 0.2, name: lev-loose }",
      "minPassRate: 60%",
      "identifier: from-yaml"
    ].join("\n")
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": yaml })
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(r.code).toBe(0)
    const out = readOut(dir)
    expect(out.identifier).toBe("from-yaml")
    expect(out.summary.metrics.map((m) => [m.name, m.count])).toEqual([["exact-match", 10], ["lev-loose", 10]])
    expect(out.cases[0]!.metrics[1]!.threshold).toBe(0.2)
  })

  it("flags override the file: --metric replaces its metrics, --min-pass-rate its pass mark", async () => {
    const config = JSON.stringify({ metrics: ["levenshtein"], minPassRate: "50%", identifier: "file" })
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.json": config })
    const r = await assay(
      ["run", "cases.jsonl", "--config", "assay.config.json", "--metric", "exact-match", "--min-pass-rate", "80%", "--identifier", "flag", "--no-cache", "--out", "out.json"],
      { cwd: dir }
    )
    expect(r.code).toBe(1) // 70% < 80%
    const out = readOut(dir)
    expect(out.identifier).toBe("flag")
    expect(out.summary.metrics.map((m) => m.name)).toEqual(["exact-match"])
  })

  it.each([
    [{ metrics: ["exact-match"], concurrency: 0 }, /assay\.config\.json: concurrency: expected an integer from 1 to 10000, got 0/],
    [{ metrics: ["exact-match"], concurrency: 1_000_000 }, /concurrency: expected an integer from 1 to 10000/],
    [{ metrics: ["exact-match"], repeat: -1 }, /repeat: expected an integer from 1 to 1000/],
    [{ metrics: ["exact-match"], reducer: "median" }, /assay\.config\.json: reducer: expected one of mean, min, pass@k, pass\^k, got "median"/],
    [{ metrics: ["exact-match"], timeout: "0s" }, /timeout: expected a duration above 0/],
    [{ metrics: ["exact-match"], throttle: -5 }, /throttle: expected a duration/],
    [{ metrics: ["exact-match"], timeout: "soon" }, /timeout: expected a duration such as 30s/],
    [{ metrics: ["exact-match"], colour: "red" }, /colour: is unexpected/],
    [{ metrics: [{ metric: "levenshtein", threshold: 3 }] }, /metric levenshtein: threshold:/],
    [{ metrics: ["no-such-metric"] }, /unknown metric "no-such-metric"/]
  ])("bad config %j exits 2 naming the field", async (config, message) => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.json": JSON.stringify(config) })
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.json", "--no-cache"], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })
})

describe("usage errors exit 2", () => {
  it.each([
    [["run", "cases.jsonl"], /no metrics/],
    [["run", "cases.jsonl", "--metric", "exact-match", "--max-errors", "lots"], /max-errors|expected a count/],
    [["run", "cases.jsonl", "--metric", "exact-match", "--concurrency", "many"], /integer/],
    [["frobnicate"], /./]
  ])("%j", async (args, message) => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay([...args, "--no-cache"].filter((a) => !(args[0] === "frobnicate" && a === "--no-cache")), { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stdout + r.stderr).toMatch(message)
  })
})

describe("bad flag values are usage errors, refused before a run is recorded", () => {
  it.each([
    ["--concurrency", "0", /--concurrency: expected an integer from 1 to 10000, got "0"/],
    ["--concurrency", "1000000", /--concurrency: expected an integer from 1 to 10000/],
    ["--repeat", "-1", /--repeat: expected an integer from 1 to 1000/],
    ["--reducer", "pass@3", /--reducer: expected one of mean, min, pass@k, pass\^k, got "pass@3"/],
    ["--max-errors", "-2", /--max-errors: expected a whole count such as 5 or a percentage such as 10%/],
    ["--throttle", "-5ms", /--throttle: expected a duration/],
    ["--timeout", "0s", /--timeout: expected a duration above 0/],
    ["--deadline", "30d", /--deadline: expected a duration above 0 up to 7d/],
    ["--min-pass-rate", "120%", /--min-pass-rate: expected a percentage/]
  ])("%s %s → exit 2 naming the flag, no stack trace, no run stored", async (flag, value, message) => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--no-progress", flag, value], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/\bat \S+:\d+|Error:/)
    expect(r.stdout).toBe("")
    const runs = await assay(["runs", "list"], { cwd: dir })
    expect(runs.stdout.trim()).toBe("no runs yet")
  })
})

describe("assay metrics", () => {
  it("lists every deterministic metric with its parameters", async () => {
    const r = await assay(["metrics"], { cwd: fixtureDir() })
    expect(r.code).toBe(0)
    for (const id of ["exact-match", "contains", "regex", "json-valid", "levenshtein", "bleu", "rouge", "tool-correctness"]) {
      expect(r.stdout).toMatch(new RegExp(`^${id}\\b`, "m"))
    }
    expect(r.stdout).toMatch(/^rouge\n.*\n(?:.*\n)*?\s+variant: rouge1 \| rouge2 \| rougeL/m)
  })
})
