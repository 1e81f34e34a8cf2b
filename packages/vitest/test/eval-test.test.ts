/**
 * `evalTest` as users run it: a child vitest process runs a fixture file with two passing evals (one reading
 * a dataset file) and one failing eval (a task backed by a Layer-provided service); the failing test's
 * output is the failure table.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const run = promisify(execFile)
const FIXTURES = join(import.meta.dirname, "fixtures")
const VITEST = join(import.meta.dirname, "../../../node_modules/vitest/vitest.mjs")

describe("evalTest in a vitest run", () => {
  it("passes a passing eval and fails a failing one with the table of its failing cases", async () => {
    const child = await run(process.execPath, [VITEST, "run", "--config", join(FIXTURES, "vitest.config.ts"), "--reporter", "verbose", "--no-color"], {
      cwd: FIXTURES,
      env: { ...process.env, NO_COLOR: "1", CI: "1" }
    }).then(({ stderr, stdout }) => ({ code: 0, output: stdout + stderr }))
      .catch((e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, output: (e.stdout ?? "") + (e.stderr ?? "") }))
    expect(child.code, child.output).toBe(1)
    expect(child.output).toMatch(/✓ capitals\.eval\.ts > capitals the atlas knows/)
    expect(child.output).toMatch(/× capitals\.eval\.ts > capitals including a trap/)
    expect(child.output).toContain('eval "tricky capitals": 1 of 3 cases failed — pass rate 66.7%, required 90.0%')
    const row = child.output.split("\n").find((l) => l.includes("#1 australia"))
    expect(row).toBeDefined()
    expect(row!.split("│").map((c) => c.trim())).toEqual(["#1 australia", "Australia", "Canberra", "Sydney", "exact-match", "0.000", "1.000", expect.stringContaining("Sydney")])
    expect(child.output).not.toContain("#0 france")
    expect(child.output).toMatch(/✓ capitals\.eval\.ts > capitals from a dataset file/)
    expect(child.output).toMatch(/Tests\s+1 failed \| 2 passed/)
  }, 120_000)
})
