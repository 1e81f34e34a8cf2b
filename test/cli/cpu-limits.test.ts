/**
 * Limits that hold for CPU-bound metrics, end to end: a user regex that backtracks catastrophically in
 * JavaScript finishes under `--timeout` (RE2 is linear), a levenshtein of two 300k-character texts or a
 * json-schema validation with a recursive `anyOf` (in its worker thread) past `--timeout 1s` is recorded as a
 * timeout error, and SIGINT during either exits 130 with the case left unfinished. The assertions are about what was recorded, not about durations (those are measured by hand:
 * run once whole, the levenshtein holds the thread for well over ten seconds on any machine).
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, requireBuild, whenStderr } from "./harness.js"

beforeAll(requireBuild)

const readOut = (dir: string): RunResult => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")))

/** Deterministic pseudo-random letters. */
const letters = (n: number, seed: number): string => {
  let x = seed
  let out = ""
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    out += String.fromCharCode(97 + ((x >>> 16) % 26))
  }
  return out
}

/** A small case, then one whose levenshtein would take well over ten seconds in one piece. */
const LONG_PAIR = [
  { name: "small", input: "q", actual_output: "kitten", expected_output: "sitting" },
  { name: "huge", input: "q", actual_output: letters(300_000, 1), expected_output: letters(300_000, 2) }
].map((c) => JSON.stringify(c)).join("\n") + "\n"

/** A small case, then a 37-character output nested 18 deep: 3^18 steps of a recursive anyOf. */
const DEEP_JSON = [
  { name: "small", input: "q", actual_output: "[[1]]" },
  { name: "deep", input: "q", actual_output: "[".repeat(18) + "1" + "]".repeat(18) }
].map((c) => JSON.stringify(c)).join("\n") + "\n"
const ref = { $ref: "#/definitions/n" }
const RECURSIVE_SCHEMA = JSON.stringify({
  metrics: [{
    metric: "json-schema",
    schema: {
      definitions: { n: { anyOf: [{ type: "array", items: ref, maxItems: 0 }, { type: "array", items: ref, maxItems: 0 }, { type: "array", items: ref }, { type: "integer" }] } },
      $ref: "#/definitions/n"
    }
  }]
})

/** Run `assay` with `args` in `dir`, sending SIGINT once the first of two cases is done (the second is being measured). */
const interruptSecond = async (dir: string, args: ReadonlyArray<string>) => {
  const signal = whenStderr("progress 1/2", (child) => child.kill("SIGINT"))
  const r = await assay(args, { cwd: dir, onSpawn: signal.onSpawn })
  expect(signal.fired()).toBe(true)
  expect(r.code).toBe(130)
  const out = readOut(dir)
  expect(out.status).toBe("cancelled")
  expect(out.cases.map((c) => c.name)).toEqual(["small"])
  expect(out.unfinished.map((u) => u.index)).toEqual([1])
}

describe("CPU-bound metrics under limits", () => {
  it("a catastrophic regex finishes under --timeout 1s: matched in linear time, scored, not errored", async () => {
    const evil = "a".repeat(40) + "!"
    const dir = fixtureDir({
      "cases.jsonl": [evil, "a".repeat(200_000) + "!", "aaaa"].map((o, i) => JSON.stringify({ name: `c${i}`, input: "q", actual_output: o })).join("\n"),
      "config.json": JSON.stringify({ metrics: [{ metric: "regex", pattern: "^(a+)+$" }] })
    })
    const r = await assay(["run", "cases.jsonl", "--config", "config.json", "--timeout", "1s", "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(r.code).toBe(1)
    const out = readOut(dir)
    expect(out.summary).toMatchObject({ passed: 1, failed: 2, errored: 0 })
    expect(out.cases.map((c) => c.metrics[0]!.reason)).toEqual(["no match for /^(a+)+$/", "no match for /^(a+)+$/", `matched "aaaa" at 0`])
  })

  it("a pattern RE2 cannot run is a usage error naming the metric and field", async () => {
    const dir = fixtureDir({
      "cases.jsonl": JSON.stringify({ input: "q", actual_output: "x" }),
      "config.json": JSON.stringify({ metrics: [{ metric: "regex", pattern: "(\\w)\\1" }] })
    })
    const r = await assay(["run", "cases.jsonl", "--config", "config.json", "--no-cache"], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`metric regex: pattern: pattern "(\\\\w)\\\\1" uses a backreference \\1, which the linear-time regex engine (RE2) does not support`)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it("a levenshtein past --timeout 1s is a timeout error on that case; the others are scored", async () => {
    const dir = fixtureDir({ "cases.jsonl": LONG_PAIR })
    const r = await assay(["run", "cases.jsonl", "--metric", "levenshtein", "--timeout", "1s", "--ignore-errors", "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(r.code).toBe(1)
    const out = readOut(dir)
    expect(out.summary).toMatchObject({ passed: 1, errored: 1 })
    expect(out.cases[1]!.metrics[0]).toMatchObject({ name: "levenshtein", score: null, error: "timed out after 1s" })
  })

  it("SIGINT during a long levenshtein exits 130 with that case unfinished", async () => {
    const dir = fixtureDir({ "cases.jsonl": LONG_PAIR })
    await interruptSecond(dir, ["run", "cases.jsonl", "--metric", "levenshtein", "--concurrency", "1", "--no-cache", "--out", "out.json"])
  })

  it("a json-schema validation past --timeout 1s is a timeout error on that case; the others are scored", async () => {
    const dir = fixtureDir({ "cases.jsonl": DEEP_JSON, "config.json": RECURSIVE_SCHEMA })
    const r = await assay(["run", "cases.jsonl", "--config", "config.json", "--timeout", "1s", "--ignore-errors", "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(r.code, r.stderr).toBe(1)
    const out = readOut(dir)
    expect(out.summary).toMatchObject({ passed: 1, errored: 1 })
    expect(out.cases[1]!.metrics[0]).toMatchObject({ name: "json-schema", score: null, error: "timed out after 1s" })
  })

  it("SIGINT during a long json-schema validation exits 130 with that case unfinished", async () => {
    const dir = fixtureDir({ "cases.jsonl": DEEP_JSON, "config.json": RECURSIVE_SCHEMA })
    await interruptSecond(dir, ["run", "cases.jsonl", "--config", "config.json", "--concurrency", "1", "--no-cache", "--out", "out.json"])
  })
})
