/**
 * Chat completions over HTTP for any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp, LM Studio):
 * `POST {baseUrl}/chat/completions` with `response_format: json_object` for JSON mode and `logprobs` /
 * `top_logprobs` when asked.
 *
 * Why not @effect/ai's `LanguageModel` here: `@effect/ai-openai` 0.41 implements `LanguageModel` on the
 * Responses API (`/responses`), which most OpenAI-compatible servers do not serve, and `generateText` exposes
 * neither token logprobs (G-Eval's weighting) nor the response headers of successful calls
 * (`x-ratelimit-remaining-*`, which the call policy reads). So this path speaks chat completions with
 * `HttpClient` and decodes the body with a Schema; the `openai` provider does use `LanguageModel`.
 *
 * @example
 * ```ts
 * const layer = OpenAiCompatible.layer({ baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.1", apiKey: undefined })
 * ```
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Effect, Either, Layer, type Redacted, Schema } from "effect"
import type { ChatRequest, ProviderReply } from "../chat.js"
import { classifyStatus } from "../classify.js"
import { JudgeError } from "../errors.js"
import { type Headers, rateLimitInfo } from "../headers.js"
import { ChatProvider } from "../provider.js"

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
 */
export interface OpenAiCompatibleOptions {
  /** Base URL including the version segment, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string
  readonly model: string
  /** Sent as a bearer token when present; never logged. */
  readonly apiKey: Redacted.Redacted | undefined
  readonly temperature?: number | undefined
}

const requestBody = (options: OpenAiCompatibleOptions, request: ChatRequest) => ({
  model: options.model,
  messages: request.messages,
  temperature: request.temperature ?? options.temperature ?? 0,
  ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
  ...(request.json ? { response_format: { type: "json_object" } } : {}),
  ...(request.topLogprobs === undefined ? {} : { logprobs: true, top_logprobs: request.topLogprobs })
})

const transportError = (error: { readonly message: string }) =>
  new JudgeError({ kind: "Transient", message: `connection failed: ${error.message}` })

/** The reply in a 2xx body; a 200 with a broken body is a server/proxy fault, retried like a 5xx. */
const parseReply = (text: string, headers: Headers): Either.Either<ProviderReply, JudgeError> => {
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

/**
 * Build the provider from options (requires an `HttpClient`).
 *
 * @example
 * ```ts
 * const provider = yield* make({ baseUrl, model: "gpt-4o-mini", apiKey: Redacted.make(key) })
 * ```
 */
export const make = (options: OpenAiCompatibleOptions) =>
  Effect.gen(function*() {
    // The judge's own `judge.chat` span covers the call; HttpClient's per-request span cost ~40 % of the
    // client's CPU per call in the judge benchmark. Without that span no trace headers are sent either.
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerDisabledWhen(() => true))
    // URL and auth header are the same for every call: build them once; a call only sets its body.
    const post = HttpClientRequest.post(`${options.baseUrl.replace(/\/+$/, "")}/chat/completions`)
    const base = options.apiKey === undefined ? post : HttpClientRequest.bearerToken(post, options.apiKey)
    // The hot path of every judge call, so plain combinators rather than a generator. `execute` needs no
    // Scope: the body is read in full (`text`) and an interrupted read aborts the request.
    const complete = (request: ChatRequest): Effect.Effect<ProviderReply, JudgeError> =>
      client.execute(HttpClientRequest.bodyUnsafeJson(base, requestBody(options, request))).pipe(
        Effect.flatMap((response) => Effect.map(response.text, (text) => ({ response, text }))),
        Effect.mapError(transportError),
        Effect.flatMap(({ response, text }) => {
          const headers = response.headers as Headers
          return response.status >= 200 && response.status < 300
            ? parseReply(text, headers)
            : statusError(response.status, headers, text)
        })
      )
    return { provider: "openai-compatible", model: options.model, complete } as const
  })

/**
 * The provider as a Layer.
 *
 * @example
 * ```ts
 * layer({ baseUrl: "http://127.0.0.1:8000/v1", model: "qwen2.5", apiKey: undefined }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 */
export const layer = (options: OpenAiCompatibleOptions): Layer.Layer<ChatProvider, never, HttpClient.HttpClient> =>
  Layer.effect(ChatProvider, make(options))

