import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import { evaluate } from "@assay/core"
import { FakeOpenAi } from "@assay/fake-openai"
import { Bedrock, faithfulness, Gemini, Judge, judgeLayer, type JudgeSpec } from "@assay/judge"
import { env } from "./cli-env.js"
import { ask, quick, rag } from "./helpers.js"

// The gemini: and bedrock: providers over real HTTP to the fake server's Gemini (generateContent) and Bedrock
// (converse) routes, built as the CLI builds them (judgeLayer + environment), on the live clock; assertions are
// on the server's request log, the judge's stats and the errors, never on elapsed wall-clock time — except
// that a retry waits at least the wait the server asked for.

const GEMINI_KEY = "AIzaSy-test-GEMINI-0123456789abcdef"
const AWS_ID = "AKIATESTACCESSKEY123"
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
const AWS_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789"
const GEMINI_MODEL = "gemini-2.0-flash"
const BEDROCK_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"

const chat = Effect.flatMap(Judge, (j) => j.chat(ask("hi")))

/** Each provider's spec and the environment pointing it at the fake server with the given credentials. */
const setups = (port: number, credentials: { readonly gemini: string; readonly awsId: string }) => ({
  gemini: {
    spec: { provider: "gemini", model: GEMINI_MODEL, policy: quick } satisfies JudgeSpec,
    vars: [["GEMINI_BASE_URL", `http://127.0.0.1:${port}/v1beta`], ["GEMINI_API_KEY", credentials.gemini]] as const,
    path: `/v1beta/models/${GEMINI_MODEL}:generateContent`
  },
  bedrock: {
    spec: { provider: "bedrock", model: BEDROCK_MODEL, policy: quick } satisfies JudgeSpec,
    vars: [
      ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", `http://127.0.0.1:${port}`],
      ["AWS_ACCESS_KEY_ID", credentials.awsId],
      ["AWS_SECRET_ACCESS_KEY", AWS_SECRET],
      ["AWS_SESSION_TOKEN", AWS_TOKEN],
      ["AWS_REGION", "us-east-1"]
    ] as const,
    path: `/model/${encodeURIComponent(BEDROCK_MODEL)}/converse`
  }
})

const right = { gemini: GEMINI_KEY, awsId: AWS_ID }
const names = ["gemini", "bedrock"] as const

const scripts = [
  { pattern: /Extract every factual claim/, content: "{\"claims\": [\"Paris is the capital\"]}" },
  { pattern: /retrieval context supports/, content: "{\"verdicts\": [{\"verdict\": \"yes\", \"reason\": \"r\"}]}" }
]

describe("gemini: and bedrock: over HTTP", () => {
  it.live("a judge metric scores through each; usage and list-price cost are reported; the model is in the path", () =>
    Effect.gen(function*() {
      for (const name of names) {
        // The fake's key is the Gemini key for Gemini and the access key id for Bedrock.
        const fake = yield* FakeOpenAi.make({ apiKey: name === "gemini" ? GEMINI_KEY : AWS_ID, scripts })
        const { path, spec, vars } = setups(fake.port, right)[name]
        const run = yield* evaluate([rag(0), rag(1)], [faithfulness()]).pipe(Effect.provide(judgeLayer(spec)), env(vars))
        assert.strictEqual(run.summary.passed, 2, name)
        assert.strictEqual(run.cases[0]!.metrics[0]!.score, 1, name)
        assert.isAbove(run.cases[0]!.tokens.input, 0, name)
        assert.isAbove(run.cases[0]!.tokens.output, 0, name)
        assert.isAbove(run.cases[0]!.cost, 0, `${name}: the model has a list price`)
        const log = yield* fake.log
        assert.strictEqual(log.length, 4, name)
        assert.isTrue(log.every((e) => e.path === path && e.status === 200 && e.model === spec.model), name)
      }
    }).pipe(Effect.scoped))

  it.live("a 429 is waited out (Gemini's body retryDelay, Bedrock's retry-after) before the retry", () =>
    Effect.gen(function*() {
      for (const name of names) {
        const server = yield* FakeOpenAi.make({ rateLimit: { requestsPerSecond: 1 }, defaultReply: "fine" })
        const { spec, vars } = setups(server.port, right)[name]
        const { replies, stats } = yield* Effect.gen(function*() {
          const judge = yield* Judge
          const replies = yield* Effect.forEach(["a", "b"], (q) => judge.chat(ask(q)))
          return { replies, stats: yield* judge.stats }
        }).pipe(Effect.provide(judgeLayer({ ...spec, policy: { ...quick, maxDelay: "5 seconds" } })), env(vars))
        assert.deepStrictEqual(replies.map((r) => r.text), ["fine", "fine"], name)
        const log = yield* server.log
        assert.deepStrictEqual(log.map((e) => e.status), [200, 429, 200], name)
        // The server asked for 1 s; the quick backoff alone would retry after ~2 ms.
        assert.isAtLeast(log[2]!.arrivedAt - log[1]!.arrivedAt, 1000, name)
        assert.strictEqual(stats.policy?.rateLimited, 1, name)
      }
    }).pipe(Effect.scoped))

  it.live("5xx is retried as transient; a 400 is not", () =>
    Effect.gen(function*() {
      for (const name of names) {
        const flaky = yield* FakeOpenAi.make({ failEvery: 2, failStatus: 503 })
        const { spec, vars } = setups(flaky.port, right)[name]
        const stats = yield* Effect.forEach(["a", "b", "c"], (q) => Effect.flatMap(Judge, (j) => j.chat(ask(q)))).pipe(
          Effect.zipRight(Effect.flatMap(Judge, (j) => j.stats)),
          Effect.provide(judgeLayer(spec)),
          env(vars)
        )
        assert.deepStrictEqual((yield* flaky.log).map((e) => e.status), [200, 503, 200, 503, 200], name)
        assert.strictEqual(stats.policy?.retries, 2, name)
        const refusing = yield* FakeOpenAi.make({ refuse: { pattern: "hi" } })
        const at = setups(refusing.port, right)[name]
        const error = yield* Effect.flip(chat).pipe(Effect.provide(judgeLayer(at.spec)), env(at.vars))
        assert.strictEqual(error.kind, "BadRequest", name)
        assert.include(error.message, "This input is refused", name)
        if (name === "bedrock") assert.include(error.message, "ValidationException")
        assert.strictEqual((yield* refusing.log).length, 1, name)
      }
    }).pipe(Effect.scoped))

  it.live("a rejected key that the server echoes back: Auth at once, no secret in the message, naming the variables", () =>
    Effect.gen(function*() {
      for (const name of names) {
        const server = yield* FakeOpenAi.make({ apiKey: "the-right-one", echoCredentials: true })
        const { spec, vars } = setups(server.port, right)[name]
        const { first, second } = yield* Effect.all({ first: Effect.flip(chat), second: Effect.flip(chat) }).pipe(
          Effect.provide(judgeLayer(spec)),
          env(vars)
        )
        assert.strictEqual(first.kind, "Auth", name)
        for (const secret of [GEMINI_KEY, AWS_ID, AWS_SECRET, AWS_TOKEN]) assert.notInclude(first.message, secret, name)
        assert.include(first.message, "received credentials", `${name}: the server did echo them`)
        assert.include(first.message, "<redacted>", name)
        assert.include(first.message, `${name} rejected the API key`)
        assert.include(first.message, name === "gemini" ? "GEMINI_API_KEY" : "AWS_SECRET_ACCESS_KEY")
        if (name === "gemini") assert.include(first.message, "API key not valid")
        else assert.include(first.message, "UnrecognizedClientException")
        assert.deepStrictEqual(second, first)
        assert.strictEqual((yield* server.log).length, 1, `${name}: the second call made no request`)
      }
    }).pipe(Effect.scoped))

  it.live("missing credentials fail before any request, naming the variables", () =>
    Effect.gen(function*() {
      const gemini = yield* Effect.exit(Effect.provide(chat, judgeLayer({ provider: "gemini", model: GEMINI_MODEL })).pipe(env([])))
      assert.isTrue(Exit.isFailure(gemini))
      assert.include(String(Exit.isFailure(gemini) ? gemini.cause : ""), "set GEMINI_API_KEY or GOOGLE_API_KEY")
      const bedrock = yield* Effect.exit(
        Effect.provide(chat, judgeLayer({ provider: "bedrock", model: BEDROCK_MODEL })).pipe(env([["AWS_ACCESS_KEY_ID", AWS_ID]]))
      )
      assert.include(String(Exit.isFailure(bedrock) ? bedrock.cause : ""), "set AWS_SECRET_ACCESS_KEY, AWS_REGION")
    }))

  it.live("GOOGLE_API_KEY is read when GEMINI_API_KEY is not set", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: GEMINI_KEY, defaultReply: "ok" })
      const reply = yield* chat.pipe(
        Effect.provide(judgeLayer({ provider: "gemini", model: GEMINI_MODEL })),
        env([["GEMINI_BASE_URL", `http://127.0.0.1:${server.port}/v1beta`], ["GOOGLE_API_KEY", GEMINI_KEY]])
      )
      assert.strictEqual(reply.text, "ok")
    }).pipe(Effect.scoped))
})

describe("wire formats", () => {
  it("gemini: system instruction, model turns, JSON mode and reply budget", () => {
    const body = Gemini.requestBody({ model: "m", apiKey: undefined, temperature: 0.2 }, {
      messages: [{ role: "system", content: "be strict" }, { role: "user", content: "q" }, { role: "assistant", content: "a" }],
      json: true,
      maxTokens: 64
    })
    assert.deepStrictEqual(body, {
      contents: [{ role: "user", parts: [{ text: "q" }] }, { role: "model", parts: [{ text: "a" }] }],
      systemInstruction: { parts: [{ text: "be strict" }] },
      generationConfig: { temperature: 0.2, maxOutputTokens: 64, responseMimeType: "application/json" }
    })
  })

  it("images: Gemini inlineData / fileData parts, Bedrock image blocks (URLs named in text)", () => {
    const messages = [{ role: "user" as const, content: "rate", images: [
      { kind: "inline" as const, mediaType: "image/png", base64: "iVBORw0KGgo=" },
      { kind: "url" as const, url: "https://example.com/cat.webp" }
    ] }]
    assert.deepStrictEqual(Gemini.requestBody({ model: "m", apiKey: undefined }, { messages }).contents[0]!.parts, [
      { text: "rate" },
      { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
      { fileData: { fileUri: "https://example.com/cat.webp", mimeType: "image/webp" } }
    ])
    const blocks = Bedrock.requestBody({}, { messages }).messages[0]!.content
    assert.deepStrictEqual(blocks.slice(0, 2), [{ text: "rate" }, { image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } }])
    assert.include(JSON.stringify(blocks[2]), "image not sent: https://example.com/cat.webp")
  })

  it("gemini: a bad key's 400 is Auth; a 429's body retryDelay is its wait", () => {
    const badKey = JSON.stringify({ error: { code: 400, message: "API key not valid.", status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] } })
    assert.strictEqual(Gemini.classifyGemini(400, {}, badKey, 0).kind, "Auth")
    assert.strictEqual(Gemini.classifyGemini(400, {}, "{\"error\":{\"message\":\"bad field\"}}", 0).kind, "BadRequest")
    const limited = Gemini.classifyGemini(429, {}, "{\"error\":{\"details\":[{\"retryDelay\":\"12.5s\"}]}}", 0)
    assert.strictEqual(limited.kind, "RateLimited")
    assert.strictEqual(limited.retryAfterMillis, 12_500)
  })

  it("bedrock: system blocks, text content, inference config", () => {
    assert.deepStrictEqual(Bedrock.requestBody({}, { messages: [{ role: "system", content: "s" }, { role: "user", content: "q" }], maxTokens: 9 }), {
      messages: [{ role: "user", content: [{ text: "q" }] }],
      system: [{ text: "s" }],
      inferenceConfig: { temperature: 0, maxTokens: 9 }
    })
  })

  it("bedrock: the error type names the error; credential errors are Auth whatever the status", () => {
    const throttled = Bedrock.classifyBedrock(429, { "x-amzn-errortype": "ThrottlingException:http://x/" }, "{\"message\":\"slow down\"}", 0)
    assert.strictEqual(throttled.kind, "RateLimited")
    assert.strictEqual(throttled.message, "429: ThrottlingException: slow down")
    assert.strictEqual(Bedrock.classifyBedrock(400, { "x-amzn-errortype": "ExpiredTokenException" }, "{\"Message\":\"expired\"}", 0).kind, "Auth")
    assert.strictEqual(Bedrock.classifyBedrock(424, { "x-amzn-errortype": "ModelErrorException" }, "{}", 0).kind, "BadRequest")
  })

  it.effect("bedrock: the SigV4 signature covers host, content type, body hash, date and session token, for service bedrock", () =>
    Effect.gen(function*() {
      const options = {
        model: BEDROCK_MODEL,
        region: "eu-west-1",
        credentials: { accessKeyId: Redacted.make(AWS_ID), secretAccessKey: Redacted.make(AWS_SECRET), sessionToken: Redacted.make(AWS_TOKEN) }
      }
      const url = `${Bedrock.defaultEndpoint("eu-west-1")}/model/${encodeURIComponent(BEDROCK_MODEL)}/converse`
      const sign = yield* Bedrock.signer(options, url)
      const headers = yield* sign("{\"messages\":[]}")
      // TestClock: time 0.
      assert.strictEqual(headers["x-amz-date"], "19700101T000000Z")
      assert.strictEqual(headers["x-amz-security-token"], AWS_TOKEN)
      assert.match(
        headers.authorization!,
        new RegExp(`^AWS4-HMAC-SHA256 Credential=${AWS_ID}/19700101/eu-west-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$`)
      )
      assert.strictEqual(headers["x-amz-content-sha256"], createHash("sha256").update("{\"messages\":[]}").digest("hex"))
      assert.notInclude(JSON.stringify(headers), AWS_SECRET)
      const again = yield* sign("{\"messages\":[1]}")
      assert.notStrictEqual(again.authorization, headers.authorization, "the body is signed")
    }))
})
