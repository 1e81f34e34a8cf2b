import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { FakeOpenAi, parseLatency } from "@assay/fake-openai"

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson(body), HttpClientRequest.setHeaders(headers))
    )
    return { status: response.status, headers: response.headers, text: yield* response.text }
  }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer), Effect.orDie)

const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: "m", messages: [{ role: "user", content }], ...extra })

describe("fake OpenAI server", () => {
  it.live("scripted chat replies with usage and score logprobs", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({
        scripts: [{ pattern: /rate/, content: "{\"score\": 8}", scoreProbabilities: { "8": 0.7, "9": 0.3 } }]
      })
      const r = yield* post(`${server.baseUrl}/chat/completions`, chat("please rate this", { logprobs: true, top_logprobs: 2 }))
      const body = JSON.parse(r.text)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(body.choices[0].message.content, "{\"score\": 8}")
      assert.isAbove(body.usage.prompt_tokens, 0)
      const scoreToken = body.choices[0].logprobs.content.find((t: { token: string }) => t.token === "8")
      assert.closeTo(Math.exp(scoreToken.top_logprobs[1].logprob), 0.3, 1e-9)
      const other = JSON.parse((yield* post(`${server.baseUrl}/chat/completions`, chat("hello"))).text)
      assert.strictEqual(other.choices[0].message.content, "ok")
      assert.strictEqual(other.choices[0].logprobs, null)
    }).pipe(Effect.scoped))

  it.live("rate cap: 429 with Retry-After and retry-after-ms beyond the cap; the log records it", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ rateLimit: { requestsPerSecond: 3 } })
      const replies = yield* Effect.forEach([1, 2, 3, 4, 5], () => post(`${server.baseUrl}/chat/completions`, chat("x")))
      assert.deepStrictEqual(replies.map((r) => r.status), [200, 200, 200, 429, 429])
      assert.strictEqual(replies[0]!.headers["x-ratelimit-remaining-requests"], "2")
      assert.match(replies[3]!.headers["retry-after"] ?? "", /^\d+$/)
      assert.isAbove(Number(replies[3]!.headers["retry-after-ms"]), 0)
      const log = yield* server.log
      assert.deepStrictEqual(log.map((e) => e.status), [200, 200, 200, 429, 429])
      assert.deepStrictEqual(log.map((e) => e.seq), [1, 2, 3, 4, 5])
    }).pipe(Effect.scoped))

  it.live("every k-th request fails, seeded failures are deterministic, broken bodies and auth", () =>
    Effect.gen(function*() {
      const every = yield* FakeOpenAi.make({ failEvery: 3 })
      const statuses = yield* Effect.forEach([1, 2, 3, 4, 5, 6], () => Effect.map(post(`${every.baseUrl}/chat/completions`, chat("x")), (r) => r.status))
      assert.deepStrictEqual(statuses, [200, 200, 500, 200, 200, 500])
      const seeded = (seed: number) =>
        Effect.scoped(Effect.gen(function*() {
          const s = yield* FakeOpenAi.make({ failRate: { rate: 0.5, seed } })
          return yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.map(post(`${s.baseUrl}/chat/completions`, chat("x")), (r) => r.status))
        }))
      const a = yield* seeded(42)
      assert.deepStrictEqual(yield* seeded(42), a)
      assert.isTrue(a.includes(500) && a.includes(200))
      const broken = yield* FakeOpenAi.make({ malformedBodyEvery: 1 })
      const r = yield* post(`${broken.baseUrl}/chat/completions`, chat("x"))
      assert.throws(() => JSON.parse(r.text))
      const locked = yield* FakeOpenAi.make({ apiKey: "k" })
      assert.strictEqual((yield* post(`${locked.baseUrl}/chat/completions`, chat("x"))).status, 401)
      assert.strictEqual((yield* post(`${locked.baseUrl}/chat/completions`, chat("x"), { authorization: "Bearer k" })).status, 200)
    }).pipe(Effect.scoped))

  it.live("echoCredentials: error replies quote the credential header; GET /_fake/log serves the log", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "k", echoCredentials: true })
      const denied = yield* post(`${server.baseUrl}/chat/completions`, chat("x"), { authorization: "Bearer sk-wrong-123" })
      assert.strictEqual(denied.status, 401)
      assert.include(JSON.parse(denied.text).error.message, "Bearer sk-wrong-123")
      const anthropic = yield* post(`http://127.0.0.1:${server.port}/v1/messages`, chat("x"), { "x-api-key": "sk-ant-wrong" })
      assert.include(JSON.parse(anthropic.text).error.message, "sk-ant-wrong")
      const ok = yield* post(`${server.baseUrl}/chat/completions`, chat("x"), { authorization: "Bearer k" })
      assert.notInclude(ok.text, "Bearer k")
      const log = yield* HttpClient.get(`http://127.0.0.1:${server.port}/_fake/log`).pipe(
        Effect.flatMap((r) => r.text),
        Effect.scoped,
        Effect.provide(FetchHttpClient.layer),
        Effect.orDie
      )
      assert.deepStrictEqual(JSON.parse(log).map((e: { status: number }) => e.status), [401, 401, 200])
    }).pipe(Effect.scoped))

  it.live("responses, embeddings, unknown routes; max in flight under concurrency", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ latency: "30 millis" })
      const resp = JSON.parse((yield* post(`${server.baseUrl}/responses`, { model: "m", input: "hi" })).text)
      assert.strictEqual(resp.output[0].content[0].text, "ok")
      const emb = JSON.parse((yield* post(`${server.baseUrl}/embeddings`, { model: "e", input: ["a", "b"] })).text)
      assert.strictEqual(emb.data.length, 2)
      assert.closeTo(Math.hypot(...emb.data[0].embedding), 1, 1e-9)
      assert.strictEqual((yield* post(`${server.baseUrl}/nope`, {})).status, 404)
      yield* server.reset
      yield* Effect.forEach(Array.from({ length: 6 }), () => post(`${server.baseUrl}/chat/completions`, chat("x")), { concurrency: 6 })
      assert.strictEqual(yield* server.maxInFlight, 6)
    }).pipe(Effect.scoped))

  it.live("speaks Anthropic's Messages API on /v1/messages: content blocks, usage, x-api-key, error bodies", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "k", scripts: [{ pattern: /rate/, content: "{\"score\": 8}" }] })
      const root = server.baseUrl.replace(/\/v1$/, "")
      const message = { model: "claude", max_tokens: 64, system: "be terse", messages: [{ role: "user", content: [{ type: "text", text: "rate it" }] }] }
      const ok = yield* post(`${root}/v1/messages?beta=true`, message, { "x-api-key": "k" })
      const body = JSON.parse(ok.text)
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual(body.content, [{ type: "text", text: "{\"score\": 8}", citations: null }])
      assert.strictEqual(body.type, "message")
      assert.isAbove(body.usage.input_tokens, 0)
      assert.isAbove(body.usage.output_tokens, 0)
      const bearer = yield* post(`${root}/v1/messages`, message, { authorization: "Bearer k" })
      assert.strictEqual(bearer.status, 401)
      assert.deepStrictEqual(JSON.parse(bearer.text), { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } })
      const log = yield* server.log
      assert.deepStrictEqual(log.map((e) => [e.path, e.status, e.lastUserMessage]), [["/v1/messages", 200, "rate it"], ["/v1/messages", 401, "rate it"]])
    }).pipe(Effect.scoped))

  it.live("the shared machinery on /v1/messages: 429 + retry-after and anthropic-ratelimit headers, 529 overloaded", () =>
    Effect.gen(function*() {
      const message = { model: "claude", max_tokens: 64, messages: [{ role: "user", content: "x" }] }
      const limited = yield* FakeOpenAi.make({ rateLimit: { requestsPerSecond: 1 } })
      const [first, second] = yield* Effect.forEach([1, 2], () => post(`${limited.baseUrl}/messages`, message))
      assert.strictEqual(first!.headers["anthropic-ratelimit-requests-remaining"], "0")
      assert.isFalse(Number.isNaN(Date.parse(first!.headers["anthropic-ratelimit-requests-reset"] ?? "")))
      assert.strictEqual(second!.status, 429)
      assert.strictEqual(second!.headers["retry-after"], "1")
      assert.isUndefined(second!.headers["x-ratelimit-remaining-requests"])
      assert.strictEqual(JSON.parse(second!.text).error.type, "rate_limit_error")
      const overloaded = yield* FakeOpenAi.make({ failEvery: 1, failStatus: 529 })
      const failed = yield* post(`${overloaded.baseUrl}/messages`, message)
      assert.strictEqual(failed.status, 529)
      assert.strictEqual(JSON.parse(failed.text).error.type, "overloaded_error")
      const openAiFailure = yield* post(`${overloaded.baseUrl}/chat/completions`, chat("x"))
      assert.strictEqual(openAiFailure.status, 529)
      assert.strictEqual(JSON.parse(openAiFailure.text).error.type, "server_error")
    }).pipe(Effect.scoped))

  it.live("answerFromPrompt replies with the context sentence closest to the question", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ answerFromPrompt: true })
      const ask = (content: string) =>
        Effect.map(post(`${server.baseUrl}/chat/completions`, chat(content)), (r) => JSON.parse(r.text).choices[0].message.content)
      const prompt = "Context:\n[a.md] Paris is in France. Rome is the capital of Italy.\nQuestion: What is the capital of Italy?"
      assert.strictEqual(yield* ask(prompt), "Rome is the capital of Italy.")
      assert.strictEqual(yield* ask("Context:\nNothing here.\nQuestion: zebra?"), "I don't know.")
      assert.strictEqual(yield* ask("hello"), "ok")
    }).pipe(Effect.scoped))

  it("parses --latency values", () => {
    assert.strictEqual(parseLatency("50").toString(), parseLatency("50ms").toString())
    assert.strictEqual(parseLatency("2 seconds").toString(), parseLatency("2000").toString())
  })
})
