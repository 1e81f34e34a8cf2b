/**
 * Chat completions over HTTP for any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp, LM Studio):
 * `POST {baseUrl}/chat/completions` with `response_format: json_object` for JSON mode and `logprobs` /
 * `top_logprobs` when asked.
 *
 * Why not @effect/ai's `LanguageModel` here: `@effect/ai-openai` 0.41 implements `LanguageModel` on the
 * Responses API (`/responses`), which most OpenAI-compatible servers do not serve, and `generateText` exposes
 * neither token logprobs (G-Eval's weighting) nor the response headers of successful calls
 * (`x-ratelimit-remaining-*`, which the call policy reads). So this path speaks chat completions itself and
 * decodes the body with a Schema (for `openai:` too, with OpenAI's base URL); `openai-responses:` uses `LanguageModel`. Two transports
 * (`./post-json.ts`): {@link make} / {@link layer} / {@link layerConfig} over platform-node's undici dispatcher
 * (less CPU per call; the CLI's choice), {@link makeHttpClient} / {@link layerHttpClient} over any `HttpClient`.
 *
 * @example
 * ```ts
 * const layer = OpenAiCompatible.layer({ baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.1", apiKey: undefined })
 * ```
 */
import { HttpClient } from "@effect/platform"
import type { NodeHttpClient } from "@effect/platform-node"
import { Clock, type Config, type ConfigError, Effect, Either, Layer, Redacted, Schema } from "effect"
import { type AttemptDeadline, type ChatMessage, type ChatRequest, imageUrl, type ProviderReply } from "../chat.js"
import { classifyStatus } from "../classify.js"
import { JudgeError } from "../errors.js"
import { type Headers, rateLimitInfo } from "../headers.js"
import { layerFromConfig } from "../internal/config.js"
import { nodeHttpClient } from "../node-http.js"
import { ChatProvider, type ChatProviderApi } from "../provider.js"
import { routeOf } from "../recording.js"
import { type PostJson, viaDispatcher, viaHttpClient } from "./post-json.js"

const TopLogprob = Schema.Struct({ token: Schema.String, logprob: Schema.Number })

const ChatCompletion = Schema.Struct({
  choices: Schema.NonEmptyArray(Schema.Struct({
    message: Schema.Struct({ content: Schema.NullOr(Schema.String) }),
    logprobs: Schema.optional(Schema.NullOr(Schema.Struct({
      content: Schema.NullOr(Schema.Array(Schema.Struct({
        token: Schema.String,
        logprob: Schema.Number,
        top_logprobs: Schema.optionalWith(Schema.Array(TopLogprob), { default: () => [] })
      })))
    })))
  })),
  usage: Schema.optional(Schema.Struct({ prompt_tokens: Schema.Number, completion_tokens: Schema.Number }))
})

const decodeCompletion = Schema.decodeUnknownEither(Schema.parseJson(ChatCompletion))

/**
 * Where and what to call.
 *
 * @example
 * ```ts
 * const options: OpenAiCompatibleOptions = { baseUrl: "http://127.0.0.1:8000/v1", model: "qwen2.5", apiKey: undefined }
 * ```
 * @since 0.1.0
 */
export interface OpenAiCompatibleOptions {
  /** Base URL including the version segment, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string
  readonly model: string
  /** Sent as a bearer token when present; never logged. */
  readonly apiKey: Redacted.Redacted | undefined
  readonly temperature?: number | undefined
  /** The provider's name in messages and the judge's identity (`<provider>:<model>`; default `openai-compatible`). */
  readonly provider?: string | undefined
}

/** A message on the wire: plain text, or text then `image_url` parts when it carries images. */
const wireMessage = (message: ChatMessage) =>
  message.images === undefined || message.images.length === 0
    ? { role: message.role, content: message.content }
    : {
      role: message.role,
      content: [
        { type: "text", text: message.content },
        ...message.images.map((image) => ({ type: "image_url", image_url: { url: imageUrl(image) } }))
      ]
    }

/**
 * The chat-completions body of a request (also a line of an OpenAI batch, `../batch/openai.ts`).
 *
 * @example
 * ```ts
 * requestBody({ baseUrl, model: "gpt-4o-mini", apiKey: undefined }, { messages }).model // "gpt-4o-mini"
 * ```
 * @since 0.1.0
 */
export const requestBody = (options: OpenAiCompatibleOptions, request: ChatRequest) => ({
  model: options.model,
  messages: request.messages.map(wireMessage),
  temperature: request.temperature ?? options.temperature ?? 0,
  ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
  ...(request.json ? { response_format: { type: "json_object" } } : {}),
  ...(request.topLogprobs === undefined ? {} : { logprobs: true, top_logprobs: request.topLogprobs })
})

/**
 * The reply in a 2xx body; a 200 with a broken body is a server/proxy fault, retried like a 5xx. Also reads
 * the bodies in an OpenAI batch's output file.
 *
 * @example
 * ```ts
 * parseReply(text, {}) // Either.right({ text: "ok", usage: { input: 3, output: 1 }, ... })
 * ```
 * @since 0.1.0
 */
export const parseReply = (text: string, headers: Headers): Either.Either<ProviderReply, JudgeError> => {
  const decoded = decodeCompletion(text)
  if (Either.isLeft(decoded)) {
    return Either.left(new JudgeError({ kind: "Transient", message: `unreadable completion body: ${text.slice(0, 200)}` }))
  }
  const choice = decoded.right.choices[0]
  const tokens = choice.logprobs?.content
  return Either.right({
    text: choice.message.content ?? "",
    usage: { input: decoded.right.usage?.prompt_tokens ?? 0, output: decoded.right.usage?.completion_tokens ?? 0 },
    logprobs: tokens == null ? undefined : tokens.map((t) => ({ token: t.token, logprob: t.logprob, top: t.top_logprobs })),
    rateLimit: rateLimitInfo(headers)
  })
}

/** A non-2xx response as a classified error (`Retry-After` may be a date: it needs the clock). */
const statusError = (status: number, headers: Headers, text: string) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(classifyStatus(status, headers, text, now)))

/** The chat-completions endpoint and its fixed headers (the API key as a bearer token, when there is one). */
const endpoint = (options: OpenAiCompatibleOptions) => ({
  url: `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`,
  headers: options.apiKey === undefined ? {} : { authorization: `Bearer ${Redacted.value(options.apiKey)}` }
})

/**
 * The provider over a transport (see `./post-json.ts`).
 *
 * @example
 * ```ts
 * const provider = makeWith(options, viaHttpClient(client, url, {}))
 * ```
 * @since 0.1.0
 */
export const makeWith = (options: OpenAiCompatibleOptions, post: PostJson) => {
  // The hot path of every judge call, so plain combinators rather than a generator.
  const completeWithin = (request: ChatRequest, deadline?: AttemptDeadline): Effect.Effect<ProviderReply, JudgeError> =>
    Effect.flatMap(post(requestBody(options, request), deadline), ({ headers, status, text }) =>
      status >= 200 && status < 300 ? parseReply(text, headers) : statusError(status, headers, text))
  return {
    provider: options.provider ?? "openai-compatible",
    model: options.model,
    route: routeOf(`${options.baseUrl.replace(/\/+$/, "")}/chat/completions`),
    complete: (request: ChatRequest) => completeWithin(request),
    completeWithin
  } as const
}

/**
 * Build the provider from options over `@effect/platform-node`'s undici dispatcher (the faster transport, what
 * the CLI uses; see `./post-json.ts`).
 *
 * @example
 * ```ts
 * const provider = yield* make({ baseUrl, model: "qwen2.5", apiKey: undefined })
 * ```
 * @since 0.1.0
 */
export const make = (options: OpenAiCompatibleOptions): Effect.Effect<ChatProviderApi, never, NodeHttpClient.Dispatcher> =>
  Effect.flatMap(nodeHttpClient, (m) => m.Dispatcher).pipe(Effect.map((dispatcher) => {
    const { headers, url } = endpoint(options)
    return makeWith(options, viaDispatcher(dispatcher, url, headers))
  }))

/**
 * The provider as a Layer over an undici dispatcher.
 *
 * @example
 * ```ts
 * layer({ baseUrl: "http://127.0.0.1:8000/v1", model: "qwen2.5", apiKey: undefined }).pipe(Layer.provide(NodeHttpClient.dispatcherLayer))
 * ```
 * @since 0.1.0
 */
export const layer = (options: OpenAiCompatibleOptions): Layer.Layer<ChatProvider, never, NodeHttpClient.Dispatcher> =>
  Layer.effect(ChatProvider, make(options))

/**
 * The provider as a Layer over an undici dispatcher, its options read from `Config` values the caller names.
 *
 * @example
 * ```ts
 * layerConfig({ baseUrl: Config.string("MY_LLM_URL"), model: Config.succeed("qwen2.5"), apiKey: Config.succeed(undefined) })
 * ```
 * @since 0.1.0
 */
export const layerConfig = (
  config: Config.Config.Wrap<OpenAiCompatibleOptions>
): Layer.Layer<ChatProvider, ConfigError.ConfigError, NodeHttpClient.Dispatcher> => layerFromConfig(config, layer)

/**
 * Build the provider from options over any `HttpClient` (portable; tests may swap the client).
 *
 * @example
 * ```ts
 * const provider = yield* makeHttpClient({ baseUrl, model: "gpt-4o-mini", apiKey: Redacted.make(key) })
 * ```
 * @since 0.1.0
 */
export const makeHttpClient = (options: OpenAiCompatibleOptions): Effect.Effect<ChatProviderApi, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (client) => {
    const { headers, url } = endpoint(options)
    return makeWith(options, viaHttpClient(client, url, headers))
  })

/**
 * The provider as a Layer over any `HttpClient`.
 *
 * @example
 * ```ts
 * layerHttpClient({ baseUrl: "http://127.0.0.1:8000/v1", model: "qwen2.5", apiKey: undefined }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 * @since 0.1.0
 */
export const layerHttpClient = (options: OpenAiCompatibleOptions): Layer.Layer<ChatProvider, never, HttpClient.HttpClient> =>
  Layer.effect(ChatProvider, makeHttpClient(options))
