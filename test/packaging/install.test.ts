/**
 * The library packages as a user's project installs them: `npm pack` the workspaces, install the tarballs beside
 * `effect@3` into a fresh temporary project, and run a small program against them. Needs the npm registry (the
 * packages' Effect peers are installed from it) and `npm run build` (the tarballs ship `dist/`).
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import { requireBuild, ROOT } from "../cli/harness.js"

const run = promisify(execFile)

/** Runs a command; resolves with its exit code and output instead of throwing on a non-zero exit. */
const sh = (file: string, args: ReadonlyArray<string>, cwd: string) =>
  run(file, [...args], { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false" } })
    .then(({ stderr, stdout }) => ({ code: 0, stderr, stdout }))
    .catch((e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, stderr: e.stderr ?? "", stdout: e.stdout ?? "" }))

const project = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `assay-user-${name}-`))
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `user-${name}`, private: true, type: "module" }))
  return dir
}

const PROGRAM = `
import { Effect } from "effect"
import { NodeContext } from "@effect/platform-node"
import { Eval, evaluate, exactMatch, jsonSchema, LLMTestCase, runEval } from "@assay/core"
import { parseJudgeSpec } from "@assay/judge"
const cases = [
  LLMTestCase.make({ input: "Capital of France?", actualOutput: "Paris", expectedOutput: "Paris" }),
  LLMTestCase.make({ input: "2 + 2?", actualOutput: "5", expectedOutput: "4" })
]
const spec = parseJudgeSpec("openai-compatible:llama3.1")
const result = await Effect.runPromise(evaluate(cases, [exactMatch()]))
// A recursive schema validates in the package's worker thread; the idle worker must not keep the process alive.
const tree = jsonSchema({ schema: { definitions: { t: { type: "array", items: { $ref: "#/definitions/t" } } }, $ref: "#/definitions/t" } })
const worker = await Effect.runPromise(tree.measure(LLMTestCase.make({ input: "q", actualOutput: "[[], [[]], 1]" })))
// Dataset paths are read by core's own loaders, with the FileSystem of NodeContext.layer.
const fromFile = (data) => Effect.runPromise(runEval(Eval.make({ name: data, data, metrics: [exactMatch()] })).pipe(
  Effect.map((run) => run.summary.passed + "/" + run.summary.total),
  Effect.provide(NodeContext.layer)))
const files = { jsonl: await fromFile("cases.jsonl"), csv: await fromFile("cases.csv") }
console.log(JSON.stringify({ passed: result.summary.passed, failed: result.summary.failed, judge: spec._tag, worker: worker.reason, files }))
`

const CASES_JSONL = '{"input":"France","actual_output":"Paris","expected_output":"Paris"}\n{"input":"Spain","actual_output":"Rome","expected_output":"Madrid"}\n'
const CASES_CSV = "input,actual_output,expected_output\nFrance,Paris,Paris\nPeru,Lima,Lima\n"

const EVAL_TEST = `
import { Eval, exactMatch } from "@assay/core"
import { evalTest } from "@assay/vitest"
const ask = (name, input, actualOutput, expectedOutput) => ({ name, input, actualOutput, expectedOutput })
evalTest("right", Eval.make({ name: "right", data: [ask("paris", "Capital of France?", "Paris", "Paris")], metrics: [exactMatch()] }))
evalTest("wrong", Eval.make({
  name: "capitals",
  data: [ask("paris", "Capital of France?", "Paris", "Paris"), ask("canberra", "Capital of Australia?", "Sydney", "Canberra")],
  metrics: [exactMatch()]
}), { timeout: "1 minute" })
`

describe("the packages installed by a user's project", () => {
  let tarballs: Record<string, string> = {}

  beforeAll(async () => {
    requireBuild()
    const dest = mkdtempSync(join(tmpdir(), "assay-pack-"))
    const packed = await sh("npm", ["pack", "--pack-destination", dest, "-w", "packages/core", "-w", "packages/judge", "-w", "packages/store", "-w", "packages/vitest"], ROOT)
    expect(packed.code, packed.stderr).toBe(0)
    tarballs = Object.fromEntries(readdirSync(dest).map((f) => [f.replace(/-0\.\d+\.\d+\.tgz$/, ""), join(dest, f)]))
  }, 120_000)

  it("ship their compiled modules and type declarations, not their tests", async () => {
    for (const name of ["assay-core", "assay-judge", "assay-store", "assay-vitest"]) {
      const listing = await sh("tar", ["tzf", tarballs[name]!], ROOT)
      const files = listing.stdout.split("\n")
      expect(files).toContain("package/dist/index.js")
      expect(files).toContain("package/dist/index.d.ts")
      if (name === "assay-core") expect(files).toContain("package/dist/metrics/json-worker.js")
      expect(files.filter((f) => f.startsWith("package/test/"))).toEqual([])
    }
  })

  it("install beside effect@3 with one copy of effect, and run a program", async () => {
    const dir = project("ok")
    const installed = await sh("npm", ["install", tarballs["assay-core"]!, tarballs["assay-judge"]!, "effect@3"], dir)
    expect(installed.code, installed.stderr).toBe(0)
    const copies = await sh("npm", ["ls", "effect", "--all", "--parseable"], dir)
    expect(new Set(copies.stdout.trim().split("\n")).size).toBe(1)
    writeFileSync(join(dir, "program.mjs"), PROGRAM)
    writeFileSync(join(dir, "cases.jsonl"), CASES_JSONL)
    writeFileSync(join(dir, "cases.csv"), CASES_CSV)
    const ran = await sh(process.execPath, ["program.mjs"], dir)
    expect(ran.code, ran.stderr).toBe(0)
    expect(JSON.parse(ran.stdout)).toEqual({
      passed: 1, failed: 1, judge: "Right", worker: `1 schema violation: "/2": must be array`, files: { jsonl: "1/2", csv: "2/2" }
    })
  }, 300_000)

  it("@assay/vitest installs beside vitest and @effect/vitest, and its evalTest fails with the table", async () => {
    const dir = project("vitest")
    const installed = await sh("npm", ["install", tarballs["assay-core"]!, tarballs["assay-vitest"]!, "effect@3", "vitest@3", "@effect/vitest@0.30"], dir)
    expect(installed.code, installed.stderr).toBe(0)
    const copies = await sh("npm", ["ls", "effect", "--all", "--parseable"], dir)
    expect(new Set(copies.stdout.trim().split("\n")).size).toBe(1)
    writeFileSync(join(dir, "capitals.test.mjs"), EVAL_TEST)
    const ran = await sh(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--no-color", "--reporter", "verbose"], dir)
    const output = ran.stdout + ran.stderr
    expect(ran.code, output).toBe(1)
    expect(output).toContain("✓ capitals.test.mjs > right")
    expect(output).toContain('eval "capitals": 1 of 2 cases failed')
    expect(output).toMatch(/Tests\s+1 failed \| 1 passed/)
    expect(output).toMatch(/#1 canberra\s+│ Capital of Australia\?\s+│ Canberra\s+│ Sydney\s+│ exact-match/)
  }, 300_000)

  it("are refused by npm's peer check beside effect 4, before anything runs", async () => {
    const dir = project("mismatch")
    const refused = await sh("npm", ["install", "--dry-run", tarballs["assay-core"]!, "effect@4"], dir)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain("ERESOLVE")
    expect(refused.stderr).toContain("effect")
  }, 120_000)
})
