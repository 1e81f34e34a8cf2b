import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Option } from "effect"
import { evaluate, LLMTestCase } from "@assay/core"
import { embedding, FakeOpenAi } from "@assay/fake-openai"
import { cosineSimilarity, Embedder, embedderLayer, EmbeddingCache, parseEmbeddingSpec, type ReplyStorage, semanticSimilarity } from "@assay/judge"
import { env } from "./cli-env.js"
import { quick } from "./helpers.js"

// semantic-similarity over real HTTP to the fake server's /v1/embeddings (deterministic unit vectors of
// dimension 8 per text), on the live clock: scores against the vectors the fake computes, one request per
// pair, the embedding cache, retries and redaction.

const KEY = "sk-embed-test-0123456789abcdef"
const at = (server: { readonly baseUrl: string }, key = KEY) => env([["OPENAI_BASE_URL", server.baseUrl], ["OPENAI_API_KEY", key]])
const spec = { provider: "openai", model: "text-embedding-3-small", policy: quick } as const

const pair = (name: string, actualOutput: string, expectedOutput: string) => LLMTestCase.make({ name, input: "q", actualOutput, expectedOutput })

/** The score the metric must give a pair: the cosine of the fake's vectors, negatives as 0. */
const expected = (a: string, b: string) => Math.max(0, cosineSimilarity(embedding(a, 8), embedding(b, 8)))

/** An in-memory storage with the response cache's shape, and what it holds. */
const memoryStorage = () => {
  const kept = new Map<string, unknown>()
  const storage: ReplyStorage = {
    get: (request) => Effect.sync(() => Option.fromNullable(kept.get(JSON.stringify(request)))),
    set: (request, response) => Effect.sync(() => void kept.set(JSON.stringify(request), response))
  }
  return { kept, storage }
}

describe("cosineSimilarity", () => {
  it("is 1 for parallel vectors, 0 for orthogonal or zero ones, -1 for opposite", () => {
    assert.closeTo(cosineSimilarity([1, 2, 3], [2, 4, 6]), 1, 1e-12)
    assert.strictEqual(cosineSimilarity([1, 0], [0, 5]), 0)
    assert.strictEqual(cosineSimilarity([0, 0], [1, 1]), 0)
    assert.closeTo(cosineSimilarity([1, 1], [-1, -1]), -1, 1e-12)
    assert.closeTo(cosineSimilarity([1, 0], [1, 1]), Math.SQRT1_2, 1e-12)
    assert.strictEqual(cosineSimilarity([1], [1, 2]), 0, "different dimensions")
  })
})

describe("semantic-similarity over HTTP", () => {
  it.live("scores the cosine of the two outputs' embeddings, one request per pair, with usage and cost", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: KEY })
      const cases = [pair("same", "Paris is the capital.", "Paris is the capital."), pair("other", "Berlin", "Paris is the capital of France")]
      const run = yield* evaluate(cases, [semanticSimilarity({ threshold: 0.9 })]).pipe(Effect.provide(embedderLayer(spec)), at(server))
      const [same, other] = run.cases.map((c) => c.metrics[0]!)
      assert.closeTo(same!.score!, 1, 1e-9)
      assert.isTrue(same!.success)
      assert.closeTo(other!.score!, expected("Berlin", "Paris is the capital of France"), 1e-12)
      assert.isBelow(other!.score!, 0.9, "the fake's vectors of different texts are far apart")
      assert.isFalse(other!.success)
      assert.include(other!.reason!, "openai:text-embedding-3-small")
      assert.isAbove(run.cases[1]!.tokens.input, 0)
      assert.isAbove(run.cases[1]!.cost, 0, "text-embedding-3-small has a list price")
      const log = yield* server.log
      assert.strictEqual(log.length, 2, "both texts of a pair in one request")
      assert.isTrue(log.every((e) => e.path === "/v1/embeddings" && e.status === 200 && e.model === "text-embedding-3-small"))
    }).pipe(Effect.scoped))

  it.live("vectors are cached by model and text: a rerun makes no request and costs nothing", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({})
      const { kept, storage } = memoryStorage()
      const layer = embedderLayer(spec).pipe(Layer.provide(Layer.succeed(EmbeddingCache, storage)))
      const cases = [pair("a", "alpha", "beta"), pair("b", "alpha", "gamma")]
      const first = yield* evaluate(cases, [semanticSimilarity()]).pipe(Effect.provide(layer), at(server))
      assert.strictEqual(kept.size, 3, "alpha, beta, gamma")
      const requests = (yield* server.log).length
      const second = yield* evaluate(cases, [semanticSimilarity()]).pipe(Effect.provide(layer), at(server))
      assert.strictEqual((yield* server.log).length, requests, "no request on the rerun")
      assert.deepStrictEqual(second.cases.map((c) => c.metrics[0]!.score), first.cases.map((c) => c.metrics[0]!.score))
      assert.strictEqual(second.summary.cost, 0)
      // Offline: a text never embedded fails its case without a request.
      const offline = embedderLayer({ ...spec, offline: true }).pipe(Layer.provide(Layer.succeed(EmbeddingCache, storage)))
      const miss = yield* evaluate([pair("c", "alpha", "delta")], [semanticSimilarity()], { ignoreErrors: true }).pipe(Effect.provide(offline), env([]))
      assert.include(miss.cases[0]!.metrics[0]!.error ?? "", "offline: no cached embedding")
      assert.strictEqual((yield* server.log).length, requests)
    }).pipe(Effect.scoped))

  it.live("a 429 is retried after its retry-after; a 5xx is retried", () =>
    Effect.gen(function*() {
      const limited = yield* FakeOpenAi.make({ rateLimit: { requestsPerSecond: 1 } })
      const embed = (texts: ReadonlyArray<string>) => Effect.flatMap(Embedder, (e) => e.embed(texts))
      const replies = yield* Effect.forEach([["a", "b"], ["c", "d"]], embed).pipe(
        Effect.provide(embedderLayer({ ...spec, policy: { ...quick, maxDelay: "5 seconds" } })),
        at(limited)
      )
      assert.deepStrictEqual(replies[1]!.vectors, [embedding("c", 8), embedding("d", 8)])
      const log = yield* limited.log
      assert.deepStrictEqual(log.map((e) => e.status), [200, 429, 200])
      assert.isAtLeast(log[2]!.arrivedAt - log[1]!.arrivedAt, 1000)
      const flaky = yield* FakeOpenAi.make({ failEvery: 1 })
      const error = yield* Effect.flip(embed(["x", "y"])).pipe(Effect.provide(embedderLayer({ ...spec, policy: { ...quick, maxRetries: 2 } })), at(flaky))
      assert.strictEqual(error.kind, "Transient")
      assert.strictEqual((yield* flaky.log).length, 3, "first attempt and two retries")
    }).pipe(Effect.scoped))

  it.live("a rejected key that the server echoes: Auth, the key redacted from the metric's error", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "the-right-key", echoCredentials: true })
      const run = yield* evaluate([pair("a", "x", "y")], [semanticSimilarity()], { ignoreErrors: true }).pipe(
        Effect.provide(embedderLayer(spec)),
        at(server)
      )
      const error = run.cases[0]!.metrics[0]!.error ?? ""
      assert.include(error, "(Auth)")
      assert.include(error, "received credentials")
      assert.notInclude(error, KEY)
      assert.strictEqual((yield* server.log).length, 1, "not retried")
    }).pipe(Effect.scoped))

  it.live("a metric configured for another embedding model fails rather than mixing caches", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({})
      const run = yield* evaluate([pair("a", "x", "y")], [semanticSimilarity({ embeddingModel: "openai:text-embedding-3-large" })], { ignoreErrors: true }).pipe(
        Effect.provide(embedderLayer(spec)),
        at(server)
      )
      assert.include(run.cases[0]!.metrics[0]!.error ?? "", "configured for openai:text-embedding-3-large but run with openai:text-embedding-3-small")
      assert.strictEqual((yield* server.log).length, 0)
    }).pipe(Effect.scoped))

  it("--embedding-model accepts only OpenAI-compatible embeddings endpoints", () => {
    assert.deepStrictEqual(parseEmbeddingSpec("openai-compatible:nomic-embed-text:v1.5"), Either.right({ provider: "openai-compatible", model: "nomic-embed-text:v1.5" }))
    assert.isTrue(Either.isRight(parseEmbeddingSpec("openai:text-embedding-3-large")))
    const bad = parseEmbeddingSpec("gemini:text-embedding-004")
    assert.isTrue(Either.isLeft(bad) && bad.left.message.includes("openai-compatible:<model>"))
  })
})
