/**
 * A rerun on an unchanged dataset skips its validating read (the run store remembers the verdict for the same
 * bytes under the same checks); any edit — even one that keeps the file's size and modification time — is read
 * and checked again, so bad input still fails naming file, line and field before anything is written. The
 * `--out` report of a rerun is the same file, byte for byte, unicode and escapes included.
 */
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const ARGS = ["--metric", "exact-match", "--metric", "levenshtein", "--no-progress"]
const CASES = [
  { name: "plain", input: "q", actual_output: "Paris", expected_output: "Paris" },
  { name: "unicode", input: "naïve 🎉 日本語", actual_output: "café \u2028 ok", expected_output: "cafe \u2028 ok" },
  { name: "escapes", input: "tab\tquote\"back\\slash", actual_output: "line\nbreak", expected_output: "line\nbreak" },
  { name: "separators", input: "],\n[", actual_output: ",\n{\"index\":0}", expected_output: "x" }
]
const jsonl = (cases: ReadonlyArray<unknown>) => cases.map((c) => JSON.stringify(c)).join("\n") + "\n"
/** The report's cases and unfinished cases, as written (the summary's duration differs between writers). */
const casesPart = (text: string) => text.slice(text.indexOf('  "cases": ['))

describe("a rerun on an unchanged dataset", () => {
  it("writes --out byte for byte as the parsed read-back does; an edit keeping size and mtime is still checked", async () => {
    const dir = fixtureDir({ "cases.jsonl": jsonl(CASES) })
    const file = join(dir, "cases.jsonl")
    for (const out of ["first.json", "second.json"]) {
      expect((await assay(["run", "cases.jsonl", ...ARGS, "--out", out], { cwd: dir })).code).toBe(1)
      // `runs show` writes the same run's report from its parsed results.
      expect((await assay(["runs", "show", "latest", "--out", `shown-${out}`], { cwd: dir })).code).toBe(0)
      const [spliced, parsed] = [out, `shown-${out}`].map((f) => readFileSync(join(dir, f), "utf8"))
      expect(casesPart(spliced!)).toBe(casesPart(parsed!))
      const inputs = JSON.parse(spliced!).cases.map((c: { testCase: { input: string } }) => c.testCase.input)
      expect(inputs).toEqual(CASES.map((c) => c.input))
    }

    // Same length, same modification time, one field now of the wrong type.
    const before = statSync(file)
    const edited = readFileSync(file, "utf8").replace('"input":"q"', '"input":1  ')
    expect(Buffer.byteLength(edited)).toBe(before.size)
    writeFileSync(file, edited)
    utimesSync(file, before.atime, before.mtime)
    const bad = await assay(["run", "cases.jsonl", ...ARGS, "--out", "third.json"], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/cases\.jsonl:1: input: Expected string/)
  }, 120_000)

  it("still warns about bytes that are not UTF-8 on every run", async () => {
    const dir = fixtureDir()
    writeFileSync(join(dir, "cases.jsonl"), Buffer.concat([Buffer.from(jsonl(CASES.slice(0, 1))), Buffer.from([0x7b, 0x22, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a])]))
    for (const _ of [1, 2]) {
      const run = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--no-progress", "--skip-on-missing-params"], { cwd: dir })
      expect(run.stderr).toContain("not valid UTF-8")
    }
  }, 120_000)

  it("checks again when the checks change: a metric needing an output the cases lack", async () => {
    const dir = fixtureDir({ "cases.jsonl": jsonl([{ input: "q", expected_output: "a" }]) })
    const skipped = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--no-progress", "--skip-on-missing-params"], { cwd: dir })
    expect(skipped.code).not.toBe(2)
    const refused = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--no-progress"], { cwd: dir })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/cases\.jsonl:1: actual_output: is missing/)
  }, 120_000)
})
