import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Either, Fiber, Layer, TestClock } from "effect"
import { FakeOpenAi } from "@assay/fake-openai"
import {
  BatchJournal,
  type BatchClientApi,
  type BatchLine,
  type BatchRecord,
  customIdOf,
  Judge,
  judgeLayer,
  makeBatcher
} from "@assay/judge"
import { env } from "./cli-env.js"
import { ask } from "./helpers.js"

// Part 1: real HTTP against the fake server's batch APIs (live clock; the fake ends batches after 50 ms).
// Part 2: the batcher over an in-memory batch client under TestClock: gathering, chunking, the polling
// schedule, and a resumed run's batches polled instead of submitted.

const SECRET = "sk-test-batch-0123456789"
const withKeys = env([["OPENAI_API_KEY", SECRET], ["ANTHROPIC_API_KEY", SECRET]])

/** The judge of `provider` in batch mode against a fake server, polling fast. */
const batchJudge = (provider: "openai" | "anthropic", baseUrl: string) =>
  judgeLayer({ provider, model: provider === "openai" ? "gpt-4o-mini" : "claude-3-5-haiku-latest", baseUrl, batch: { poll: "20 millis", gather: "20 millis" } })

const askAll = (contents: ReadonlyArray<string>) =>
  Effect.flatMap(Judge, (judge) =>
    Effect.forEach(contents, (c) => Effect.either(judge.chat(ask(c))), { concurrency: "unbounded" }).pipe(
      Effect.zip(judge.stats)
    ))

describe("batch mode over HTTP", () => {
  for (const provider of ["openai", "anthropic"] as const) {
    it.live(`${provider}: calls go in one batch, none live; a failed line is that call's error; half the live cost`, () =>
      Effect.gen(function*() {
        const server = yield* FakeOpenAi.make({ apiKey: SECRET, batch: { delay: "50 millis", failPattern: /broken/ } })
        const [replies, stats] = yield* askAll(["one", "two", "broken three", "one"]).pipe(Effect.provide(batchJudge(provider, server.baseUrl)), withKeys)
        assert.deepStrictEqual(replies.map((r) => (Either.isRight(r) ? r.right.text : "failed")), ["ok", "ok", "failed", "ok"])
        const failure = replies[2]!
        assert.isTrue(Either.isLeft(failure) && /batch line/.test(failure.left.message))
        assert.strictEqual(yield* server.batchesCreated, 1)
        const log = yield* server.log
        assert.isFalse(log.some((e) => e.path === "/v1/chat/completions" || e.path === "/v1/messages"), "no live call")
        assert.strictEqual(stats.batch?.requests, 3, "the repeated request shares one line")
        assert.strictEqual(stats.batch?.failed, 1)
        assert.isAbove(stats.cost, 0)
        assert.closeTo(stats.cost, (stats.liveCost ?? 0) / 2, 1e-12)
      }).pipe(Effect.scoped))
  }

  it.live("an expired batch fails its calls, naming why", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: SECRET, batch: { delay: "20 millis", outcome: "expired" } })
      const [replies] = yield* askAll(["a", "b"]).pipe(Effect.provide(batchJudge("openai", server.baseUrl)), withKeys)
      for (const r of replies) assert.isTrue(Either.isLeft(r) && /expired/.test(r.left.message), String(r))
    }).pipe(Effect.scoped))

  it.live("a rejected key is fatal and the key never shows in the error", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "sk-another-key-000000", echoCredentials: true })
      const error = yield* Effect.flatMap(Judge, (judge) => Effect.flip(judge.chat(ask("x")))).pipe(
        Effect.provide(batchJudge("openai", server.baseUrl)),
        withKeys
      )
      assert.strictEqual(error.kind, "Auth")
      assert.include(error.message, "rejected the API key")
      assert.notInclude(error.message, SECRET)
    }).pipe(Effect.scoped))

  it.effect("a provider without a batch API is a configuration error", () =>
    Effect.gen(function*() {
      const error = yield* Layer.build(judgeLayer({ provider: "openai-compatible", model: "llama3.1", batch: {} })).pipe(Effect.scoped, Effect.flip)
      assert.include(error.message, "openai-compatible:llama3.1 has no batch API")
    }))
})

/** An in-memory batch client: each batch ends at its `endAfter`-th poll; replies echo the last message. */
const memoryClient = (endAfter: number, maxRequests = 100) => {
  const lines = new Map<string, ReadonlyArray<BatchLine>>()
  const submitted: Array<ReadonlyArray<string>> = []
  const polls: Array<{ readonly id: string; readonly at: number }> = []
  const client: BatchClientApi = {
    provider: "openai",
    maxRequests,
    maxBytes: 1_000_000,
    lineBytes: () => 1,
    submit: (batch) =>
      Effect.sync(() => {
        const id = `b${submitted.length + 1}`
        submitted.push(batch.map((l) => l.request.messages[0]!.content))
        lines.set(id, batch)
        return id
      }),
    poll: (id) =>
      Effect.map(Clock.currentTimeMillis, (at) => {
        polls.push({ id, at })
        const n = polls.filter((p) => p.id === id).length
        return { id, ended: n >= endAfter, state: n >= endAfter ? "completed" : "in_progress", total: 0, succeeded: 0, failed: 0 }
      }),
    results: (id) =>
      Effect.succeed((lines.get(id) ?? []).map((l) => ({
        customId: l.customId,
        reply: { text: `re: ${l.request.messages[0]!.content}`, usage: { input: 1, output: 1 } },
        error: undefined
      })))
  }
  return { client, lines, submitted, polls }
}

const MODEL = "openai:gpt-4o-mini"

describe("batcher under TestClock", () => {
  it.scoped("a full batch goes at once, the rest after the queue stops growing; polls 1 s growing by half up to 30 s", () =>
    Effect.gen(function*() {
      const memory = memoryClient(12, 3)
      const calls = yield* makeBatcher(memory.client, { model: MODEL })
      const fiber = yield* Effect.fork(Effect.forEach(["a", "b", "c", "d", "e"], (c) => calls.call(ask(c)), { concurrency: "unbounded" }))
      yield* TestClock.adjust("999 millis")
      assert.deepStrictEqual(memory.submitted, [["a", "b", "c"]], "a full batch at once; the rest still gathering")
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(memory.submitted, [["a", "b", "c"], ["d", "e"]])
      assert.deepStrictEqual((yield* calls.stats).inProgress, 2)
      yield* TestClock.adjust("3 minutes")
      const replies = yield* Fiber.join(fiber)
      assert.deepStrictEqual(replies.map((r) => r.text), ["re: a", "re: b", "re: c", "re: d", "re: e"])
      const times = memory.polls.filter((p) => p.id === "b1").map((p) => p.at)
      const waits = times.slice(1).map((t, i) => t - times[i]!)
      assert.deepStrictEqual(waits.slice(0, 4), [1000, 1500, 2250, 3375])
      assert.deepStrictEqual(waits.slice(-2), [30_000, 30_000], "capped at 30 s")
      const stats = yield* calls.stats
      assert.deepStrictEqual([stats.submitted, stats.ended, stats.inProgress, stats.waiting, stats.requests], [2, 2, 0, 0, 5])
      const last = memory.polls.filter((p) => p.id === "b2").at(-1)!.at
      assert.strictEqual(stats.waitingMillis, last - times[0]!, "from the first batch's submission to the last one's end")
    }))

  it.scoped("--batch-poll sets the first wait", () =>
    Effect.gen(function*() {
      const memory = memoryClient(3)
      const calls = yield* makeBatcher(memory.client, { model: MODEL, poll: "5 seconds" })
      const fiber = yield* Effect.fork(calls.call(ask("a")))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      const times = memory.polls.map((p) => p.at)
      assert.deepStrictEqual(times.slice(1).map((t, i) => t - times[i]!), [5000, 7500])
    }))

  it.scoped("a resumed run polls the batches its journal knows and submits only the rest", () =>
    Effect.gen(function*() {
      const memory = memoryClient(2)
      const earlier = ask("asked before the kill")
      memory.lines.set("b-earlier", [{ customId: customIdOf(MODEL, earlier), request: earlier }])
      const recorded: Array<BatchRecord> = []
      const journal = BatchJournal.of({
        known: Effect.succeed([{ batchId: "b-earlier", model: MODEL, customIds: [customIdOf(MODEL, earlier)] }]),
        record: (batch) => Effect.sync(() => void recorded.push(batch))
      })
      const calls = yield* makeBatcher(memory.client, { model: MODEL }).pipe(Effect.provideService(BatchJournal, journal))
      const fiber = yield* Effect.fork(Effect.all([calls.call(earlier), calls.call(ask("new"))], { concurrency: "unbounded" }))
      yield* TestClock.adjust("1 minute")
      const [old, fresh] = yield* Fiber.join(fiber)
      assert.strictEqual(old.text, "re: asked before the kill")
      assert.strictEqual(fresh.text, "re: new")
      assert.deepStrictEqual(memory.submitted, [["new"]], "the earlier request is not submitted again")
      assert.isTrue(memory.polls.some((p) => p.id === "b-earlier"))
      assert.deepStrictEqual(recorded.map((r) => r.batchId), ["b1"], "the new batch is recorded")
    }))
})
