/**
 * The fake server's request handling as an Effect: admission (auth, quota, rate cap, refused inputs), latency, injected
 * failures, scripted content, then the reply in the endpoint's dialect (OpenAI or Anthropic, see
 * `dialects.ts`). Time comes from `Clock`, waiting from `Effect.sleep`.
 *
 * @example
 * ```ts
 * const reply = yield* handle(config, log, { method: "POST", path: "/v1/chat/completions", authorization: undefined, body })
 * ```
 */
import { Clock, Duration, Effect, Option, Schema } from "effect"
import { defaultReply, type FakeOpenAiConfig } from "./config.js"
import { type Dialect, dialectOf, type Failure, type FakeReply, type FakeRequest, openAi, type RateWindow } from "./dialects.js"
import type { RequestLog } from "./log.js"
import { imagesOf, judgeScripts } from "./judge-scripts.js"
import * as Replies from "./replies.js"

export type { FakeReply, FakeRequest } from "./dialects.js"

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): FakeReply => ({ status, headers, body })

const refuse = (dialect: Dialect, failure: Failure, headers: Record<string, string> = {}): FakeReply => {
  const { body, headers: own, status } = dialect.failure(failure)
  return reply(status, body, { ...own, ...headers })
}

/** A refusal sent before the latency (not found, auth, quota, rate cap, refused input): what a real API answers at once. */
const refusedAtOnce = (dialect: Dialect, failure: Failure, headers: Record<string, string> = {}) => ({
  reply: refuse(dialect, failure, headers),
  delayed: false
})

/** Only the retry headers of a 429's rate headers (`retry-after`, `retry-after-ms`). */
const retryHeaders = (dialect: Dialect, window: RateWindow, now: number): Record<string, string> =>
  Object.fromEntries(Object.entries(dialect.rateHeaders(window, now)).filter(([name]) => name.startsWith("retry-after")))

const decodeBody = Schema.decodeUnknownOption(Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown })))

/**
 * With `echoCredentials`, an error reply's message quotes the credential the request carried (in
 * `error.message`, or the top-level `message` of Bedrock's errors).
 */
const echoCredentials = (config: FakeOpenAiConfig, request: FakeRequest, reply: FakeReply): FakeReply => {
  const credential = request.authorization ?? request.apiKey
  const body = reply.body as { readonly error?: { readonly message?: unknown }; readonly message?: unknown } | undefined
  if (!config.echoCredentials || reply.status < 400 || credential === undefined) return reply
  const quoted = (message: string) => `${message} (received credentials: ${credential})`
  if (typeof body?.error?.message === "string") return { ...reply, body: { ...body, error: { ...body.error, message: quoted(body.error.message) } } }
  if (typeof body?.message === "string") return { ...reply, body: { ...body, message: quoted(body.message) } }
  return reply
}

/** The model a request names: in its path (Gemini, Bedrock) or its body. */
const modelOf = (path: string, body: Record<string, unknown>): string | undefined =>
  dialectOf(path)?.modelOf?.(path) ?? (typeof body.model === "string" ? body.model : undefined)

/** Mulberry32: a seeded PRNG value in [0, 1) for request `seq`. */
const seeded = (seed: number, seq: number): number => {
  let t = (seed + seq * 0x6d2b79f5) >>> 0
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/**
 * The 200 reply of a turn: the first matching script's content (or the default reply) in the dialect's body.
 * Also answers the lines of a batch (`batches.ts`).
 */
export const answer = (config: FakeOpenAiConfig, dialect: Dialect, seq: number, now: number, request: FakeRequest, body: Record<string, unknown>) => {
  const message = Replies.lastUserMessage(body)
  const script = Replies.matchScript(config.scripts ?? [], message) ??
    (config.judgeScripts === true ? Replies.matchScript(judgeScripts, message) : undefined)
  const content = script === undefined
    ? (config.answerFromPrompt === true ? Replies.answerFromContext(message) : undefined) ?? config.defaultReply ?? defaultReply
    : typeof script.content === "string" ? script.content : script.content(message)
  return dialect.reply({
    seq,
    now,
    path: request.path,
    model: modelOf(request.path, body) ?? "fake-model",
    content,
    script,
    body,
    promptTokens: Replies.countTokens(request.body),
    embeddingDimensions: config.embeddingDimensions ?? 8
  })
}

const route = (
  config: FakeOpenAiConfig,
  log: RequestLog,
  seq: number,
  now: number,
  request: FakeRequest,
  body: Option.Option<Record<string, unknown>>
) =>
  Effect.gen(function*() {
    const dialect = dialectOf(request.path)
    if (request.method !== "POST" || dialect === undefined) {
      return refusedAtOnce(openAi, { kind: "NotFound", route: `${request.method} ${request.path}` })
    }
    if (config.apiKey !== undefined && !dialect.authorized(request, config.apiKey)) return refusedAtOnce(dialect, { kind: "Auth" })
    if (config.quotaExceeded) return refusedAtOnce(dialect, { kind: "Quota" })
    const limit = config.rateLimit?.requestsPerSecond
    let rateHeaders: Record<string, string> = {}
    if (limit !== undefined) {
      const admission = yield* log.admit(now, limit)
      const stated = config.rateLimit?.headers !== false
      const tokensPerMinute = config.rateLimit?.tokensPerMinute
      if (!admission.admitted) {
        const window = { limit, remaining: 0, resetMs: admission.waitMs, retryAfterMs: admission.waitMs, tokensPerMinute }
        // Retry-After is sent whether or not the limits are: it is the 429's own answer.
        const headers = stated ? dialect.rateHeaders(window, now) : retryHeaders(dialect, window, now)
        return refusedAtOnce(dialect, { kind: "RateLimited", retryAfterMs: admission.waitMs }, headers)
      }
      if (stated) rateHeaders = dialect.rateHeaders({ limit, remaining: admission.remaining, resetMs: admission.resetMs, tokensPerMinute }, now)
    }
    const refusal = config.refuse
    if (refusal !== undefined && Replies.matchScript([{ pattern: refusal.pattern, content: "" }], Replies.lastUserMessage(Option.getOrElse(body, () => ({}))))) {
      return refusedAtOnce(dialect, { kind: "Refused", status: refusal.status ?? 400 }, rateHeaders)
    }
    const failed = (config.failEvery !== undefined && seq % config.failEvery === 0) ||
      (config.failRate !== undefined && seeded(config.failRate.seed, seq) < config.failRate.rate)
    const outcome = failed
      ? refuse(dialect, { kind: "Server", status: config.failStatus ?? 500 }, rateHeaders)
      : config.malformedBodyEvery !== undefined && seq % config.malformedBodyEvery === 0
      ? reply(200, "{\"id\": \"chatcmpl-broken\", \"choices\": [", rateHeaders)
      : Option.isNone(body)
      ? refuse(dialect, { kind: "BadBody" })
      : reply(200, answer(config, dialect, seq, now, request, body.value), rateHeaders)
    return { reply: outcome, delayed: true }
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
    const body = Option.getOrElse(parsed, () => ({} as Record<string, unknown>))
    return yield* Effect.gen(function*() {
      const routed = yield* route(config, log, seq, now, request, parsed)
      const { delayed } = routed
      const reply = echoCredentials(config, request, routed.reply)
      yield* log.record({
        seq,
        path: request.path,
        arrivedAt: now,
        inFlight,
        status: reply.status,
        model: modelOf(request.path, body),
        lastUserMessage: Replies.lastUserMessage(body),
        images: imagesOf(body)
      })
      // Serialized before the wait, so that replies due at the same moment go out back to back.
      const ready: FakeReply = typeof reply.body === "string" ? reply : { ...reply, body: JSON.stringify(reply.body) }
      if (delayed && config.latency !== undefined) {
        // The latency is the time from arrival to reply, as a real server's is: the fake's own work (parsing,
        // building and logging the reply) counts towards it instead of adding to it under load.
        const left = Duration.toMillis(config.latency) - ((yield* Clock.currentTimeMillis) - now)
        if (left > 0) yield* Effect.sleep(Duration.millis(left))
      }
      return ready
    }).pipe(Effect.ensuring(log.depart))
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
