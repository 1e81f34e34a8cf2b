/**
 * Google Gemini through the Generative Language API: `POST {baseUrl}/models/{model}:generateContent`, the key
 * in the `x-goog-api-key` header (never in the URL's `?key=`, where error messages naming the URL would carry
 * it), JSON mode as `generationConfig.responseMimeType: application/json`, usage from `usageMetadata`.
 *
 * Why not `@effect/ai-google`: its releases (up to 0.15) require @effect/ai 0.36 / platform 0.96 and do not
 * install beside this project's ai 0.37 / platform 0.97; so this speaks the documented wire format over the
 * same undici transport as the OpenAI-compatible provider (`./post-json.ts`), behind {@link ChatProvider}.
 *
 * Errors: Gemini answers a bad key with 400 `INVALID_ARGUMENT` / reason `API_KEY_INVALID` (classified `Auth`
 * here, not `BadRequest`), overload with 429 `RESOURCE_EXHAUSTED` or 503 `UNAVAILABLE`; a 429 may state its
 * wait only in the body (`RetryInfo.retryDelay: "12s"`), which is read when no `Retry-After` header is sent.
 *
 * @example
 * ```ts
 * const layer = Gemini.layer({ model: "gemini-2.0-flash", apiKey: Redacted.make(key) })
 * ```
 */
import type { NodeHttpClient } from "@effect/platform-node"
import { Clock, type Config, type ConfigError, Effect, Either, Layer, Redacted, Schema } from "effect"
import type { AttemptDeadline, ChatImage, ChatMessage, ChatRequest, ProviderReply } from "../chat.js"
import { classifyStatus } from "../classify.js"
import { JudgeError } from "../errors.js"
import type { Headers } from "../headers.js"
import { layerFromConfig } from "../internal/config.js"
import { nodeHttpClient } from "../node-http.js"
import { ChatProvider, type ChatProviderApi } from "../provider.js"
import { routeOf } from "../recording.js"
import { type PostJson, viaDispatcher } from "./post-json.js"

/**
 * The public endpoint, including the version segment.
 *
 * @since 0.1.0
 */
export const GEMINI_URL = "https://generativelanguage.googleapis.com/v1beta"

/**
 * Model and credentials.
 *
 * @example
 * ```ts
 * const options: GeminiOptions = { model: "gemini-2.0-flash", apiKey: Redacted.make(key) }
 * ```
 * @since 0.1.0
 */
export interface GeminiOptions {
  /** e.g. `gemini-2.0-flash` (a leading `models/` is accepted). */
  readonly model: string
  readonly apiKey: Redacted.Redacted | undefined
  /** Defaults to {@link GEMINI_URL}; must include the version segment (`/v1beta` or `/v1`). */
  readonly baseUrl?: string | undefined
  readonly temperature?: number | undefined
}

const GenerateContentResponse = Schema.Struct({
  candidates: Schema.optionalWith(
    Schema.Array(Schema.Struct({
      content: Schema.optional(Schema.Struct({
        parts: Schema.optionalWith(Schema.Array(Schema.Struct({ text: Schema.optional(Schema.String) })), { default: () => [] })
      })),
      finishReason: Schema.optional(Schema.String)
    })),
    { default: () => [] }
  ),
  usageMetadata: Schema.optional(Schema.Struct({
    promptTokenCount: Schema.optional(Schema.Number),
    candidatesTokenCount: Schema.optional(Schema.Number),
    thoughtsTokenCount: Schema.optional(Schema.Number)
  })),
  promptFeedback: Schema.optional(Schema.Struct({ blockReason: Schema.optional(Schema.String) }))
})
const decodeResponse = Schema.decodeUnknownEither(Schema.parseJson(GenerateContentResponse))

/**
 * The `generateContent` body of a chat request: system messages become `systemInstruction`, assistant turns
 * are `model` turns.
 *
 * @example
 * ```ts
 * requestBody({ model: "gemini-2.0-flash", apiKey: undefined }, { messages: [{ role: "user", content: "hi" }], json: true })
 * // { contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig: { temperature: 0, responseMimeType: "application/json" } }
 * ```
 * @since 0.1.0
 */
export const requestBody = (options: GeminiOptions, request: ChatRequest) => {
  const system = request.messages.filter((m) => m.role === "system").map((m) => ({ text: m.content }))
  return {
    contents: request.messages
      .filter((m) => m.role !== "system")
      .map((m) => ({ role: m.role === "assistant" ? "model" : "user", parts: partsOf(m) })),
    ...(system.length === 0 ? {} : { systemInstruction: { parts: system } }),
    generationConfig: {
      temperature: request.temperature ?? options.temperature ?? 0,
      ...(request.maxTokens === undefined ? {} : { maxOutputTokens: request.maxTokens }),
      ...(request.json ? { responseMimeType: "application/json" } : {})
    }
  }
}

/** A Gemini part for an image: inline bytes as `inlineData`, a URL as `fileData` (Gemini fetches it). */
const imagePart = (image: ChatImage) =>
  image.kind === "inline"
    ? { inlineData: { mimeType: image.mediaType, data: image.base64 } }
    : { fileData: { fileUri: image.url, mimeType: mimeOfUrl(image.url) } }

/** The media type a URL's extension suggests (`fileData` requires one). */
const mimeOfUrl = (url: string): string => {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase()
  return ext === "png" ? "image/png" : ext === "webp" ? "image/webp" : ext === "gif" ? "image/gif" : "image/jpeg"
}

/** A message's parts: its text, then its images. */
const partsOf = (m: ChatMessage) => [{ text: m.content }, ...(m.images ?? []).map(imagePart)]

/** The reply in a 2xx body. A blocked prompt is a `BadRequest` (retrying it gets the same answer). */
const parseReply = (text: string): Either.Either<ProviderReply, JudgeError> => {
  const decoded = decodeResponse(text)
  if (Either.isLeft(decoded)) {
    return Either.left(new JudgeError({ kind: "Transient", message: `unreadable generateContent body: ${text.slice(0, 200)}` }))
  }
  const { candidates, promptFeedback, usageMetadata } = decoded.right
  const first = candidates[0]
  if (first === undefined) {
    const reason = promptFeedback?.blockReason ?? "no candidates"
    return Either.left(new JudgeError({ kind: "BadRequest", message: `gemini returned no answer (${reason})` }))
  }
  return Either.right({
    text: (first.content?.parts ?? []).map((p) => p.text ?? "").join(""),
    usage: {
      input: usageMetadata?.promptTokenCount ?? 0,
      // Thinking tokens are billed as output.
      output: (usageMetadata?.candidatesTokenCount ?? 0) + (usageMetadata?.thoughtsTokenCount ?? 0)
    }
  })
}

/** `"12s"` / `"1.5s"` (a protobuf Duration in JSON) in a 429 body's `RetryInfo`, in milliseconds. */
const retryDelayMillis = (body: string): number | undefined => {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(body)
  return match === null ? undefined : Math.ceil(Number(match[1]) * 1000)
}

/**
 * A non-2xx `generateContent` response as a classified error: {@link classifyStatus}, except that a rejected
 * key (400 `API_KEY_INVALID`) is `Auth` and a 429's body `retryDelay` counts when no header states a wait.
 *
 * @example
 * ```ts
 * classifyGemini(400, {}, '{"error":{"status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}', 0).kind // "Auth"
 * ```
 * @since 0.1.0
 */
export const classifyGemini = (status: number, headers: Headers, body: string, now: number): JudgeError => {
  const error = classifyStatus(status, headers, body, now)
  if (status === 400 && /API_KEY_INVALID|API key not valid/.test(body)) {
    return new JudgeError({ kind: "Auth", message: error.message, status })
  }
  const delay = error.kind === "RateLimited" && error.retryAfterMillis === undefined ? retryDelayMillis(body) : undefined
  return delay === undefined ? error : new JudgeError({ kind: error.kind, message: error.message, status, retryAfterMillis: delay })
}

/** The endpoint of a model. */
const endpointUrl = (options: GeminiOptions): string =>
  `${(options.baseUrl ?? GEMINI_URL).replace(/\/+$/, "")}/models/${encodeURIComponent(options.model.replace(/^models\//, ""))}:generateContent`

/**
 * The provider over a transport (see `./post-json.ts`).
 *
 * @example
 * ```ts
 * const provider = makeWith(options, viaDispatcher(dispatcher, url, headers))
 * ```
 * @since 0.1.0
 */
export const makeWith = (options: GeminiOptions, post: PostJson): ChatProviderApi => {
  const completeWithin = (request: ChatRequest, deadline?: AttemptDeadline): Effect.Effect<ProviderReply, JudgeError> =>
    Effect.flatMap(post(requestBody(options, request), deadline), ({ headers, status, text }) =>
      status >= 200 && status < 300
        ? parseReply(text)
        : Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(classifyGemini(status, headers, text, now))))
  return {
    provider: "gemini",
    model: options.model,
    route: routeOf(endpointUrl(options)),
    complete: (request) => completeWithin(request),
    completeWithin
  }
}

/**
 * The provider over `@effect/platform-node`'s undici dispatcher.
 *
 * @example
 * ```ts
 * const provider = yield* make({ model: "gemini-2.0-flash", apiKey })
 * ```
 * @since 0.1.0
 */
export const make = (options: GeminiOptions): Effect.Effect<ChatProviderApi, never, NodeHttpClient.Dispatcher> =>
  Effect.flatMap(nodeHttpClient, (m) => m.Dispatcher).pipe(Effect.map((dispatcher) => {
    const headers: Record<string, string> = options.apiKey === undefined ? {} : { "x-goog-api-key": Redacted.value(options.apiKey) }
    return makeWith(options, viaDispatcher(dispatcher, endpointUrl(options), headers))
  }))

/**
 * The provider as a Layer over an undici dispatcher (what the CLI uses).
 *
 * @example
 * ```ts
 * layer({ model: "gemini-2.0-flash", apiKey }).pipe(Layer.provide(NodeHttpClient.dispatcherLayer))
 * ```
 * @since 0.1.0
 */
export const layer = (options: GeminiOptions): Layer.Layer<ChatProvider, never, NodeHttpClient.Dispatcher> =>
  Layer.effect(ChatProvider, make(options))

/**
 * The provider as a Layer over an undici dispatcher, its options read from `Config` values the caller names.
 *
 * @example
 * ```ts
 * layerConfig({ model: Config.succeed("gemini-2.0-flash"), apiKey: Config.redacted("MY_GEMINI_KEY") })
 * ```
 * @since 0.1.0
 */
export const layerConfig = (config: Config.Config.Wrap<GeminiOptions>): Layer.Layer<ChatProvider, ConfigError.ConfigError, NodeHttpClient.Dispatcher> =>
  layerFromConfig(config, layer)
