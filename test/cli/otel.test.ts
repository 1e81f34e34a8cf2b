/**
 * OpenTelemetry export from `assay run`, by the built binary against a tiny OTLP/HTTP receiver on 127.0.0.1
 * that records what it is sent: spans per run, case, metric and judge call with their attributes, and neither
 * a case's text nor the API key anywhere in the export. Without an endpoint nothing is sent.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, type FakeServer, fixtureDir, gevalConfig, qaJsonl, requireBuild, startFake } from "./harness.js"

interface OtlpSpan {
  readonly name: string
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
}

/** The receiver: every POST body kept as text. */
let bodies: Array<{ readonly path: string; readonly text: string }> = []
let receiver: Server
let endpoint: string
let judge: FakeServer

beforeAll(async () => {
  requireBuild()
  judge = await startFake(["--reply", '{"score": 8, "reason": "the answer names the right city"}', "--latency", "5"])
  receiver = createServer((req, res) => {
    let text = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (text += chunk))
    req.on("end", () => {
      bodies.push({ path: req.url ?? "", text })
      res.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
})
afterAll(() => {
  judge?.stop()
  receiver?.close()
})

const spansOf = (texts: ReadonlyArray<string>): Array<OtlpSpan> =>
  texts.flatMap((t) =>
    (JSON.parse(t) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<OtlpSpan> }> }> }).resourceSpans
      .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))

const attr = (span: OtlpSpan, key: string): unknown => {
  const value = span.attributes.find((a) => a.key === key)?.value
  return value === undefined ? undefined : Object.values(value)[0]
}

const SECRET = "sk-otel-test-secret-1234567890"

describe("assay run with OpenTelemetry", () => {
  it("exports run, case, metric and judge spans with their attributes and no text or secret", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), "assay.config.yaml": gevalConfig(["exact-match"]) })
    const env = { OPENAI_BASE_URL: judge.baseUrl, OPENAI_API_KEY: SECRET }
    bodies = []
    const r = await assay(["run", "cases.jsonl", "--config", "assay.config.yaml", "--no-cache", "--otel", endpoint], { cwd: dir, env })
    expect(r.stderr).not.toContain("assay:")
    expect(r.code).toBe(1) // exact-match fails three cases
    expect(bodies.every((b) => b.path === "/v1/traces")).toBe(true)
    const spans = spansOf(bodies.map((b) => b.text))
    const named = (name: string) => spans.filter((s) => s.name === name)
    expect(named("assay.run")).toHaveLength(1)
    expect(attr(named("assay.run")[0]!, "assay.dataset")).toBe("cases.jsonl")
    expect(named("assay.case")).toHaveLength(10)
    expect(named("assay.case").map((s) => Number(attr(s, "assay.case.index"))).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    const metrics = named("assay.metric")
    expect(metrics).toHaveLength(20)
    const correctness = metrics.filter((s) => attr(s, "assay.metric.name") === "correctness")
    expect(correctness).toHaveLength(10)
    expect(correctness.every((s) => Math.abs(Number(attr(s, "assay.score")) - 0.8) < 1e-9)).toBe(true)
    expect(correctness.every((s) => Number(attr(s, "assay.cost_usd")) > 0 && Number(attr(s, "gen_ai.usage.input_tokens")) > 0)).toBe(true)
    const chats = named("assay.judge.chat")
    expect(chats.length).toBeGreaterThanOrEqual(10)
    expect(chats.every((s) => typeof attr(s, "gen_ai.request.model") === "string" && Number(attr(s, "gen_ai.usage.output_tokens")) > 0)).toBe(true)

    const all = bodies.map((b) => b.text).join("\n")
    expect(all).not.toContain(SECRET)
    for (const text of ["Capital of France?", "Paris", "Sydney", "the answer names the right city"]) expect(all).not.toContain(text)
  }, 180_000)

  it("sends nothing without an endpoint", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    bodies = []
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match"], { cwd: dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: "" } })
    expect(r.code).toBe(1)
    expect(bodies).toHaveLength(0)
  }, 180_000)

  it("reads the endpoint from OTEL_EXPORTER_OTLP_ENDPOINT", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    bodies = []
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match"], { cwd: dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } })
    expect(r.code).toBe(1)
    expect(spansOf(bodies.map((b) => b.text)).filter((s) => s.name === "assay.case")).toHaveLength(10)
  }, 180_000)
})
