/**
 * The wire dialects the fake server speaks: OpenAI (`/v1/chat/completions`, `/v1/responses`, `/v1/embeddings`;
 * bearer auth; `x-ratelimit-*` headers) and Anthropic (`/v1/messages`; `x-api-key` auth;
 * `anthropic-ratelimit-*` headers; error bodies of type `"error"`). The admission, latency, failure and script
 * machinery in `handler.ts` is shared; a dialect only decides how a request authenticates and how replies,
 * failures and rate-limit headers are spelled.
 *
 * @example
 * ```ts
 * dialectOf("/v1/messages")?.failure({ kind: "Auth" }).status // 401
 * ```
 */
import type { Script } from "./config.js"
import { bedrock, gemini } from "./dialects-cloud.js"
import * as Replies from "./replies.js"

/**
 * A request reduced to what the handler needs. Credentials are never logged.
 *
 * @example
 * ```ts
 * const request: FakeRequest = { method: "POST", path: "/v1/messages", authorization: undefined, apiKey: "k", body }
 * ```
 */
export interface FakeRequest {
  readonly method: string
  readonly path: string
  /** The `Authorization` header (OpenAI: `Bearer <key>`). */
  readonly authorization: string | undefined
  /** The `x-api-key` header (Anthropic). */
  readonly apiKey?: string | undefined
  /** The `Content-Type` header (a multipart file upload's boundary). */
  readonly contentType?: string | undefined
  readonly body: string
}

/**
 * What to send back. `body` is sent verbatim when it is a string, else as JSON.
 *
 * @example
 * ```ts
 * const reply: FakeReply = { status: 200, headers: {}, body: { ok: true } }
 * ```
 */
export interface FakeReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

/**
 * Why a request is refused.
 *
 * @example
 * ```ts
 * const failure: Failure = { kind: "Server", status: 529 }
 * ```
 */
export type Failure =
  | { readonly kind: "NotFound"; readonly route: string }
  | { readonly kind: "Auth" | "Quota" | "BadBody" }
  | { readonly kind: "RateLimited"; readonly retryAfterMs?: number | undefined }
  | { readonly kind: "Server"; readonly status: number }
  | { readonly kind: "Refused"; readonly status: number }

/**
 * The rolling-window state reported in rate-limit headers; `retryAfterMs` is set on a 429.
 *
 * @example
 * ```ts
 * const window: RateWindow = { limit: 10, remaining: 0, resetMs: 250, retryAfterMs: 250 }
 * ```
 */
export interface RateWindow {
  /** Requests admitted per rolling second. */
  readonly limit: number
  /** What is left of them in the current second. */
  readonly remaining: number
  /** Tokens per minute stated in the headers (not enforced). */
  readonly tokensPerMinute?: number | undefined
  readonly resetMs: number
  readonly retryAfterMs?: number | undefined
}

/**
 * One successful turn: the parsed request and the content chosen from the scripts.
 *
 * @example
 * ```ts
 * dialect.reply({ seq: 1, now: 0, path: "/v1/messages", model: "m", content: "ok", script: undefined, body, promptTokens: 3, embeddingDimensions: 8 })
 * ```
 */
export interface Turn {
  readonly seq: number
  readonly now: number
  readonly path: string
  readonly model: string
  readonly content: string
  readonly script: Script | undefined
  readonly body: Record<string, unknown>
  readonly promptTokens: number
  readonly embeddingDimensions: number
}

/**
 * How one API family spells requests and replies.
 *
 * @example
 * ```ts
 * const { status, body } = anthropic.failure({ kind: "RateLimited" }) // 429, { type: "error", error: { ... } }
 * ```
 */
export interface Dialect {
  readonly routes: ReadonlyArray<string>
  /** Paths served besides `routes`, for APIs with the model in the path (Gemini, Bedrock). */
  readonly matches?: ((path: string) => boolean) | undefined
  /** The model named by the path, for APIs with the model in the path. */
  readonly modelOf?: ((path: string) => string | undefined) | undefined
  /** Whether the request carries `apiKey` the way this API expects it. */
  readonly authorized: (request: FakeRequest, apiKey: string) => boolean
  readonly failure: (failure: Failure) => {
    readonly status: number
    readonly body: unknown
    /** Headers the error always carries (Bedrock's `x-amzn-errortype`). */
    readonly headers?: Readonly<Record<string, string>> | undefined
  }
  readonly rateHeaders: (window: RateWindow, now: number) => Record<string, string>
  /** The 200 body of a turn. */
  readonly reply: (turn: Turn) => unknown
}

/**
 * The window's limits as providers state them, per minute: the cap and what is left of the current second,
 * times 60 — a per-minute limit enforced per second, as OpenAI documents its limits may be.
 */
const perMinute = (window: RateWindow) => ({ limit: window.limit * 60, remaining: window.remaining * 60 })

const retryAfterSeconds = (window: RateWindow) =>
  window.retryAfterMs === undefined ? {} : { "retry-after": String(Math.ceil(window.retryAfterMs / 1000)) }

/**
 * OpenAI: chat completions (with logprobs when asked), responses and embeddings.
 *
 * @example
 * ```ts
 * openAi.authorized({ method: "POST", path: "/v1/responses", authorization: "Bearer k", body: "" }, "k") // true
 * ```
 */
export const openAi: Dialect = {
  routes: ["/v1/chat/completions", "/v1/responses", "/v1/embeddings"],
  authorized: (request, apiKey) => request.authorization === `Bearer ${apiKey}`,
  failure: (failure) => {
    switch (failure.kind) {
      case "NotFound":
        return { status: 404, body: Replies.errorBody(`no route ${failure.route}`, "invalid_request_error", null) }
      case "Auth":
        return { status: 401, body: Replies.errorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key") }
      case "Quota":
        return { status: 429, body: Replies.errorBody("You exceeded your current quota.", "insufficient_quota", "insufficient_quota") }
      case "RateLimited":
        return { status: 429, body: Replies.errorBody("Rate limit reached for requests.", "requests", "rate_limit_exceeded") }
      case "BadBody":
        return { status: 400, body: Replies.errorBody("We could not parse the JSON body.", "invalid_request_error", null) }
      case "Server":
        return { status: failure.status, body: Replies.errorBody("The server had an error.", "server_error", null) }
      case "Refused":
        return { status: failure.status, body: Replies.errorBody("This input is refused.", "invalid_request_error", null) }
    }
  },
  rateHeaders: (window) => ({
    "x-ratelimit-limit-requests": String(perMinute(window).limit),
    "x-ratelimit-remaining-requests": String(perMinute(window).remaining),
    ...(window.tokensPerMinute === undefined ? {} : { "x-ratelimit-limit-tokens": String(window.tokensPerMinute) }),
    "x-ratelimit-reset-requests": `${window.resetMs}ms`,
    ...retryAfterSeconds(window),
    ...(window.retryAfterMs === undefined ? {} : { "retry-after-ms": String(window.retryAfterMs) })
  }),
  reply: (turn) => {
    if (turn.path.endsWith("/embeddings")) return Replies.embeddingsBody(turn.model, turn.body.input, turn.embeddingDimensions)
    if (turn.path.endsWith("/responses")) return Replies.responseBody({ ...turn, created: turn.now })
    const logprobs = turn.body.logprobs === true ? Replies.logprobsOf(turn.content, turn.script?.scoreProbabilities) : undefined
    return Replies.chatCompletion({ ...turn, created: turn.now, logprobs })
  }
}

/**
 * Anthropic: the Messages API. A failure of status 529 is spelled `overloaded_error`; a quota problem is
 * Anthropic's 400 "credit balance too low" (a billing error, not load).
 *
 * @example
 * ```ts
 * anthropic.failure({ kind: "Server", status: 529 }).body // { type: "error", error: { type: "overloaded_error", ... } }
 * ```
 */
export const anthropic: Dialect = {
  routes: ["/v1/messages"],
  authorized: (request, apiKey) => request.apiKey === apiKey,
  failure: (failure) => {
    switch (failure.kind) {
      case "NotFound":
        return { status: 404, body: Replies.anthropicError("not_found_error", `no route ${failure.route}`) }
      case "Auth":
        return { status: 401, body: Replies.anthropicError("authentication_error", "invalid x-api-key") }
      case "Quota":
        return { status: 400, body: Replies.anthropicError("invalid_request_error", "Your credit balance is too low.") }
      case "RateLimited":
        return { status: 429, body: Replies.anthropicError("rate_limit_error", "Number of requests has exceeded your rate limit.") }
      case "BadBody":
        return { status: 400, body: Replies.anthropicError("invalid_request_error", "The request body is not valid JSON.") }
      case "Refused":
        return { status: failure.status, body: Replies.anthropicError("invalid_request_error", "This input is refused.") }
      case "Server":
        return failure.status === 529
          ? { status: 529, body: Replies.anthropicError("overloaded_error", "Overloaded") }
          : { status: failure.status, body: Replies.anthropicError("api_error", "Internal server error") }
    }
  },
  rateHeaders: (window, now) => ({
    "anthropic-ratelimit-requests-limit": String(perMinute(window).limit),
    "anthropic-ratelimit-requests-remaining": String(perMinute(window).remaining),
    ...(window.tokensPerMinute === undefined ? {} : { "anthropic-ratelimit-tokens-limit": String(window.tokensPerMinute) }),
    "anthropic-ratelimit-requests-reset": new Date(now + window.resetMs).toISOString(),
    ...retryAfterSeconds(window)
  }),
  reply: (turn) => Replies.messageBody(turn)
}

/**
 * The dialect serving a path, if any.
 *
 * @example
 * ```ts
 * dialectOf("/v1/chat/completions") === openAi // true
 * ```
 */
export const dialectOf = (path: string): Dialect | undefined =>
  [openAi, anthropic, gemini, bedrock].find((dialect) => dialect.routes.includes(path) || dialect.matches?.(path) === true)
