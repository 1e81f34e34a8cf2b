/**
 * `--jsonl` after crashes: a run is killed with SIGKILL part-way, resumed, killed again and resumed to the end;
 * in between, the file is damaged the two ways a crash damages it — the cases committed to the run store but
 * not yet written to the file are missing (the last lines are cut), and a write stopped half-way left a torn
 * last line. At the end every case is in the file exactly once and every line is a whole CaseResult. Runs are
 * slowed by `--throttle` (one case at a time) and killed once the file has enough lines: nothing depends on
 * speed.
 */
import { CaseResult } from "@assay/core"
import { Schema } from "effect"
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, requireBuild, ROOT } from "./harness.js"

beforeAll(requireBuild)

const DATASET = join(ROOT, "examples/qa.jsonl")
const CONFIG = join(ROOT, "examples/assay.config.json")
const TOTAL = 36

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : [])

/** Run `args`, sending SIGKILL once `file` has at least `atLeast` lines. */
const killWhenLines = async (args: ReadonlyArray<string>, dir: string, file: string, atLeast: number) => {
  const r = await assay(args, {
    cwd: dir,
    onSpawn: (child) => {
      const poll = setInterval(() => {
        if (lines(file).length >= atLeast) child.kill("SIGKILL")
      }, 10)
      child.on("close", () => clearInterval(poll))
    }
  })
  expect(r.signal).toBe("SIGKILL")
}

/** What a crash between the store's commit and the file's write leaves: the last `n` lines missing. */
const dropLastLines = (file: string, n: number) => {
  const kept = lines(file).slice(0, -n)
  writeFileSync(file, kept.map((l) => `${l}\n`).join(""))
}

describe("--jsonl across kills and resumes", () => {
  it("holds every case exactly once, whole lines only", async () => {
    const dir = fixtureDir()
    const file = join(dir, "cases.jsonl")
    await killWhenLines(
      ["run", DATASET, "--config", CONFIG, "--no-cache", "--throttle", "100ms", "--concurrency", "1", "--no-progress", "--jsonl", "cases.jsonl"],
      dir, file, 8)
    dropLastLines(file, 3)
    appendFileSync(file, '{"index":30,"name":"torn","succ') // a write cut short

    await killWhenLines(["resume", "latest", "--no-progress", "--jsonl", "cases.jsonl"], dir, file, 20)
    appendFileSync(file, '{"index":3') // torn again

    const last = await assay(["resume", "latest", "--no-progress", "--jsonl", "cases.jsonl"], { cwd: dir })
    expect(last.code).toBe(0) // the example's minPassRate
    expect(last.stderr).toContain("removed a torn last line")

    const text = readFileSync(file, "utf8")
    expect(text.endsWith("\n")).toBe(true)
    const decoded = lines(file).map((l) => Schema.decodeUnknownSync(CaseResult)(JSON.parse(l)))
    const indexes = decoded.map((c) => c.index).sort((a, b) => a - b)
    expect(indexes).toEqual(Array.from({ length: TOTAL }, (_, i) => i))
  })
})
