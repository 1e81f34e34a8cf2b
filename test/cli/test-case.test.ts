/**
 * "Keep what the app said", end to end: every report of `assay run` carries each case's test case, in input
 * order even when cases run concurrently; `assay runs show <id>` writes the same reports again from the run
 * store; a streamed `.json` dataset still names the line and field of a bad case far into the file.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, QA_CASES, qaJsonl, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const decodeRun = Schema.decodeUnknownSync(RunResult)
const metrics = ["--metric", "exact-match", "--metric", "levenshtein"]
const reports = (prefix: string) => ["--out", `${prefix}.json`, "--junit", `${prefix}.xml`, "--html", `${prefix}.html`]
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8")
/** A report with its timings blanked (a stored run's duration is measured differently from a live one's). */
const timeless = (text: string) => text.replace(/time="[\d.]+"/g, 'time=""').replace(/"durationMs":\d+/g, '"durationMs":0')
  .replace(/(duration<\/span><b>)[^<]*/g, "$1")

describe("test cases in reports", () => {
  it("--out, --jsonl, --junit and --html show each case's input, expected and actual output, in input order", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay(["run", "cases.jsonl", ...metrics, "--concurrency", "8", "--jsonl", "run.jsonl", ...reports("run")], { cwd: dir })
    expect(r.code, r.stderr).toBe(1)
    const out = decodeRun(JSON.parse(read(dir, "run.json")))
    expect(out.cases.map((c) => c.index)).toEqual(QA_CASES.map((_, i) => i))
    out.cases.forEach((c, i) => {
      const given = QA_CASES[i]!
      expect(c.testCase).toEqual({ name: given.name, input: given.input, actualOutput: given.actual_output, expectedOutput: given.expected_output })
    })
    const lines = read(dir, "run.jsonl").trim().split("\n").map((l) => JSON.parse(l) as { index: number; testCase: unknown })
    expect(lines.map((l) => l.index).sort((a, b) => a - b)).toEqual(out.cases.map((c) => c.index))
    for (const line of lines) expect(line.testCase).toEqual(out.cases[line.index]!.testCase)

    const junit = read(dir, "run.xml")
    const wrong = QA_CASES.find((c) => c.actual_output !== c.expected_output)!
    const systemOut = new RegExp(`<testcase name="${wrong.name}"[\\s\\S]*?<system-out>([\\s\\S]*?)</system-out>`).exec(junit)?.[1] ?? ""
    expect(systemOut).toContain(`input: ${wrong.input}`)
    expect(systemOut).toContain(`expected: ${wrong.expected_output}`)
    expect(systemOut).toContain(`actual: ${wrong.actual_output}`)
    const html = read(dir, "run.html")
    expect(html).toContain(`"actualOutput":"${wrong.actual_output}"`) // the embedded run the viewer renders
    expect(html.indexOf(QA_CASES[0]!.input)).toBeLessThan(html.indexOf(QA_CASES[9]!.input))
  })

  it("runs show <id> --out --junit --html writes the run's reports again from the store", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay(["run", "cases.jsonl", ...metrics, "--concurrency", "4", ...reports("live")], { cwd: dir })
    expect(r.code, r.stderr).toBe(1)
    const runId = decodeRun(JSON.parse(read(dir, "live.json"))).runId!
    const shown = await assay(["runs", "show", runId, ...reports("again")], { cwd: dir })
    expect(shown.code, shown.stderr).toBe(0)
    for (const ext of ["json", "xml", "html"]) expect(timeless(read(dir, `again.${ext}`))).toBe(timeless(read(dir, `live.${ext}`)))
    const list = await assay(["runs", "list"], { cwd: dir })
    expect(list.stdout).toMatch(/PASS RATE/)
    expect(list.stdout).toContain(`${runId}`)
    expect(list.stdout).toMatch(/70\.0%/)
  })

  it("a .json dataset bigger than a read chunk is streamed; a bad case far into it is named by line and field", async () => {
    const good = Array.from({ length: 12_000 }, (_, i) => JSON.stringify({ input: `question ${i} ${"x".repeat(80)}`, actual_output: "a", expected_output: "a" }))
    const bad = JSON.stringify({ input: "q", actual_output: "a", tags: "not-a-list" })
    const text = `{"goldens": [\n${[...good, bad].join(",\n")}\n]}\n`
    const dir = fixtureDir({ "big.json": text })
    const r = await assay(["run", "big.json", "--metric", "exact-match", "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`big\\.json:${good.length + 2}: tags: Expected ReadonlyArray<string>`))
    const ok = fixtureDir({ "big.json": `{"goldens": [\n${good.join(",\n")}\n]}\n` })
    const run = await assay(["run", "big.json", "--metric", "exact-match", "--no-cache", "--out", "out.json"], { cwd: ok })
    expect(run.code, run.stderr).toBe(0)
    expect(decodeRun(JSON.parse(read(ok, "out.json"))).summary.total).toBe(good.length)
  })
})
