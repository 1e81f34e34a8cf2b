import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Redacted } from "effect"
import { FakeOpenAi } from "@assay/fake-openai"
import { Judge, type PolicySettings } from "@assay/judge"
import { ask, eventually, judgeAt, quick, type Transport } from "./helpers.js"

const chat = (text: string) => Effect.flatMap(Judge, (j) => j.chat(ask(text)))

// The openai-compatible provider has two transports (undici's dispatcher directly, or any HttpClient); both
// must behave the same to the call policy and the metrics.
describe.each<Transport>(["undici", "httpClient"])("openai-compatible over %s", (transport) => {
  it.live("sends the body and bearer token, reads text, usage and rate-limit headers", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "sk-right", rateLimit: { requestsPerSecond: 1000 }, scripts: [{ pattern: /ping/, content: "pong" }] })
      const reply = yield* chat("ping").pipe(Effect.provide(judgeAt(server.baseUrl, quick, Redacted.make("sk-right"), transport)))
      assert.strictEqual(reply.text, "pong")
      assert.isAbove(reply.usage.input, 0)
      const [entry] = yield* server.log
      assert.strictEqual(entry?.lastUserMessage, "ping")
      assert.strictEqual(entry?.status, 200)
    }).pipe(Effect.scoped))

  it.live("a 500 is retried and a 401 is not", () =>
    Effect.gen(function*() {
      const flaky = yield* FakeOpenAi.make({ failEvery: 2, defaultReply: "ok" })
      const layer = judgeAt(flaky.baseUrl, quick, undefined, transport)
      const replies = yield* Effect.forEach([1, 2, 3], (i) => chat(`q${i}`), { concurrency: 1 }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(replies.map((r) => r.text), ["ok", "ok", "ok"])
      assert.isAbove((yield* flaky.log).length, 3)
      const locked = yield* FakeOpenAi.make({ apiKey: "sk-other" })
      const error = yield* chat("hi").pipe(Effect.provide(judgeAt(locked.baseUrl, quick, Redacted.make("sk-wrong"), transport)), Effect.flip)
      assert.strictEqual(error.kind, "Auth")
      assert.strictEqual((yield* locked.log).length, 1)
    }).pipe(Effect.scoped))

  it.live("nothing listening, or no such host: Unreachable at the first attempt (no retry), naming the URL", () =>
    Effect.gen(function*() {
      for (const [baseUrl, code] of [["http://127.0.0.1:9/v1", "ECONNREFUSED"], ["http://nowhere.invalid/v1", "ENOTFOUND"]] as const) {
        const error = yield* chat("hi").pipe(Effect.provide(judgeAt(baseUrl, quick, undefined, transport)), Effect.flip)
        assert.strictEqual(error.kind, "Unreachable")
        assert.strictEqual(error.attempts, 1)
        assert.strictEqual(error.message.startsWith(`cannot connect to ${baseUrl}/chat/completions: `), true, error.message)
        assert.include(error.message, code)
      }
    }))

  it.live("interrupting a call in flight aborts its request", () =>
    Effect.gen(function*() {
      const slow = yield* FakeOpenAi.make({ latency: "30 seconds" })
      // The judge (and its connection pool) outlives the call: only the abort can close the connection.
      const judge = yield* Layer.build(judgeAt(slow.baseUrl, quick, undefined, transport))
      const fiber = yield* chat("slow").pipe(Effect.provide(judge), Effect.fork)
      yield* eventually(slow.log, (entries) => entries.length === 1)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(yield* eventually(slow.abandoned, (n) => n === 1), 1)
    }).pipe(Effect.scoped))

  it.live("an attempt past its timeout is interrupted (a Timeout error), and the transport keeps working", () =>
    Effect.gen(function*() {
      const slow = yield* FakeOpenAi.make({ latency: "30 seconds" })
      const policy: Partial<PolicySettings> = { ...quick, attemptTimeout: "150 millis", maxRetries: 0 }
      const judge = yield* Layer.build(judgeAt(slow.baseUrl, policy, undefined, transport))
      const error = yield* chat("slow").pipe(Effect.provide(judge), Effect.flip)
      assert.strictEqual(error.kind, "Timeout")
      // The timed-out request was aborted: its connection closed before any reply.
      assert.strictEqual(yield* eventually(slow.abandoned, (n) => n === 1), 1)
      const fast = yield* FakeOpenAi.make({ defaultReply: "ok" })
      const reply = yield* chat("fast").pipe(Effect.provide(judgeAt(fast.baseUrl, policy, undefined, transport)))
      assert.strictEqual(reply.text, "ok")
    }).pipe(Effect.scoped))
})

describe("openai-compatible over undici", () => {
  it.live("a base URL that is not a URL fails at once, without retries", () =>
    Effect.gen(function*() {
      const error = yield* chat("hi").pipe(Effect.provide(judgeAt("not a url", quick)), Effect.flip)
      assert.strictEqual(error.kind, "BadRequest")
      assert.include(error.message, "invalid judge base URL: not a url")
    }))
})
