/**
 * Metric errors end to end: fail-fast (exit 3), `--ignore-errors` (errored cases, exit 1),
 * `--skip-on-missing-params` (skipped), `--max-errors` budgets (exit 3 beyond it), `--deadline`, and a defect
 * (a bug) reaching the entry point: one line, exit 3.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, qaJsonl, requireBuild, ROOT } from "./harness.js"

beforeAll(requireBuild)

// exact-match needs expectedOutput and scores single-turn cases: cases 1 and 2 cannot be scored
const CASES = [
  { name: "ok", input: "a", actual_output: "a", expected_output: "a" },
  { name: "conversation", turns: [{ role: "user", content: "hi" }] },
  { name: "no-expected", input: "b", actual_output: "b" },
  { name: "ok-2", input: "c", actual_output: "c", expected_output: "c" }
].map((c) => JSON.stringify(c)).join("\n")

const run = async (extra: ReadonlyArray<string>) => {
  const dir = fixtureDir({ "cases.jsonl": CASES })
  const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--concurrency", "1", "--out", "out.json", ...extra], { cwd: dir })
  const out = existsSync(join(dir, "out.json")) ? Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "out.json"), "utf8"))) : undefined
  return { ...r, out }
}

describe("metric errors", () => {
  it("fail fast by default: exit 3 naming the metric and case, and how to go on", async () => {
    const r = await run([])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/assay: metric exact-match failed on case #1 \(conversation\)/)
    const id = /run (\S+) stopped with \d+ of 4 cases finished: a run stops at its first error unless --ignore-errors/.exec(r.stderr)?.[1]
    expect(id, r.stderr).toBeDefined()
    expect(r.stderr).toContain(`continue it with: assay resume ${id}`)
  })

  it("--ignore-errors records errored cases: exit 1", async () => {
    const r = await run(["--ignore-errors"])
    expect(r.code).toBe(1)
    expect(r.out?.summary).toMatchObject({ passed: 2, errored: 2, failed: 0 })
    expect(r.stdout).toMatch(/ERROR\s+conversation/)
  })

  it("--skip-on-missing-params skips what cannot be scored: exit 0", async () => {
    const r = await run(["--skip-on-missing-params"])
    expect(r.code).toBe(0)
    expect(r.out?.summary).toMatchObject({ passed: 2, skipped: 2, errored: 0 })
  })

  it("--max-errors: within the budget the run completes, beyond it exit 3", async () => {
    expect((await run(["--max-errors", "2"])).code).toBe(1)
    const over = await run(["--max-errors", "1"])
    expect(over.code).toBe(3)
    expect(over.stderr).toContain("2 cases errored, more than the budget of 1")
    expect((await run(["--max-errors", "50%"])).code).toBe(1)
  })
})

describe("--deadline", () => {
  it("keeps finished results, lists the rest as unfinished and says how to continue", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay(
      ["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--concurrency", "1", "--throttle", "1s", "--deadline", "2500ms", "--out", "out.json"],
      { cwd: dir }
    )
    expect(r.code).toBe(1)
    const out = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")))
    expect(out.status).toBe("deadline")
    expect(out.cases.length).toBeGreaterThan(0)
    expect(out.cases.length + out.unfinished.length).toBe(10)
    expect(out.unfinished.length).toBeGreaterThan(0)
    expect(r.stderr).toContain(`Continue with: assay resume ${out.runId}`)
  }, 120_000)
})

describe("a defect", () => {
  const file = join(ROOT, "test/cli/fixtures/evals/defect/defect.eval.ts")
  const key = "sk-defect-test-0123456789"

  it("prints one line without a stack or a secret and exits 3; ASSAY_DEBUG=1 adds the stack, still redacted", async () => {
    const dir = fixtureDir()
    const r = await assay(["run", file, "--no-cache"], { cwd: dir, env: { ASSAY_JUDGE_API_KEY: key } })
    expect(r.code).toBe(3)
    expect(r.stderr.trim()).toBe("assay: internal error: the layer broke (key <redacted>) — please report it (run with ASSAY_DEBUG=1 for the stack)")
    const debug = await assay(["run", file, "--no-cache"], { cwd: dir, env: { ASSAY_JUDGE_API_KEY: key, ASSAY_DEBUG: "1" } })
    expect(debug.code).toBe(3)
    expect(debug.stderr).toContain("assay: internal error: the layer broke")
    expect(debug.stderr).toMatch(/\n\s+at /)
    expect(debug.stderr).not.toContain(key)
  })
})
