/**
 * A failure stays on its case: the CLI against fake servers that refuse some target inputs, rate-limit hard, or
 * answer the judge with unusable JSON. A failing target call is an error on its case under the run's error
 * policy; 429s are waited out rather than failing calls; an unusable judge reply is never replayed from the cache.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fixtureDir, qaJsonl, requireBuild, startFake } from "./harness.js"

const servers: Array<FakeServer> = []
const start = async (args: ReadonlyArray<string>) => {
  const server = await startFake(args)
  servers.push(server)
  return server
}
beforeAll(requireBuild)
afterAll(() => servers.forEach((s) => s.stop()))

const readResult = (dir: string, file: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, file), "utf8")))
const lastProgress = (stderr: string) => stderr.trim().split("\n").filter((l) => l.startsWith("progress ")).at(-1) ?? ""

const GEVAL_CONFIG = [
  "metrics:",
  "  - metric: g-eval",
  "    name: correctness",
  "    evaluationSteps: [\"Check that the answer is factually correct\"]",
  "    threshold: 0.7",
  "judge: openai:gpt-4o-mini"
].join("\n")

describe("schema-invalid judge replies", () => {
  it("are not cached: a rerun against a healthy judge asks again and scores", async () => {
    const [broken, healthy] = await Promise.all([
      start(["--reply", "I think the answer is fine."]),
      start(["--reply", '{"score": 8, "reason": "right city"}'])
    ])
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": GEVAL_CONFIG })
    const run = (baseUrl: string, out: string) =>
      assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--ignore-errors", "--out", out], {
        cwd: dir,
        env: { OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: "sk-test" }
      })
    const first = await run(broken.baseUrl, "a.json")
    expect(first.code).toBe(1)
    const a = readResult(dir, "a.json")
    expect(a.summary.errored).toBe(10)
    expect(a.cases[0]!.metrics[0]!.error).toContain("judge reply unusable")
    // 10 cases × (the question + 2 repairs), all answered with prose
    expect(lastProgress(first.stderr)).toContain("judge 30 calls")

    const second = await run(healthy.baseUrl, "b.json")
    expect(second.stderr).not.toContain("assay:")
    expect(second.code).toBe(0)
    expect(lastProgress(second.stderr)).toContain("judge 10 calls") // asked again, not replayed
    const b = readResult(dir, "b.json")
    expect(b.summary).toMatchObject({ passed: 10, errored: 0 })
    expect(b.cases.every((c) => c.metrics[0]!.score === 0.8 && !c.metrics[0]!.cached)).toBe(true)
  })
})
