/**
 * The CLI with the DAG, agent, conversational and image metrics: `assay metrics` lists every metric with its
 * fields and whether it needs a judge; a DAG tree in a YAML config is checked before any call (the error names
 * the node); the metrics run from a config file and from `--metric` against the fake server's judge scripts.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fakeLog, fixtureDir, requireBuild, startFake } from "./harness.js"

let judge: FakeServer
beforeAll(async () => {
  requireBuild()
  judge = await startFake(["--judge-scripts"])
})
afterAll(() => judge?.stop())

const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

const DAG_CONFIG = `metrics:
  - metric: dag
    name: answer-tone
    root:
      type: binary
      id: on-topic
      criteria: Does the actual output answer the question?
      yes:
        type: choice
        id: tone
        criteria: What is the tone of the actual output?
        options:
          - { verdict: formal, then: { type: verdict, score: 1 } }
          - { verdict: casual, then: { type: verdict, score: 0.5 } }
      no: { type: verdict, score: 0 }
  - metric: prompt-alignment
    instructions: [Answer in one sentence, Never FAIL]
judge: openai:gpt-4o-mini
`

const CASES = [
  { name: "formal", input: "Capital of France?", actual_output: "The capital is Paris, formal answer." },
  { name: "casual", input: "Capital of Italy?", actual_output: "casual: rome lol" },
  { name: "off", input: "Capital of Spain?", actual_output: "FAIL" }
].map((c) => JSON.stringify(c)).join("\n")

const readRun = (dir: string, file: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, file), "utf8")))

describe("assay metrics", () => {
  it("lists every metric with the fields it needs and whether it needs a judge", async () => {
    const r = await assay(["metrics"])
    expect(r.code).toBe(0)
    for (const id of ["dag", "prompt-alignment", "argument-correctness", "tool-use", "turn-relevancy", "conversational-g-eval", "json-correctness-judge", "image-coherence", "image-helpfulness", "text-to-image"]) {
      expect(r.stdout).toMatch(new RegExp(`^${id} \\(needs --judge\\)$`, "m"))
    }
    expect(r.stdout).toMatch(/^exact-match\n.*\n {2}needs: actualOutput, expectedOutput; judge: no$/m)
    expect(r.stdout).toMatch(/^argument-correctness \(needs --judge\)\n.*\n {2}needs: input, toolsCalled; judge: yes$/m)
    expect(r.stdout).toMatch(/^turn-relevancy \(needs --judge\)\n.*\n {2}needs: turns \(conversational cases\); judge: yes$/m)
    expect(r.stdout).toMatch(/^text-to-image \(needs --judge\)\n.*\n {2}needs: input, actualOutput; judge: yes$/m)
    expect(r.stdout).not.toContain("see parameters")
  })
})

describe("new judge metrics from the CLI", () => {
  it("a DAG in a YAML config scores each case by the leaf it reaches", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": DAG_CONFIG })
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--no-cache", "--out", "out.json"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: "sk-test" }
    })
    expect(r.stderr).not.toContain("assay:")
    const run = readRun(dir, "out.json")
    expect(run.cases.map((c) => c.metrics.find((m) => m.name === "answer-tone")?.score)).toEqual([1, 0.5, 0])
    expect(run.cases.map((c) => c.metrics.find((m) => m.name === "prompt-alignment")?.score)).toEqual([0.5, 0.5, 0.5])
    expect(run.cases[1]!.metrics[0]!.reason).toContain("\"tone\" (root.yes): \"casual\"")
  })

  it("a bad DAG tree exits 2 naming the node, before any judge call", async () => {
    const before = (await fakeLog(judge)).length
    const bad = DAG_CONFIG.replace("- { verdict: casual, then: { type: verdict, score: 0.5 } }", "- { verdict: formal, then: { type: verdict, score: 1.5 } }")
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": bad })
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--no-cache"], { cwd: dir, env: { OPENAI_BASE_URL: judge.baseUrl } })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("metric dag: root.yes.options.1.then.score: Expected a number between 0 and 1, actual 1.5")
    const dup = DAG_CONFIG.replace("verdict: casual", "verdict: formal")
    const dir2 = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": dup })
    const r2 = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--no-cache"], { cwd: dir2, env: { OPENAI_BASE_URL: judge.baseUrl } })
    expect(r2.code).toBe(2)
    expect(r2.stderr).toContain("root.yes.options.1.verdict: node \"tone\" (root.yes): the verdict \"formal\" is listed twice")
    expect((await fakeLog(judge)).length).toBe(before)
    expect(r.stderr + r2.stderr).not.toMatch(/\bat .*\.js:\d+/) // no stack trace
  })

  it("--metric runs argument-correctness, turn-relevancy and text-to-image; images reach the judge", async () => {
    const cases = [
      { name: "agent", input: "Weather in Paris?", actual_output: "Sunny", tools_called: [{ name: "weather", input_parameters: { city: "Paris" } }, { name: "weather", input_parameters: { city: "FAIL" } }] },
      { name: "picture", input: "A red bicycle", actual_output: [{ type: "image", base64: PNG_BASE64 }] },
      { name: "chat", turns: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] }
    ].map((c) => JSON.stringify(c)).join("\n")
    const dir = fixtureDir({ "cases.jsonl": cases })
    const r = await assay(
      ["run", "cases.jsonl", "--judge", "openai:gpt-4o-mini", "--metric", "argument-correctness", "--metric", "turn-relevancy", "--metric", "text-to-image", "--skip-on-missing-params", "--ignore-errors", "--no-cache", "--out", "out.json"],
      { cwd: dir, env: { OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: "sk-test" } }
    )
    expect(r.stderr).not.toContain("assay:")
    const run = readRun(dir, "out.json")
    const score = (name: string, metric: string) => run.cases.find((c) => c.name === name)?.metrics.find((m) => m.name === metric)
    expect(score("agent", "argument-correctness")?.score).toBe(0.5)
    expect(score("picture", "text-to-image")?.score).toBeCloseTo(0.6)
    expect(score("chat", "turn-relevancy")?.score).toBe(1)
    expect(score("chat", "argument-correctness")?.skipped).toBe(true)
    expect(score("agent", "text-to-image")?.error).toContain("the actual output has no image part to judge")
    const log = (await fakeLog(judge)) as ReadonlyArray<{ readonly images?: ReadonlyArray<unknown> }>
    expect(log.some((e) => JSON.stringify(e.images) === JSON.stringify([{ mediaType: "image/png", bytes: 70 }]))).toBe(true)
  })
  it("a model target receives the image parts of a multimodal input; a bad image is that case's error", async () => {
    const cases = [
      { name: "seen", input: [{ type: "text", text: "What is in this picture?" }, { type: "image", base64: PNG_BASE64 }] },
      { name: "not-an-image", input: [{ type: "text", text: "And this?" }, { type: "image", base64: Buffer.from("plain text").toString("base64") }] }
    ].map((c) => JSON.stringify(c)).join("\n")
    const dir = fixtureDir({ "cases.jsonl": cases })
    const before = (await fakeLog(judge)).length
    const r = await assay(
      ["run", "cases.jsonl", "--target", "openai:gpt-4o-mini", "--metric", "exact-match", "--skip-on-missing-params", "--ignore-errors", "--no-cache", "--out", "out.json"],
      { cwd: dir, env: { OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: "sk-test" } }
    )
    const run = readRun(dir, "out.json") as unknown as { cases: ReadonlyArray<{ name?: string; error?: string; testCase?: { actualOutput?: unknown } }> }
    const seen = run.cases.find((c) => c.name === "seen")
    expect(typeof seen?.testCase?.actualOutput).toBe("string")
    expect(JSON.stringify(run.cases.find((c) => c.name === "not-an-image"))).toContain("is not an image (PNG, JPEG, GIF or WebP)")
    const log = ((await fakeLog(judge)) as ReadonlyArray<{ readonly images?: ReadonlyArray<unknown> }>).slice(before)
    expect(log.length).toBe(1) // the bad image is refused before any request
    expect(log[0]!.images).toEqual([{ mediaType: "image/png", bytes: 70 }])
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })
})
