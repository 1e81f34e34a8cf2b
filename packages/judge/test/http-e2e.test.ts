import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { evaluate } from "@assay/core"
import { FakeOpenAi } from "@assay/fake-openai"
import { faithfulness, gEval, Judge, judgeLayer } from "@assay/judge"
import { env } from "./cli-env.js"
import { ask, captureLogs, judgeAt, quick, rag } from "./helpers.js"

const SECRET = "sk-test-SECRET-0123456789"

describe("judge end to end over HTTP", () => {
  it.live("malformed JSON from the model: repairs, then the engine records a MetricError quoting the reply", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ defaultReply: "The answer is good, 9/10" })
      const run = yield* evaluate([rag(0)], [gEval({ name: "quality", evaluationSteps: ["judge"] })], { ignoreErrors: true }).pipe(
        Effect.provide(judgeAt(server.baseUrl, quick))
      )
      const result = run.cases[0]!.metrics[0]!
      assert.isTrue(run.cases[0]!.errored)
      assert.include(result.error ?? "", "after 3 attempt(s)")
      assert.include(result.error ?? "", "The answer is good, 9/10")
      const log = yield* server.log
      assert.strictEqual(log.length, 3)
      assert.include(log[2]!.lastUserMessage ?? "", "Your reply could not be used")
    }).pipe(Effect.scoped))

  it.live("scripted replies drive a metric over HTTP; usage and cost reach the outcome", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({
        scripts: [
          { pattern: /Extract every factual claim/, content: "{\"claims\": [\"Paris is the capital\"]}" },
          { pattern: /retrieval context supports/, content: "{\"verdicts\": [{\"verdict\": \"yes\"}]}" }
        ]
      })
      const run = yield* evaluate([rag(0), rag(1)], [faithfulness()]).pipe(Effect.provide(judgeAt(server.baseUrl, quick)))
      assert.strictEqual(run.summary.passed, 2)
      assert.isAbove(run.cases[0]!.tokens.input, 0)
      assert.strictEqual((yield* server.log).length, 4)
    }).pipe(Effect.scoped))

  it.live("the API key never appears in logs, errors or results", () => {
    const { layer: logs, lines } = captureLogs()
    return Effect.gen(function*() {
      const good = yield* FakeOpenAi.make({
        apiKey: SECRET,
        failEvery: 2,
        scripts: [
          { pattern: /Extract every factual claim/, content: "{\"claims\": [\"Paris is the capital\"]}" },
          { pattern: /retrieval context supports/, content: "{\"verdicts\": [{\"verdict\": \"no\", \"reason\": \"r\"}]}" }
        ]
      })
      const wrong = yield* FakeOpenAi.make({ apiKey: "sk-another-key" })
      const run = yield* evaluate([rag(0)], [faithfulness({ verbose: true })]).pipe(
        Effect.provide(judgeAt(good.baseUrl, quick, Redacted.make(SECRET)))
      )
      const error = yield* Effect.flatMap(Judge, (j) => j.chat(ask("hi"))).pipe(
        Effect.provide(judgeAt(wrong.baseUrl, quick, Redacted.make(SECRET))),
        Effect.flip
      )
      yield* Effect.logError("failure", error)
      const everything = [...lines, JSON.stringify(error), String(error), error.message, JSON.stringify(run)].join("\n")
      assert.strictEqual(error.kind, "Auth")
      assert.strictEqual(run.cases[0]!.metrics[0]!.score, 0)
      assert.isTrue(lines.some((l) => l.includes("retry 1")), "retries were logged")
      assert.isTrue(lines.some((l) => l.includes("verdicts")), "verbose verdicts were logged")
      assert.notInclude(everything, SECRET)
      assert.notInclude(everything, "SECRET-0123")
    }).pipe(Effect.provide(logs), Effect.scoped)
  })

  it.live("judgeLayer reads the key, base URL and limits from the CLI's environment", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: SECRET, defaultReply: "hello" })
      const config = env([
        ["ASSAY_JUDGE_API_KEY", SECRET],
        ["OPENAI_BASE_URL", server.baseUrl],
        ["ASSAY_JUDGE_MAX_CONNECTIONS", "3"]
      ])
      const { reply, stats } = yield* Effect.gen(function*() {
        const judge = yield* Judge
        const reply = yield* judge.chat(ask("hi"))
        return { reply, stats: yield* judge.stats }
      }).pipe(Effect.provide(judgeLayer({ provider: "openai-compatible", model: "local" })), config)
      assert.strictEqual(reply.text, "hello")
      assert.strictEqual(stats.policy?.cap, 3)
      assert.strictEqual(stats.model, "openai-compatible:local")
    }).pipe(Effect.scoped))

  it.live("openai: speaks /chat/completions with the key; openai-responses: speaks /responses through @effect/ai", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: SECRET, defaultReply: "{\"score\": 9}" })
      const config = env([["OPENAI_API_KEY", SECRET]])
      for (const provider of ["openai", "openai-responses"] as const) {
        const { model, reply } = yield* Effect.flatMap(Judge, (j) => Effect.map(j.chat(ask("hi")), (reply) => ({ model: j.model, reply }))).pipe(
          Effect.provide(judgeLayer({ provider, model: "gpt-4o-mini", baseUrl: server.baseUrl })),
          config
        )
        assert.strictEqual(reply.text, "{\"score\": 9}")
        assert.strictEqual(model, `${provider}:gpt-4o-mini`)
        assert.isAbove(reply.usage.input, 0)
        assert.isAbove(reply.cost, 0, "gpt-4o-mini has a list price")
      }
      const log = yield* server.log
      assert.deepStrictEqual(log.map((e) => [e.path, e.status]), [["/v1/chat/completions", 200], ["/v1/responses", 200]])
    }).pipe(Effect.scoped))
})
