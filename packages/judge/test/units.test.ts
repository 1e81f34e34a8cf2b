import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { anthropicRateLimitInfo, classifyStatus, costOf, defaultPrices, jsonText, parseJudgeSpec, parseResetDuration, priceOf, rateLimitInfo, retryAfterMillis } from "@assay/judge"
import { retryDelayMillis } from "../src/internal/backoff.js"
import { makePacer } from "../src/internal/pacer.js"

describe("headers", () => {
  it("retry-after-ms wins; Retry-After as seconds or HTTP date", () => {
    assert.strictEqual(retryAfterMillis({ "retry-after-ms": "250", "retry-after": "9" }, 0), 250)
    assert.strictEqual(retryAfterMillis({ "retry-after": "2" }, 0), 2000)
    assert.strictEqual(retryAfterMillis({ "retry-after": "0.5" }, 0), 500)
    const now = Date.parse("Mon, 23 Nov 2026 20:00:00 GMT")
    assert.strictEqual(retryAfterMillis({ "retry-after": "Mon, 23 Nov 2026 20:00:03 GMT" }, now), 3000)
    assert.strictEqual(retryAfterMillis({ "retry-after": "Mon, 23 Nov 2026 19:00:00 GMT" }, now), 0)
    assert.isUndefined(retryAfterMillis({ "retry-after": "soon" }, now))
    assert.isUndefined(retryAfterMillis({}, now))
  })

  it("x-ratelimit reset durations", () => {
    assert.strictEqual(parseResetDuration("6m0s"), 360_000)
    assert.strictEqual(parseResetDuration("20ms"), 20)
    assert.strictEqual(parseResetDuration("1m30.5s"), 90_500)
    assert.strictEqual(parseResetDuration("2"), 2000)
    assert.isUndefined(parseResetDuration("2 minutes"))
    assert.deepStrictEqual(rateLimitInfo({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s", "x-ratelimit-remaining-tokens": "x" }), {
      limitRequests: undefined,
      remainingRequests: 0,
      resetRequestsMillis: 1000,
      limitTokens: undefined,
      remainingTokens: undefined,
      resetTokensMillis: undefined
    })
    assert.deepInclude(rateLimitInfo({ "x-ratelimit-limit-requests": "500", "x-ratelimit-limit-tokens": "30000" }), {
      limitRequests: 500,
      limitTokens: 30_000
    })
    const now = Date.parse("2026-01-01T00:00:00Z")
    assert.deepStrictEqual(anthropicRateLimitInfo({
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "0",
      "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:02Z",
      "anthropic-ratelimit-tokens-limit": "40000"
    }, now), {
      limitRequests: 50,
      remainingRequests: 0,
      resetRequestsMillis: 2000,
      limitTokens: 40_000,
      remainingTokens: undefined,
      resetTokensMillis: undefined
    })
  })
})

describe("classification", () => {
  it("maps statuses to retryable and fatal kinds", () => {
    assert.strictEqual(classifyStatus(429, { "retry-after": "1" }, "{}", 0).retryAfterMillis, 1000)
    assert.strictEqual(classifyStatus(429, {}, "{\"error\":{\"code\":\"insufficient_quota\"}}", 0).kind, "Quota")
    assert.strictEqual(classifyStatus(401, {}, "{\"error\":{\"message\":\"bad key\"}}", 0).message, "401: bad key")
    assert.strictEqual(classifyStatus(403, {}, "", 0).kind, "Auth")
    assert.strictEqual(classifyStatus(400, {}, "", 0).kind, "BadRequest")
    assert.strictEqual(classifyStatus(404, {}, "", 0).kind, "BadRequest")
    assert.strictEqual(classifyStatus(408, {}, "", 0).kind, "Transient")
    assert.strictEqual(classifyStatus(503, {}, "", 0).kind, "Transient")
    assert.isAtMost(classifyStatus(500, {}, "x".repeat(1000), 0).message.length, 310)
  })
})

describe("backoff", () => {
  const settings = { baseDelayMillis: 100, maxDelayMillis: 1000 }
  it("exponential with equal jitter, capped", () => {
    assert.strictEqual(retryDelayMillis(0, undefined, settings, 0), 50)
    assert.strictEqual(retryDelayMillis(0, undefined, settings, 0.999), 100)
    assert.strictEqual(retryDelayMillis(3, undefined, settings, 0), 400)
    assert.strictEqual(retryDelayMillis(10, undefined, settings, 0.5), 750)
  })
  it("retry-after plus at most 10% jitter, capped by maxDelay", () => {
    assert.strictEqual(retryDelayMillis(5, 300, settings, 0), 300)
    assert.strictEqual(retryDelayMillis(5, 300, settings, 0.5), 315)
    assert.strictEqual(retryDelayMillis(0, 60_000, settings, 0), 1000)
  })
})

describe("pacer", () => {
  it("paces only after a 429, at 0.8 × the average gap between successes, until it has been quiet", () => {
    const pacer = makePacer({ quietMillis: 1000 })
    for (let t = 0; t <= 2000; t += 100) pacer.onSuccess(t)
    assert.strictEqual(pacer.reserve(2000), 0, "no 429 yet: no pacing")
    assert.strictEqual(pacer.reserve(2000), 0)
    pacer.onRateLimited(2000)
    assert.deepStrictEqual([pacer.reserve(2500), pacer.reserve(2500), pacer.reserve(2510)], [0, 80, 150])
    assert.strictEqual(pacer.reserve(2800), 0, "a call after the booked slots starts at once")
    assert.strictEqual(pacer.reserve(3000), 0, "quiet for 1 s: pacing is over")
    assert.strictEqual(pacer.reserve(3000), 0)
  })
})

describe("pricing, spec parsing and JSON extraction", () => {
  it("prices by exact name or longest prefix", () => {
    assert.closeTo(costOf(defaultPrices, "gpt-4o-mini", { input: 1_000_000, output: 1_000_000 })!, 0.75, 1e-12)
    assert.strictEqual(costOf(defaultPrices, "llama3", { input: 1000, output: 1000 }), undefined) // unknown, never 0
    assert.deepStrictEqual(priceOf({ "llama*": { input: 1, output: 1 }, "llama3*": { input: 2, output: 2 } }, "llama3.1"), { input: 2, output: 2 })
    assert.deepStrictEqual(priceOf(defaultPrices, "claude-3-5-haiku-latest"), { input: 0.8, output: 4 })
  })
  it("parses --judge provider:model", () => {
    assert.deepStrictEqual(parseJudgeSpec("openai:gpt-4o-mini"), Either.right({ provider: "openai", model: "gpt-4o-mini" }))
    assert.deepStrictEqual(parseJudgeSpec("openai-responses:gpt-4o"), Either.right({ provider: "openai-responses", model: "gpt-4o" }))
    assert.deepStrictEqual(parseJudgeSpec("openai-compatible:llama3.1:8b"), Either.right({ provider: "openai-compatible", model: "llama3.1:8b" }))
    assert.deepStrictEqual(
      parseJudgeSpec("anthropic:claude-3-5-haiku-latest"),
      Either.right({ provider: "anthropic", model: "claude-3-5-haiku-latest" })
    )
    assert.deepStrictEqual(parseJudgeSpec("gemini:gemini-2.0-flash"), Either.right({ provider: "gemini", model: "gemini-2.0-flash" }))
    const bad = parseJudgeSpec("mistral:large")
    assert.isTrue(Either.isLeft(bad) && bad.left.message.includes("provider one of openai, openai-compatible, openai-responses, anthropic, gemini, bedrock"))
    assert.isTrue(Either.isLeft(parseJudgeSpec("openai:")))
  })
  it("finds the JSON object in fenced or chatty replies", () => {
    assert.strictEqual(jsonText("Sure!\n```json\n{\"a\": 1}\n```"), "{\"a\": 1}")
    assert.strictEqual(jsonText("Here: {\"a\": {\"b\": 2}} done"), "{\"a\": {\"b\": 2}}")
    assert.strictEqual(jsonText("no json"), "no json")
  })
})
