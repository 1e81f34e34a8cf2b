/**
 * Ctrl-C end to end: a throttled run (one case at a time, 150 ms apart) gets SIGINT once progress shows it is
 * under way; it must exit 130, keep every finished case in the partial `--out` and `--jsonl`, and print the
 * resume command. Nothing here depends on speed: the signal is sent after a progress line appears, and
 * the assertions are about what was written.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, requireBuild, ROOT } from "./harness.js"

beforeAll(requireBuild)

const DATASET = join(ROOT, "examples/qa.jsonl")
const CONFIG = join(ROOT, "examples/assay.config.json")

/** Run the example slowly and send SIGINT once the first progress line shows. */
export const interruptedRun = async (dir: string, extra: ReadonlyArray<string> = []) => {
  let sent = false
  const r = await assay(
    ["run", DATASET, "--config", CONFIG, "--throttle", "150ms", "--concurrency", "1", "--out", "out.json", "--jsonl", "out.jsonl", ...extra],
    {
      cwd: dir,
      onSpawn: (child, output) => {
        const poll = setInterval(() => {
          if (!sent && output.stderr.includes("progress ")) {
            sent = true
            child.kill("SIGINT")
          }
        }, 20)
        child.on("close", () => clearInterval(poll))
      }
    }
  )
  expect(sent).toBe(true)
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
  }, 120_000)
})
