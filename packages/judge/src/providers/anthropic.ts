/**
 * Anthropic through `@effect/ai`: the `LanguageModel` of `@effect/ai-anthropic` (Messages API,
 * `POST {baseUrl}/v1/messages`) behind the {@link ChatProvider} interface, so the call policy, pricing and
 * metrics are shared with the other providers.
 *
 * Why `LanguageModel` and not the generated client's `messagesPost`: `generateText` reports the usage
 * (`input_tokens` / `output_tokens`), and its `AiError`s keep the status, the response headers
 * (`retry-after`) and the error body, which is all the call policy needs to retry correctly. It does not expose
 * the headers of successful responses (`anthropic-ratelimit-*`), so there is no pacing ahead of a first 429;
 * a 429's `retry-after` still pauses the model's other calls.
 * The API has no JSON mode and no token logprobs: the prompts ask for JSON and the
 * repair loop handles the rest; G-Eval falls back to the plain score.
 *
 * The API key travels in `x-api-key` (which the client adds to Effect's redacted header names) and lives in a
 * `Redacted`; errors are built from the status, headers and body only (see `./language-model.ts`).
 *
 * @example
 * ```ts
 * const layer = Anthropic.layer({ model: "claude-3-5-haiku-latest", apiKey: Redacted.make(key) })
 * ```
 */
import type { AnthropicClient } from "@effect/ai-anthropic"
import type { HttpClient } from "@effect/platform"
import { type Config, type ConfigError, Effect, Layer, type Redacted } from "effect"
import type { ChatRequest } from "../chat.js"
import { layerFromConfig } from "../internal/config.js"
import { ChatProvider, type ChatProviderApi } from "../provider.js"
import { routeOf } from "../recording.js"
import { fromLanguageModel } from "./language-model.js"

/**
 * Model and credentials.
 *
 * @example
 * ```ts
 * const options: AnthropicOptions = { model: "claude-3-5-haiku-latest", apiKey: Redacted.make(key) }
 * ```
 * @since 0.1.0
 */
export interface AnthropicOptions {
  readonly model: string
  readonly apiKey: Redacted.Redacted | undefined
  /** Defaults to `https://api.anthropic.com`; a trailing `/v1` is accepted and dropped. */
  readonly baseUrl?: string | undefined
  readonly temperature?: number | undefined
  /** Reply budget when the request sets none (the Messages API requires one). Default 1024. */
  readonly maxTokens?: number | undefined
}

/** The default reply budget: judge replies are short JSON objects. */
const DEFAULT_MAX_TOKENS = 1024

/**
 * The API root the client prefixes to `/v1/messages`: trailing slashes and a trailing `/v1` removed, so both
 * `https://api.anthropic.com` and `https://api.anthropic.com/v1` work.
 *
 * @example
 * ```ts
 * apiRoot("http://127.0.0.1:8080/v1/") // "http://127.0.0.1:8080"
 * ```
 * @since 0.1.0
 */
export const apiRoot = (baseUrl: string): string => baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")

/** Per request: the request's temperature and reply budget win over the options'. */
const configure = (anthropic: AnthropicModule, options: AnthropicOptions) => (request: ChatRequest) => {
  const temperature = request.temperature ?? options.temperature
  return anthropic.AnthropicLanguageModel.withConfigOverride({
    max_tokens: request.maxTokens ?? options.maxTokens ?? DEFAULT_MAX_TOKENS,
    ...(temperature === undefined ? {} : { temperature })
  })
}

/**
 * Build the provider (requires an `AnthropicClient`).
 *
 * @example
 * ```ts
 * const provider = yield* make({ model: "claude-3-5-haiku-latest", apiKey: undefined })
 * ```
 * @since 0.1.0
 */
export const make = (options: AnthropicOptions): Effect.Effect<ChatProviderApi, never, AnthropicClient.AnthropicClient> =>
  Effect.flatMap(loadAnthropic, (anthropic) =>
    Effect.map(
      anthropic.AnthropicLanguageModel.make({ model: options.model }),
      (languageModel) =>
        fromLanguageModel({
          provider: "anthropic",
          model: options.model,
          route: routeOf(`${apiRoot(options.baseUrl ?? "https://api.anthropic.com")}/v1/messages`),
          languageModel,
          configure: configure(anthropic, options)
        })
    ))

// Loaded on first use, like the OpenAI provider: runs that do not judge with Anthropic never pay its import.
const loadAnthropic = Effect.promise(() => import("@effect/ai-anthropic"))
type AnthropicModule = typeof import("@effect/ai-anthropic")

/**
 * The provider as a Layer over `AnthropicClient` (requires an `HttpClient`).
 *
 * @example
 * ```ts
 * layer({ model: "claude-3-5-haiku-latest", apiKey }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 * ```
 * @since 0.1.0
 */
export const layer = (options: AnthropicOptions): Layer.Layer<ChatProvider, never, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(loadAnthropic, ({ AnthropicClient }) =>
    Layer.effect(ChatProvider, make(options)).pipe(
      Layer.provide(AnthropicClient.layer({
        ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
        ...(options.baseUrl === undefined ? {} : { apiUrl: apiRoot(options.baseUrl) })
      }))
    )))

/**
 * The provider as a Layer (requires an `HttpClient`), its options read from `Config` values the caller names.
 *
 * @example
 * ```ts
 * layerConfig({ model: Config.succeed("claude-3-5-haiku-latest"), apiKey: Config.redacted("MY_ANTHROPIC_KEY") })
 * ```
 * @since 0.1.0
 */
export const layerConfig = (config: Config.Config.Wrap<AnthropicOptions>): Layer.Layer<ChatProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerFromConfig(config, layer)
