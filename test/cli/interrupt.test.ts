/**
 * Ctrl-C end to end: a throttled run (one case at a time, 150 ms apart) gets SIGINT once progress shows it is
 * under way; it must exit 130, keep every finished case in the store and in the partial `--out` and
 * `--jsonl`, and print the resume command; `assay resume` then completes the run with results equal to an
 * uninterrupted run's. Nothing here depends on speed: the signal is sent after a progress line appears, and
 * the assertions are about what was written.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, requireBuild, ROOT, whenStderr } from "./harness.js"

beforeAll(requireBuild)

const DATASET = join(ROOT, "examples/qa.jsonl")
const CONFIG = join(ROOT, "examples/assay.config.json")

/** Run the example slowly and send SIGINT once the first progress line shows. */
export const interruptedRun = async (dir: string, extra: ReadonlyArray<string> = []) => {
  const signal = whenStderr("progress ", (child) => child.kill("SIGINT"))
  const r = await assay(
    ["run", DATASET, "--config", CONFIG, "--throttle", "150ms", "--concurrency", "1", "--out", "out.json", "--jsonl", "out.jsonl", ...extra],
    { cwd: dir, onSpawn: signal.onSpawn }
  )
  expect(signal.fired()).toBe(true)
  return r
}

describe("Ctrl-C", () => {
  it("exits 130 with partial reports and the resume command", async () => {
    const dir = fixtureDir()
    const r = await interruptedRun(dir)
    expect(r.code).toBe(130)
    const out = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")))
    const total = readFileSync(DATASET, "utf8").trim().split("\n").length
    expect(out.status).toBe("cancelled")
    expect(out.cases.length).toBeGreaterThanOrEqual(4) // the first progress line comes after 10 % of the cases
    expect(out.cases.length).toBeLessThan(total)
    expect(out.cases.length + out.unfinished.length).toBe(total)
    expect(out.summary.total).toBe(out.cases.length)
    const jsonl = readFileSync(join(dir, "out.jsonl"), "utf8").trim().split("\n")
    expect(jsonl).toHaveLength(out.cases.length)
    expect(r.stderr).toContain(`Resume with: assay resume ${out.runId}`)

    const list = await assay(["runs", "list"], { cwd: dir })
    expect(list.stdout).toMatch(new RegExp(`^${out.runId} .* cancelled +${out.cases.length}/${total} `, "m"))

    const resumed = await assay(["resume", out.runId!, "--out", "full.json"], { cwd: dir })
    expect(resumed.code).toBe(0) // the example's minPassRate
    const full = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "full.json"), "utf8")))
    const reference = await assay(["run", DATASET, "--config", CONFIG, "--no-cache", "--out", "ref.json"], { cwd: dir })
    expect(reference.code).toBe(0)
    const ref = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "ref.json"), "utf8")))
    const comparable = (result: RunResult) =>
      result.cases.map((c) => ({ index: c.index, name: c.name, success: c.success, metrics: c.metrics.map((m) => [m.name, m.score, m.success, m.reason]) }))
    expect(full.runId).toBe(out.runId)
    expect(full.status).toBe("completed")
    expect(full.unfinished).toEqual([])
    expect(comparable(full)).toEqual(comparable(ref))
    expect({ ...full.summary, durationMs: 0, metrics: [] }).toEqual({ ...ref.summary, durationMs: 0, metrics: [] })
    // the resumed part did not re-evaluate the cases that finished before the interruption
    const resumedIndices = new Set(readFileSync(join(dir, "out.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).index))
    expect(resumed.stderr).toMatch(new RegExp(`progress ${total - resumedIndices.size}/${total - resumedIndices.size} `))
  }, 180_000)

  it("resume refuses a run whose dataset changed", async () => {
    const dir = fixtureDir({ "cases.jsonl": readFileSync(DATASET, "utf8") })
    const first = await assay(["run", "cases.jsonl", "--config", CONFIG, "--out", "out.json"], { cwd: dir })
    expect(first.code).toBe(0)
    const runId = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")).runId as string
    await import("node:fs").then((fs) => fs.appendFileSync(join(dir, "cases.jsonl"), '{"input":"new","actual_output":"a","expected_output":"a"}\n'))
    const r = await assay(["resume", runId], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`cannot resume run ${runId}: the dataset changed`)
  }, 120_000)
})
