/**
 * The part the `@effect/ai` providers share: a `LanguageModel` (from `@effect/ai-openai`,
 * `@effect/ai-anthropic`, …) behind the {@link ChatProviderApi} interface, and the mapping of its `AiError`s to
 * classified {@link JudgeError}s, so every `LanguageModel`-backed provider gets the same retry behaviour from
 * the call policy (429 → `RateLimited` with `Retry-After`, 5xx/529 → `Transient`, 401/403 → `Auth`, other 4xx →
 * `BadRequest`, nothing listening → `Unreachable`).
 *
 * @example
 * ```ts
 * const api = fromLanguageModel({ provider: "anthropic", model: "claude-3-5-haiku-latest", languageModel })
 * ```
 */
import type * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import { Clock, Effect } from "effect"
import type { ChatMessage, ChatRequest, ProviderReply } from "../chat.js"
import { classifyStatus, classifyTransport } from "../classify.js"
import { JudgeError } from "../errors.js"
import type { ChatProviderApi } from "../provider.js"

/**
 * Map an `AiError` to a classified {@link JudgeError}. Only the status, the response headers and the body's
 * message are used: the request (and its API key header) never reaches the message.
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
      return error.reason === "Transport"
        ? classifyTransport(error.request.url, error.cause)
        : new JudgeError({ kind: "BadRequest", message: `request failed (${error.reason}): ${error.description ?? error.request.url}` })
    default:
      return new JudgeError({ kind: "Transient", message: error.message })
  }
}

/**
 * A chat message as an `@effect/ai` prompt message: its images become file parts (base64 or URL), which the
 * providers send as image blocks (Anthropic `image` with a `base64` or `url` source, OpenAI `input_image`).
 *
 * @example
 * ```ts
 * promptMessage({ role: "user", content: "hi" }) // { role: "user", content: "hi" }
 * ```
 */
export const promptMessage = (message: ChatMessage) => {
  if (message.role !== "user" || message.images === undefined || message.images.length === 0) {
    return { role: message.role, content: message.content }
  }
  const files = message.images.map((image) =>
    image.kind === "inline"
      ? { type: "file" as const, mediaType: image.mediaType, data: image.base64 }
      : { type: "file" as const, mediaType: "image/*", data: new URL(image.url) }
  )
  return { role: "user" as const, content: [{ type: "text" as const, text: message.content }, ...files] }
}

/**
 * What {@link fromLanguageModel} needs.
 *
 * @example
 * ```ts
 * const options: LanguageModelProviderOptions = { provider: "openai", model: "gpt-4o-mini", languageModel }
 * ```
 */
export interface LanguageModelProviderOptions {
  /** The provider name reported in stats and cache keys, e.g. `anthropic`. */
  readonly provider: string
  readonly model: string
  /** The URL path the model posts to (see `ChatProviderApi.route`). */
  readonly route?: string | undefined
  readonly languageModel: LanguageModel.Service
  /**
   * Per-request provider settings (e.g. the request's `maxTokens` / `temperature` through the provider's
   * `withConfigOverride`); identity when absent.
   */
  readonly configure?: ((request: ChatRequest) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) | undefined
}

/**
 * A {@link ChatProviderApi} over a `LanguageModel`: one `generateText` per attempt, usage from the response,
 * failures classified with {@link fromAiError}. Token logprobs and the headers of successful responses are not
 * exposed by `generateText`, so replies carry neither (G-Eval falls back to the plain score; the call policy
 * still honours the `Retry-After` of a 429, which the `AiError` carries).
 *
 * @example
 * ```ts
 * const languageModel = yield* AnthropicLanguageModel.make({ model: "claude-3-5-haiku-latest" })
 * const api = fromLanguageModel({ provider: "anthropic", model: "claude-3-5-haiku-latest", languageModel })
 * ```
 */
export const fromLanguageModel = (options: LanguageModelProviderOptions): ChatProviderApi => {
  const configure = options.configure ?? (() => (self) => self)
  const complete = (request: ChatRequest): Effect.Effect<ProviderReply, JudgeError> =>
    LanguageModel.generateText({ prompt: request.messages.map(promptMessage) }).pipe(
      configure(request),
      Effect.provideService(LanguageModel.LanguageModel, options.languageModel),
      Effect.map((response): ProviderReply => ({
        text: response.text,
        usage: { input: response.usage.inputTokens ?? 0, output: response.usage.outputTokens ?? 0 }
      })),
      Effect.catchAll((error) => Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(fromAiError(error, now))))
    )
  return { provider: options.provider, model: options.model, route: options.route, complete }
}
