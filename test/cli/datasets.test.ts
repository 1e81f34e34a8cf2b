/**
 * Dataset formats end to end: every format loads and scores the same cases; malformed input exits 2 with a
 * message naming the file, line and field, and writes no report.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, QA_CASES, qaJsonl, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const decodeRun = Schema.decodeUnknownSync(RunResult)

const runOut = async (dir: string, file: string, extra: ReadonlyArray<string> = []) => {
  const r = await assay(["run", file, "--metric", "exact-match", "--no-cache", "--out", "out.json", ...extra], { cwd: dir })
  const out = existsSync(join(dir, "out.json")) ? decodeRun(JSON.parse(readFileSync(join(dir, "out.json"), "utf8"))) : undefined
  return { ...r, out }
}

const csvOf = (cases: typeof QA_CASES) =>
  "name,input,actual_output,expected_output,context\n" +
  cases.map((c) => [c.name, `"${c.input}"`, c.actual_output, c.expected_output, "geo|capitals"].join(",")).join("\n") + "\n"

describe("dataset formats", () => {
  it.each([
    ["cases.jsonl", qaJsonl()],
    ["cases.json", JSON.stringify(QA_CASES)],
    ["goldens.json", JSON.stringify({ goldens: QA_CASES })],
    ["deepeval.json", JSON.stringify({ test_cases: QA_CASES })],
    ["camel.json", JSON.stringify(QA_CASES.map((c) => ({ name: c.name, input: c.input, actualOutput: c.actual_output, expectedOutput: c.expected_output })))],
    ["cases.csv", csvOf(QA_CASES)]
  ])("%s: 7 of 10 pass, exit 1, failing cases named", async (file, content) => {
    const dir = fixtureDir({ [file]: content })
    const { code, out, stdout } = await runOut(dir, file)
    expect(code).toBe(1)
    expect(out?.summary).toMatchObject({ total: 10, passed: 7, failed: 3, errored: 0 })
    expect(out?.cases.map((c) => c.name)).toEqual(QA_CASES.map((c) => c.name))
    expect(out?.cases.filter((c) => !c.success).map((c) => c.name)).toEqual(["canberra", "brasilia", "ankara"])
    expect(stdout).toMatch(/FAILED\s+canberra/)
    expect(stdout).toContain("pass rate 70.0% · 7 passed, 3 failed, 0 errored, 0 skipped")
  })

  it("a JSONL file far bigger than one read chunk streams through with correct line numbers", async () => {
    const line = JSON.stringify({ input: "x".repeat(200), actual_output: "a", expected_output: "a" })
    const lines = Array.from({ length: 12_000 }, () => line) // ~2.6 MB: several 1 MiB chunks
    lines.push('{"input": "last", "actual_output": 3}')
    const dir = fixtureDir({ "big.jsonl": lines.join("\n") })
    const r = await runOut(dir, "big.jsonl")
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("big.jsonl:12001: actualOutput:")
  })

  it("a CSV list column is split on |", async () => {
    const dir = fixtureDir({ "c.csv": 'input,actual_output,expected_output,context\nq,a,a,"one | two|three"\n' })
    const r = await runOut(dir, "c.csv", ["--html", "r.html"])
    expect(r.code).toBe(0)
    expect(readFileSync(join(dir, "r.html"), "utf8")).toContain('"context":["one","two","three"]')
  })
})

describe("malformed datasets exit 2 naming file, line and field", () => {
  it.each([
    ["bad.jsonl", '{"input":"a","actual_output":"a"}\n\n{"input": "b",\n', /bad\.jsonl:3: invalid JSON/],
    ["field.jsonl", '{"input":"a","actual_output":"a"}\n{"input":"b","expected_output":42}\n', /field\.jsonl:2: expectedOutput: Expected string, actual 42/],
    ["missing.jsonl", '{"input":"a","actual_output":"a"}\n{"actual_output":"b"}\n', /missing\.jsonl:2: input: is missing/],
    ["syntax.json", '[\n {"input": "a"},\n {"input": "b" "x": 1}\n]', /syntax\.json:3: invalid JSON/],
    ["field.json", '{"goldens": [\n  {"input": "a", "actual_output": "a"},\n  {\n    "input": "b",\n    "tags": "t"\n  }\n]}', /field\.json:5: tags: Expected ReadonlyArray<string>, actual "t"/],
    ["shape.json", '{"cases": []}', /shape\.json:1: expected an array of cases/],
    ["quote.csv", 'input,actual_output\n"a,b\n', /quote\.csv:2: invalid CSV: Quote Not Closed/],
    ["ragged.csv", "input,actual_output\nx,y\nx,y,z\n", /ragged\.csv:3: invalid CSV: Invalid Record Length/],
    ["tools.csv", 'input,tools_called\nq,"[{""name"": }]"\n', /tools\.csv:2: column tools_called: invalid JSON/],
    ["cases.txt", "hello", /cases\.txt: unsupported dataset format/]
  ])("%s", async (file, content, message) => {
    const dir = fixtureDir({ [file]: content })
    const r = await runOut(dir, file, ["--jsonl", "out.jsonl", "--junit", "out.xml"])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(r.out).toBeUndefined() // nothing written for a malformed dataset
    expect(existsSync(join(dir, "out.jsonl"))).toBe(false)
    expect(existsSync(join(dir, "out.xml"))).toBe(false)
  })

  it("a missing dataset names the file and says why in words", async () => {
    const dir = fixtureDir()
    const missing = await assay(["run", "/nonexistent/cases.jsonl", "--metric", "exact-match", "--no-cache"], { cwd: dir })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe("assay: /nonexistent/cases.jsonl: no such file\n")
    // A folder is where eval files are looked for.
    mkdirSync(join(dir, "folder.jsonl"))
    const folder = await assay(["run", "folder.jsonl", "--metric", "exact-match", "--no-cache"], { cwd: dir })
    expect(folder.code).toBe(2)
    expect(folder.stderr).toContain("assay: folder.jsonl: no eval files found")
  })
})
