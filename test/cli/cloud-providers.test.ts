/**
 * The built CLI with `--judge gemini:…` and `--judge bedrock:…` (and as `--target`) against the fake server's
 * Gemini and Bedrock routes: scores, cost, the requests the server saw, and a rejected key that the server
 * echoes back (exit 2, the key nowhere in the output).
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fakeLog, fixtureDir, qaJsonl, requireBuild, startFake } from "./harness.js"

const GEMINI_KEY = "AIzaSy-cli-GEMINI-KEY-0123456789"
const AWS_ID = "AKIACLITESTKEYID0001"
const AWS_SECRET = "cli/SECRET/access/KEY/0123456789abcdef"

let gemini: FakeServer
let bedrock: FakeServer
beforeAll(async () => {
  requireBuild()
  const reply = '{"score": 8, "reason": "the answer names the right city"}'
  gemini = await startFake(["--reply", reply, "--api-key", GEMINI_KEY, "--echo-credentials"])
  bedrock = await startFake(["--reply", reply, "--api-key", AWS_ID, "--echo-credentials"])
})
afterAll(() => {
  gemini?.stop()
  bedrock?.stop()
})

const root = (server: FakeServer) => server.baseUrl.replace(/\/v1$/, "")

const CONFIG = [
  "metrics:",
  "  - metric: g-eval",
  "    name: correctness",
  "    evaluationSteps: [\"Check that the answer is factually correct\"]",
  "    threshold: 0.7"
].join("\n")

const cases = [
  {
    judge: "gemini:gemini-2.0-flash",
    server: () => gemini,
    env: (key: string) => ({ GEMINI_BASE_URL: `${root(gemini)}/v1beta`, GEMINI_API_KEY: key }),
    path: "/v1beta/models/gemini-2.0-flash:generateContent",
    secrets: [GEMINI_KEY]
  },
  {
    judge: "bedrock:anthropic.claude-3-haiku-20240307-v1:0",
    server: () => bedrock,
    env: (id: string) => ({
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: root(bedrock),
      AWS_ACCESS_KEY_ID: id,
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      AWS_REGION: "us-east-1"
    }),
    path: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    secrets: [AWS_ID, AWS_SECRET]
  }
] as const

describe.each(cases)("--judge $judge", ({ env, judge, path, secrets, server }) => {
  it("scores through the provider with cost and tokens", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": CONFIG })
    const key = secrets[0]
    const result = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--judge", judge, "--out", "r.json"], { cwd: dir, env: env(key) })
    expect(result.stderr).not.toContain("assay:")
    expect(result.code).toBe(0)
    const run = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "r.json"), "utf8")))
    expect(run.summary.metrics.find((m) => m.name === "correctness")).toMatchObject({ count: 10, passed: 10, errored: 0 })
    expect(run.summary.metrics[0]?.mean).toBeCloseTo(0.8)
    expect(run.summary.cost).toBeGreaterThan(0)
    expect(run.summary.tokens.input).toBeGreaterThan(0)
    const log = await fakeLog(server())
    expect(log.filter((e) => e.path === path).length).toBeGreaterThanOrEqual(10)
  })

  it("a rejected key that the server echoes: exit 2 naming the provider, no secret in the output", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": CONFIG })
    const wrong = judge.startsWith("gemini") ? "AIzaSy-WRONG-gemini-key-000" : "AKIAWRONGKEYID000000"
    const result = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--judge", judge, "--no-cache"], { cwd: dir, env: env(wrong) })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("rejected the API key")
    expect(result.stderr).toContain("<redacted>")
    for (const secret of [wrong, ...secrets]) {
      expect(result.stderr).not.toContain(secret)
      expect(result.stdout).not.toContain(secret)
    }
  })
})

describe("--target gemini: / bedrock:", () => {
  it.each(cases)("$judge fills actualOutput", async ({ env, judge, secrets }) => {
    const dir = fixtureDir({ "cases.jsonl": '{"input":"Capital of France?","expected_output":"x"}\n' })
    const result = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", judge, "--out", "r.json"], { cwd: dir, env: env(secrets[0]) })
    expect(result.stderr).not.toContain("assay:")
    const run = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as { cases: Array<{ testCase: { actualOutput?: string } }>; summary: { cost: number } }
    expect(run.cases[0]!.testCase.actualOutput).toContain("the answer names the right city")
    expect(run.summary.cost).toBeGreaterThan(0)
  })
})

describe("--metric semantic-similarity", () => {
  it("scores the cosine of the fake's embeddings, caches them, and names a bad --embedding-model", async () => {
    const { embedding } = await import("@assay/fake-openai")
    const { cosineSimilarity } = await import("@assay/judge")
    const fake = await startFake(["--api-key", "sk-embed-cli-0123456789"])
    try {
      const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
      const env = { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: "sk-embed-cli-0123456789" }
      const args = ["run", "cases.jsonl", "--metric", "semantic-similarity", "--embedding-model", "openai-compatible:nomic-embed-text"]
      const first = await assay([...args, "--out", "a.json"], { cwd: dir, env })
      expect(first.stderr).not.toContain("assay:")
      const a = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "a.json"), "utf8")))
      const scores = a.cases.map((c) => c.metrics[0]!.score)
      const want = [
        ["Paris", "Paris"],
        ["Sydney", "Canberra"]
      ].map(([x, y]) => Math.max(0, cosineSimilarity(embedding(x!, 8), embedding(y!, 8))))
      expect(scores[0]).toBeCloseTo(want[0]!, 9)
      expect(scores[1]).toBeCloseTo(want[1]!, 9)
      expect((await fakeLog(fake)).filter((e) => e.path === "/v1/embeddings").length).toBe(10)

      // A new hyperparameter misses the metric cache, but every vector is in the embedding cache: no request.
      const second = await assay([...args, "--hyperparameter", "again=1", "--out", "b.json"], { cwd: dir, env })
      expect(second.stderr).not.toContain("assay:")
      expect((await fakeLog(fake)).length).toBe(10)
      const b = Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(join(dir, "b.json"), "utf8")))
      expect(b.cases.map((c) => c.metrics[0]!.score)).toEqual(scores)

      const bad = await assay(["run", "cases.jsonl", "--metric", "semantic-similarity", "--embedding-model", "gemini:text-embedding-004"], { cwd: dir, env })
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain("--embedding-model: expected openai:<model> or openai-compatible:<model>")
    } finally {
      fake.stop()
    }
  })
})
