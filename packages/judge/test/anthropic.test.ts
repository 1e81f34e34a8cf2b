import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { evaluate } from "@assay/core"
import { FakeOpenAi } from "@assay/fake-openai"
import { Anthropic, faithfulness, Judge, judgeLayer, type PolicySettings } from "@assay/judge"
import { env } from "./cli-env.js"
import { ask, captureLogs, judgeOver, quick, rag } from "./helpers.js"

// Real HTTP to the fake server's Anthropic route (/v1/messages), on the live clock; assertions are on the
// server's request log and the judge's stats, never on elapsed wall-clock time.

const SECRET = "sk-ant-test-SECRET-0123456789"
const MODEL = "claude-3-5-haiku-latest"

const anthropicAt = (baseUrl: string, policy: Partial<PolicySettings>, apiKey?: Redacted.Redacted) =>
  judgeOver(Anthropic.layer({ model: MODEL, baseUrl, apiKey }), policy)

const scripts = (verdict: "yes" | "no") => [
  { pattern: /Extract every factual claim/, content: "{\"claims\": [\"Paris is the capital\"]}" },
  { pattern: /retrieval context supports/, content: `{"verdicts": [{"verdict": "${verdict}", "reason": "r"}]}` }
]

describe("anthropic judge over HTTP", () => {
  it.live("a scripted verdict flows through a judge metric; usage and cost are reported", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: SECRET, scripts: scripts("yes") })
      const run = yield* evaluate([rag(0), rag(1)], [faithfulness()]).pipe(
        Effect.provide(anthropicAt(server.baseUrl, quick, Redacted.make(SECRET)))
      )
      assert.strictEqual(run.summary.passed, 2)
      assert.strictEqual(run.cases[0]!.metrics[0]!.score, 1)
      assert.isAbove(run.cases[0]!.tokens.input, 0)
      assert.isAbove(run.cases[0]!.tokens.output, 0)
      assert.isAbove(run.cases[0]!.cost, 0, "claude-3-5-haiku has a list price")
      const log = yield* server.log
      assert.strictEqual(log.length, 4)
      assert.isTrue(log.every((e) => e.path === "/v1/messages" && e.status === 200 && e.model === MODEL))
    }).pipe(Effect.scoped))

  it.live("a 429 with retry-after is waited out before the retry", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ rateLimit: { requestsPerSecond: 1 }, defaultReply: "fine" })
      const { replies, stats } = yield* Effect.gen(function*() {
        const judge = yield* Judge
        const replies = yield* Effect.forEach(["a", "b"], (q) => judge.chat(ask(q)))
        return { replies, stats: yield* judge.stats }
      }).pipe(Effect.provide(anthropicAt(server.baseUrl, { ...quick, maxDelay: "5 seconds" })))
      assert.deepStrictEqual(replies.map((r) => r.text), ["fine", "fine"])
      const log = yield* server.log
      assert.deepStrictEqual(log.map((e) => e.status), [200, 429, 200])
      // The server asked for `retry-after: 1` (seconds); the quick backoff alone would retry after ~2 ms.
      assert.isAtLeast(log[2]!.arrivedAt - log[1]!.arrivedAt, 1000)
      assert.strictEqual(stats.policy?.rateLimited, 1)
      assert.strictEqual(stats.policy?.retries, 0)
    }).pipe(Effect.scoped))

  it.live("401 fails fast: one request, an Auth error, no retry", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "sk-ant-right" })
      const error = yield* Effect.flatMap(Judge, (j) => j.chat(ask("hi"))).pipe(
        Effect.provide(anthropicAt(server.baseUrl, quick, Redacted.make("sk-ant-wrong"))),
        Effect.flip
      )
      assert.strictEqual(error.kind, "Auth")
      assert.strictEqual(error.status, 401)
      assert.strictEqual(error.attempts, 1)
      assert.include(error.message, "invalid x-api-key")
      assert.strictEqual((yield* server.log).length, 1)
    }).pipe(Effect.scoped))

  it.live("529 overloaded is retried as transient; a 400 is not retried", () =>
    Effect.gen(function*() {
      const overloaded = yield* FakeOpenAi.make({ failEvery: 2, failStatus: 529 })
      const stats = yield* Effect.forEach(["a", "b", "c"], (q) => Effect.flatMap(Judge, (j) => j.chat(ask(q)))).pipe(
        Effect.zipRight(Effect.flatMap(Judge, (j) => j.stats)),
        Effect.provide(anthropicAt(overloaded.baseUrl, quick))
      )
      const log = yield* overloaded.log
      assert.deepStrictEqual(log.map((e) => e.status), [200, 529, 200, 529, 200])
      assert.strictEqual(stats.policy?.retries, 2)
      const billing = yield* FakeOpenAi.make({ quotaExceeded: true })
      const error = yield* Effect.flatMap(Judge, (j) => j.chat(ask("hi"))).pipe(
        Effect.provide(anthropicAt(billing.baseUrl, quick)),
        Effect.flip
      )
      assert.strictEqual(error.kind, "BadRequest")
      assert.strictEqual((yield* billing.log).length, 1)
    }).pipe(Effect.scoped))

  it.live("judgeLayer(anthropic:…) reads ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL; the key never appears in logs, errors or results", () => {
    const { layer: logs, lines } = captureLogs()
    return Effect.gen(function*() {
      const good = yield* FakeOpenAi.make({ apiKey: SECRET, failEvery: 2, scripts: scripts("no") })
      const wrong = yield* FakeOpenAi.make({ apiKey: "sk-ant-another-key" })
      const withEnv = (baseUrl: string) => env([["ANTHROPIC_API_KEY", SECRET], ["ANTHROPIC_BASE_URL", baseUrl]])
      const spec = { provider: "anthropic", model: MODEL, policy: quick } as const
      const run = yield* evaluate([rag(0)], [faithfulness({ verbose: true })]).pipe(
        Effect.provide(judgeLayer(spec)),
        withEnv(good.baseUrl)
      )
      const error = yield* Effect.flatMap(Judge, (j) => j.chat(ask("hi"))).pipe(
        Effect.provide(judgeLayer(spec)),
        withEnv(wrong.baseUrl),
        Effect.flip
      )
      yield* Effect.logError("failure", error)
      const everything = [...lines, JSON.stringify(error), String(error), error.message, JSON.stringify(run)].join("\n")
      assert.strictEqual(error._tag, "JudgeError")
      assert.strictEqual(error._tag === "JudgeError" ? error.kind : undefined, "Auth")
      assert.strictEqual(run.cases[0]!.metrics[0]!.score, 0)
      assert.isTrue((yield* good.log).some((e) => e.status === 500), "the good server failed some calls")
      assert.isTrue(lines.some((l) => l.includes("retry 1")), "retries were logged")
      assert.isTrue(lines.some((l) => l.includes("verdicts")), "verbose verdicts were logged")
      assert.notInclude(everything, SECRET)
      assert.notInclude(everything, "SECRET-0123")
    }).pipe(Effect.provide(logs), Effect.scoped)
  })
})
