/**
 * The fake server's request handling as an Effect: admission (auth, quota, rate cap), latency, injected
 * failures, then the reply for the endpoint. Time comes from `Clock`, waiting from `Effect.sleep`.
 *
 * @example
 * ```ts
 * const reply = yield* handle(config, log, { method: "POST", path: "/v1/chat/completions", authorization: undefined, body })
 * ```
 */
import { Clock, Duration, Effect, Option, Schema } from "effect"
import { defaultReply, type FakeOpenAiConfig } from "./config.js"
import type { RequestLog } from "./log.js"
import * as Replies from "./replies.js"

/** A request reduced to what the handler needs. */
export interface FakeRequest {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly body: string
}

/** What to send back. `body` is sent verbatim when it is a string, else as JSON. */
export interface FakeReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeReply => ({ status, headers, body })

const decodeBody = Schema.decodeUnknownOption(Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown })))

/** Mulberry32: a seeded PRNG value in [0, 1) for request `seq`. */
const seeded = (seed: number, seq: number): number => {
  let t = (seed + seq * 0x6d2b79f5) >>> 0
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const endpoint = (config: FakeOpenAiConfig, seq: number, now: number, request: FakeRequest, body: Record<string, unknown>): FakeReply => {
  const model = typeof body.model === "string" ? body.model : "fake-model"
  if (request.path.endsWith("/embeddings")) {
    return json(200, Replies.embeddingsBody(model, body.input, config.embeddingDimensions ?? 8))
  }
  const message = Replies.lastUserMessage(body)
  const script = Replies.matchScript(config.scripts ?? [], message)
  const content = script === undefined
    ? config.defaultReply ?? defaultReply
    : typeof script.content === "string" ? script.content : script.content(message)
  const promptTokens = Replies.countTokens(request.body)
  if (request.path.endsWith("/responses")) {
    return json(200, Replies.responseBody({ seq, created: now, model, content, promptTokens }))
  }
  const logprobs = body.logprobs === true ? Replies.logprobsOf(content, script?.scoreProbabilities) : undefined
  return json(200, Replies.chatCompletion({ seq, created: now, model, content, promptTokens, logprobs }))
}

const ROUTES = new Set(["/v1/chat/completions", "/v1/responses", "/v1/embeddings"])

const route = (
  config: FakeOpenAiConfig,
  log: RequestLog,
  seq: number,
  now: number,
  request: FakeRequest,
  body: Option.Option<Record<string, unknown>>
) =>
  Effect.gen(function*() {
    if (request.method !== "POST" || !ROUTES.has(request.path)) {
      return json(404, Replies.errorBody(`no route ${request.method} ${request.path}`, "invalid_request_error", null))
    }
    if (config.apiKey !== undefined && request.authorization !== `Bearer ${config.apiKey}`) {
      return json(401, Replies.errorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"))
    }
    if (config.quotaExceeded) {
      return json(429, Replies.errorBody("You exceeded your current quota.", "insufficient_quota", "insufficient_quota"))
    }
    const limit = config.rateLimit?.requestsPerSecond
    let rateHeaders: Record<string, string> = {}
    if (limit !== undefined) {
      const admission = yield* log.admit(now, limit)
      if (!admission.admitted) {
        return json(429, Replies.errorBody("Rate limit reached for requests.", "requests", "rate_limit_exceeded"), {
          "retry-after": String(Math.ceil(admission.waitMs / 1000)),
          "retry-after-ms": String(admission.waitMs),
          "x-ratelimit-limit-requests": String(limit),
          "x-ratelimit-remaining-requests": "0",
          "x-ratelimit-reset-requests": `${admission.waitMs}ms`
        })
      }
      rateHeaders = {
        "x-ratelimit-limit-requests": String(limit),
        "x-ratelimit-remaining-requests": String(admission.remaining),
        "x-ratelimit-reset-requests": `${admission.resetMs}ms`
      }
    }
    if (config.latency !== undefined) yield* Effect.sleep(config.latency)
    const failed = (config.failEvery !== undefined && seq % config.failEvery === 0) ||
      (config.failRate !== undefined && seeded(config.failRate.seed, seq) < config.failRate.rate)
    if (failed) return json(500, Replies.errorBody("The server had an error.", "server_error", null), rateHeaders)
    if (config.malformedBodyEvery !== undefined && seq % config.malformedBodyEvery === 0) {
      return json(200, "{\"id\": \"chatcmpl-broken\", \"choices\": [", rateHeaders)
    }
    if (Option.isNone(body)) return json(400, Replies.errorBody("We could not parse the JSON body.", "invalid_request_error", null))
    const reply = endpoint(config, seq, now, request, body.value)
    return { ...reply, headers: { ...reply.headers, ...rateHeaders } }
  })

/**
 * Handle one request and record it in the log.
 *
 * @example
 * ```ts
 * const reply = yield* handle({ latency: "10 millis" }, log, request)
 * ```
 */
export const handle = (config: FakeOpenAiConfig, log: RequestLog, request: FakeRequest): Effect.Effect<FakeReply> =>
  Effect.gen(function*() {
    const { inFlight, seq } = yield* log.arrive
    const now = yield* Clock.currentTimeMillis
    const parsed = decodeBody(request.body)
    const reply = yield* route(config, log, seq, now, request, parsed).pipe(Effect.ensuring(log.depart))
    const body = Option.getOrElse(parsed, () => ({} as Record<string, unknown>))
    yield* log.record({
      seq,
      path: request.path,
      arrivedAt: now,
      inFlight,
      status: reply.status,
      model: typeof body.model === "string" ? body.model : undefined,
      lastUserMessage: Replies.lastUserMessage(body)
    })
    return reply
  })

/**
 * Parse a `--latency` style duration ("50", "50ms", "2 seconds"); plain numbers are milliseconds.
 *
 * @example
 * ```ts
 * parseLatency("50") // Duration.millis(50)
 * ```
 */
export const parseLatency = (text: string): Duration.Duration =>
  /^\d+(\.\d+)?$/.test(text) ? Duration.millis(Number(text)) : Duration.decode(text.replace(/^(\d+)ms$/, "$1 millis") as Duration.DurationInput)
