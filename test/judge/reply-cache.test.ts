import { assert, describe, it } from "@effect/vitest"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { evaluate, LLMTestCase, Metric, MetricError } from "@assay/core"
import { FakeOpenAi } from "@assay/fake-openai"
import { CallPolicy, Judge, JudgeError, layerJudge, makeReplyCache, OpenAiCompatible, ReplyCache } from "@assay/judge"
import { ResponseCache, SqliteStore } from "@assay/store"

/** A judge over real HTTP whose replies go through the SQLite response cache at `path`. */
const judgeWithReplies = (baseUrl: string, path: string, offline = false) =>
  layerJudge().pipe(
    Layer.provide(Layer.effect(ReplyCache, Effect.map(ResponseCache, (responses) => makeReplyCache(responses, { offline })))),
    Layer.provide(SqliteStore.layer({ path })),
    Layer.provide(CallPolicy.layer({ maxConnections: 4, baseDelay: "2 millis", maxRetries: 2 })),
    Layer.provide(OpenAiCompatible.layerHttpClient({ baseUrl, model: "fake-judge", apiKey: undefined })),
    Layer.provide(NodeHttpClient.layerUndici)
  )

/** A metric asking the judge one question per case; the score is the reply's cost (0 when replayed). */
const asking = Metric.make({
  name: "asking",
  measure: (c) =>
    Effect.flatMap(Judge, (j) => j.chat({ messages: [{ role: "user", content: `Rate: ${c.name}` }] })).pipe(
      Effect.map((reply) => ({ score: 1, cost: reply.cost, reason: reply.text })),
      Effect.mapError((e: JudgeError) => new MetricError({ metric: "asking", message: e.message }))
    )
})
const cases = [LLMTestCase.make({ name: "a", input: "q" }), LLMTestCase.make({ name: "b", input: "q" })]

describe("the judge's reply cache over real HTTP and SQLite", () => {
  it.live("identical requests are answered once, repetitions stay separate samples, and a replay works offline", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ defaultReply: "ok" })
      const dir = mkdtempSync(join(tmpdir(), "assay-replies-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const path = join(dir, "assay.db")
      const requests = Effect.map(server.log, (log) => log.length)

      // Two identical calls in one program: the second is replayed (no request, no cost).
      const twice = Effect.flatMap(Judge, (j) => Effect.zip(j.chat({ messages: [{ role: "user", content: "same" }] }), j.chat({ messages: [{ role: "user", content: "same" }] })))
      const [first, second] = yield* Effect.provide(twice, judgeWithReplies(server.baseUrl, path))
      assert.strictEqual(yield* requests, 1)
      assert.strictEqual(second.text, first.text)
      assert.strictEqual(second.cost, 0)

      // repeat: 2 → two samples per case (4 requests); a rerun replays all of them (no request).
      const run = evaluate(cases, [asking], { repeat: 2 })
      yield* Effect.provide(run, judgeWithReplies(server.baseUrl, path))
      assert.strictEqual(yield* requests, 1 + 4)
      const rerun = yield* Effect.provide(run, judgeWithReplies(server.baseUrl, path))
      assert.strictEqual(yield* requests, 5, "the rerun made no request")
      assert.strictEqual(rerun.summary.cost, 0)

      // Offline: what was seen replays; a new request fails without reaching the server.
      const offline = judgeWithReplies(server.baseUrl, path, true)
      assert.strictEqual((yield* Effect.provide(run, offline)).summary.passed, 2)
      const unseen = yield* Effect.flip(Effect.provide(Effect.flatMap(Judge, (j) => j.chat({ messages: [{ role: "user", content: "never asked" }] })), offline))
      assert.include(unseen.message, "offline")
      assert.strictEqual(yield* requests, 5)
    }).pipe(Effect.scoped))

  it.live("a reply the caller cannot use is neither kept nor replayed", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ defaultReply: "prose, not JSON" })
      const dir = mkdtempSync(join(tmpdir(), "assay-replies-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const judge = judgeWithReplies(server.baseUrl, join(dir, "assay.db"))
      const requests = Effect.map(server.log, (log) => log.length)
      const request = { messages: [{ role: "user" as const, content: "verdict?" }], json: true }
      const accept = (text: string) => text.startsWith("{")
      const ask = (options?: { readonly accept: (text: string) => boolean }) => Effect.provide(Effect.flatMap(Judge, (j) => j.chat(request, options)), judge)

      assert.strictEqual((yield* ask({ accept })).text, "prose, not JSON", "the caller still gets the reply")
      yield* ask({ accept })
      assert.strictEqual(yield* requests, 2, "the unusable reply was not kept: asked again")
      // Kept by a caller that accepts anything (as every reply was before), it is still not replayed to one that cannot use it.
      yield* ask()
      yield* ask()
      assert.strictEqual(yield* requests, 3)
      yield* ask({ accept })
      assert.strictEqual(yield* requests, 4)
    }).pipe(Effect.scoped))
})
