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
import { Clock, Effect, Layer, Option, type Redacted, Schema } from "effect"
import type { ChatRequest, ProviderReply } from "../chat.js"
import { classifyStatus } from "../classify.js"
import { JudgeError } from "../errors.js"
import { rateLimitInfo } from "../headers.js"
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
    // The judge's own `judge.chat` span covers the call; HttpClient's per-request span (and the trace headers
    // it would send to a third-party API) cost ~40 % of the client's CPU per call in the judge benchmark.
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerDisabledWhen(() => true),
      HttpClient.withTracerPropagation(false)
    )
    const url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`
    const complete = (request: ChatRequest): Effect.Effect<ProviderReply, JudgeError> =>
      Effect.gen(function*() {
        const base = HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson(requestBody(options, request)))
        const httpRequest = options.apiKey === undefined ? base : HttpClientRequest.bearerToken(base, options.apiKey)
        const response = yield* client.execute(httpRequest).pipe(Effect.mapError(transportError))
        const text = yield* response.text.pipe(Effect.mapError(transportError))
        const headers = response.headers as Record<string, string | undefined>
        if (response.status < 200 || response.status >= 300) {
          return yield* classifyStatus(response.status, headers, text, yield* Clock.currentTimeMillis)
        }
        const decoded = decodeCompletion(text)
        if (decoded._tag === "Left") {
          // A 200 with a broken body is a server/proxy fault: retry it like a 5xx.
          return yield* new JudgeError({ kind: "Transient", message: `unreadable completion body: ${text.slice(0, 200)}` })
        }
        const choice = decoded.right.choices[0]
        const logprobs = Option.fromNullable(choice.logprobs?.content).pipe(
          Option.map((tokens) => tokens.map((t) => ({ token: t.token, logprob: t.logprob, top: t.top_logprobs }))),
          Option.getOrUndefined
        )
        return {
          text: choice.message.content ?? "",
          usage: { input: decoded.right.usage?.prompt_tokens ?? 0, output: decoded.right.usage?.completion_tokens ?? 0 },
          logprobs,
          rateLimit: rateLimitInfo(headers)
        }
      }).pipe(Effect.scoped)
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

