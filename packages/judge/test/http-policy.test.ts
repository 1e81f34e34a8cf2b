import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { FakeOpenAi } from "@assay/fake-openai"
import { Judge } from "@assay/judge"
import { ask, callMany, judgeAt, quick } from "./helpers.js"

// Real HTTP to the fake server, on the live clock; assertions are on counts and the server's log, never on
// elapsed time.
describe("judge over real HTTP", () => {
  it.live("never exceeds the connection cap under 10× more calls than the cap, and uses all of it", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ latency: "20 millis" })
      const replies = yield* callMany(40).pipe(Effect.provide(judgeAt(server.baseUrl, { maxConnections: 4 })))
      assert.strictEqual(replies.length, 40)
      assert.strictEqual(yield* server.maxInFlight, 4)
      assert.strictEqual((yield* server.log).length, 40)
    }).pipe(Effect.scoped))

  it.live("waits out 429 + Retry-After and completes every call, with no retry budget for failures", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ latency: "5 millis", rateLimit: { requestsPerSecond: 25, headers: false } })
      const { replies, stats } = yield* Effect.all({ replies: callMany(60), stats: Effect.flatMap(Judge, (j) => j.stats) }).pipe(
        Effect.provide(judgeAt(server.baseUrl, { ...quick, maxConnections: 10, maxRetries: 0, maxDelay: "2 seconds" }))
      )
      const log = yield* server.log
      const limited = log.filter((e) => e.status === 429).length
      assert.strictEqual(replies.length, 60)
      assert.strictEqual(log.filter((e) => e.status === 200).length, 60)
      assert.isAbove(limited, 0, "the server rate-limited some calls")
      assert.strictEqual(stats.policy?.rateLimited, limited)
      assert.strictEqual(stats.policy?.retries, 0, "429s are counted apart and never use up maxRetries")
      assert.strictEqual(stats.policy?.succeeded, 60)
    }).pipe(Effect.scoped))

  it.live("with 20% 500s every call completes, with bounded retries that match the server's errors", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ failRate: { rate: 0.2, seed: 7 } })
      const stats = yield* callMany(100).pipe(
        Effect.zipRight(Effect.flatMap(Judge, (j) => j.stats)),
        Effect.provide(judgeAt(server.baseUrl, { ...quick, maxConnections: 8 }))
      )
      const log = yield* server.log
      const errors = log.filter((e) => e.status === 500).length
      assert.isAbove(errors, 5)
      assert.strictEqual(log.filter((e) => e.status === 200).length, 100)
      assert.strictEqual(stats.policy?.retries, errors)
      assert.strictEqual(stats.policy?.succeeded, 100)
      assert.strictEqual(stats.policy?.failed, 0)
    }).pipe(Effect.scoped))

  it.live("a broken 200 body is retried like a transient error", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ malformedBodyEvery: 3 })
      const replies = yield* callMany(12).pipe(Effect.provide(judgeAt(server.baseUrl, { ...quick, maxConnections: 1 })))
      assert.strictEqual(replies.length, 12)
      assert.strictEqual((yield* server.log).length, 17) // every 3rd of 17 requests was broken: 5 retries
    }).pipe(Effect.scoped))

  it.live("401 fails fast: one request, an Auth error, no retry", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "sk-right" })
      const error = yield* Effect.flatMap(Judge, (j) => j.chat(ask("hi"))).pipe(
        Effect.provide(judgeAt(server.baseUrl, quick, Redacted.make("sk-wrong"))),
        Effect.flip
      )
      assert.strictEqual(error.kind, "Auth")
      assert.strictEqual(error.status, 401)
      assert.strictEqual(error.attempts, 1)
      assert.strictEqual((yield* server.log).length, 1)
    }).pipe(Effect.scoped))

  it.live("insufficient_quota (429) is not retried", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ quotaExceeded: true })
      const error = yield* Effect.flatMap(Judge, (j) => j.chat(ask("hi"))).pipe(
        Effect.provide(judgeAt(server.baseUrl, quick)),
        Effect.flip
      )
      assert.strictEqual(error.kind, "Quota")
      assert.strictEqual((yield* server.log).length, 1)
    }).pipe(Effect.scoped))

  it.live("the right key is sent as a bearer token", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "sk-right", defaultReply: "fine" })
      const reply = yield* Effect.flatMap(Judge, (j) => j.chat(ask("hi"))).pipe(
        Effect.provide(judgeAt(server.baseUrl, quick, Redacted.make("sk-right")))
      )
      assert.strictEqual(reply.text, "fine")
      assert.isAbove(reply.usage.input, 0)
      assert.strictEqual(reply.model, "openai-compatible:fake-judge")
    }).pipe(Effect.scoped))
})

describe("judge stats", () => {
  it.live("report the idle policy before the first call", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({})
      const stats = yield* Effect.flatMap(Judge, (j) => j.stats).pipe(Effect.provide(judgeAt(server.baseUrl, { maxConnections: 7 })))
      assert.deepStrictEqual(stats.policy, {
        model: "openai-compatible:fake-judge",
        cap: 7,
        inFlight: 0,
        calls: 0,
        succeeded: 0,
        failed: 0,
        retries: 0,
        rateLimited: 0
      })
      assert.strictEqual(stats.cost, 0)
    }).pipe(Effect.scoped))
})
