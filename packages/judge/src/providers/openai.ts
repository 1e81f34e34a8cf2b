/**
 * OpenAI through `@effect/ai`: the `LanguageModel` of `@effect/ai-openai` (which speaks the Responses API,
 * `/responses`) behind the {@link ChatProvider} interface, so the call policy, pricing and metrics are shared
 * with the chat-completions path. JSON mode is not requested here: the provider's config override only exposes
 * `text.verbosity` (JSON output would need `generateObject`, which bypasses the provider-agnostic repair
 * loop in {@link structured}); the prompts ask for JSON and the repair loop handles the rest. Token logprobs are not exposed
 * by `generateText`, so G-Eval falls back to the plain score with this provider. `AiError`s are classified
 * from the HTTP status and headers they carry (`Retry-After` included).
 *
 * @example
 * ```ts
 * const layer = OpenAi.layer({ model: "gpt-4o-mini", apiKey: Redacted.make(key), baseUrl: undefined })
 * ```
 */
import { AiError, LanguageModel } from "@effect/ai"
import { OpenAiClient, OpenAiLanguageModel } from "@effect/ai-openai"
import type { HttpClient } from "@effect/platform"
import { Clock, Effect, Layer, type Redacted } from "effect"
import type { ChatRequest, ProviderReply } from "../chat.js"
import { classifyStatus } from "../classify.js"
import { JudgeError } from "../errors.js"
import { ChatProvider } from "../provider.js"

/**
 * Model and credentials.
 *
 * @example
 * ```ts
 * const options: OpenAiOptions = { model: "gpt-4o-mini", apiKey: Redacted.make(key) }
 * ```
 */
export interface OpenAiOptions {
  readonly model: string
  readonly apiKey: Redacted.Redacted | undefined
  /** Defaults to OpenAI's API. */
  readonly baseUrl?: string | undefined
  readonly temperature?: number | undefined
}

/**
 * Map an `AiError` to a classified {@link JudgeError}.
 *
 * @example
 * ```ts
 * fromAiError(error, Date.now()).kind
 * ```
 */
export const fromAiError = (error: AiError.AiError, now: number): JudgeError => {
  switch (error._tag) {
    case "HttpResponseError":
      return error.reason === "StatusCode"
        ? classifyStatus(error.response.status, error.response.headers, error.body ?? error.description ?? "", now)
        : new JudgeError({ kind: "Transient", message: `unreadable response (${error.reason}): ${error.description ?? ""}` })
    case "MalformedInput":
      return new JudgeError({ kind: "BadRequest", message: error.description ?? "malformed input" })
    case "HttpRequestError":
      return new JudgeError({ kind: "Transient", message: `request failed (${error.reason}): ${error.description ?? ""}` })
    default:
      return new JudgeError({ kind: "Transient", message: error.message })
  }
}

/**
 * Build the provider (requires an `OpenAiClient`).
 *
 * @example
 * ```ts
 * const provider = yield* make({ model: "gpt-4o-mini", apiKey: undefined })
 * ```
 */
export const make = (options: OpenAiOptions) =>
  Effect.gen(function*() {
    const model = yield* OpenAiLanguageModel.make({
      model: options.model,
      config: options.temperature === undefined ? {} : { temperature: options.temperature }
    })
    const complete = (request: ChatRequest): Effect.Effect<ProviderReply, JudgeError> =>
      LanguageModel.generateText({ prompt: request.messages.map((m) => ({ role: m.role, content: m.content })) }).pipe(
        Effect.provideService(LanguageModel.LanguageModel, model),
        Effect.map((response): ProviderReply => ({
          text: response.text,
          usage: { input: response.usage.inputTokens ?? 0, output: response.usage.outputTokens ?? 0 }
        })),
        Effect.catchAll((error) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(fromAiError(error, now)))
        )
      )
    return { provider: "openai", model: options.model, complete } as const
  })

/**
 * The provider as a Layer over `OpenAiClient` (requires an `HttpClient`).
 *
 * @example
 * ```ts
 * layer({ model: "gpt-4o-mini", apiKey }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 */
export const layer = (options: OpenAiOptions): Layer.Layer<ChatProvider, never, HttpClient.HttpClient> =>
  Layer.effect(ChatProvider, make(options)).pipe(
    Layer.provide(OpenAiClient.layer({
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.baseUrl === undefined ? {} : { apiUrl: options.baseUrl })
    }))
  )

