/**
 * OpenAI's Responses API (`/responses`, the `openai-responses:` provider) through `@effect/ai`: the
 * `LanguageModel` of `@effect/ai-openai` behind the {@link ChatProvider} interface, so the call policy, pricing and metrics are shared
 * with the chat-completions path. JSON mode is not requested here: the provider's config override only exposes
 * `text.verbosity` (JSON output would need `generateObject`, which bypasses the provider-agnostic repair
 * loop in {@link structured}); the prompts ask for JSON and the repair loop handles the rest. Token logprobs are not exposed
 * by `generateText`, so G-Eval falls back to the plain score with this provider. `AiError`s are classified
 * from the HTTP status and headers they carry (`Retry-After` included) by the shared adapter in
 * `./language-model.ts`.
 *
 * @example
 * ```ts
 * const layer = OpenAi.layer({ model: "gpt-4o-mini", apiKey: Redacted.make(key), baseUrl: undefined })
 * ```
 */
import type { OpenAiClient } from "@effect/ai-openai"
import type { HttpClient } from "@effect/platform"
import { type Config, type ConfigError, Effect, Layer, type Redacted } from "effect"
import { layerFromConfig } from "../internal/config.js"
import { ChatProvider, type ChatProviderApi } from "../provider.js"
import { routeOf } from "../recording.js"
import { fromLanguageModel } from "./language-model.js"

/**
 * Model and credentials.
 *
 * @example
 * ```ts
 * const options: OpenAiOptions = { model: "gpt-4o-mini", apiKey: Redacted.make(key) }
 * ```
 * @since 0.1.0
 */
export interface OpenAiOptions {
  readonly model: string
  readonly apiKey: Redacted.Redacted | undefined
  /** Defaults to OpenAI's API. */
  readonly baseUrl?: string | undefined
  readonly temperature?: number | undefined
}

/**
 * Map an `AiError` to a classified {@link JudgeError} (shared with the other `@effect/ai` providers).
 *
 * @example
 * ```ts
 * fromAiError(error, Date.now()).kind
 * ```
 */
export { fromAiError } from "./language-model.js"

/**
 * Build the provider (requires an `OpenAiClient`).
 *
 * @example
 * ```ts
 * const provider = yield* make({ model: "gpt-4o-mini", apiKey: undefined })
 * ```
 * @since 0.1.0
 */
export const make = (options: OpenAiOptions): Effect.Effect<ChatProviderApi, never, OpenAiClient.OpenAiClient> =>
  Effect.flatMap(loadOpenAi, ({ OpenAiLanguageModel }) =>
    Effect.map(
      OpenAiLanguageModel.make({
        model: options.model,
        config: options.temperature === undefined ? {} : { temperature: options.temperature }
      }),
      (languageModel) =>
        fromLanguageModel({ provider: "openai-responses", model: options.model, route: routeOf(`${options.baseUrl ?? "https://api.openai.com/v1"}/responses`), languageModel })
    ))

// @effect/ai-openai's generated client takes ~1.3 s to import; loading it on first use keeps it off the start-up
// of every CLI run that does not judge with OpenAI's Responses API.
const loadOpenAi = Effect.promise(() => import("@effect/ai-openai"))

/**
 * The provider as a Layer over `OpenAiClient` (requires an `HttpClient`).
 *
 * @example
 * ```ts
 * layer({ model: "gpt-4o-mini", apiKey }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 * @since 0.1.0
 */
export const layer = (options: OpenAiOptions): Layer.Layer<ChatProvider, never, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(loadOpenAi, ({ OpenAiClient }) =>
    Layer.effect(ChatProvider, make(options)).pipe(
      Layer.provide(OpenAiClient.layer({
        ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
        ...(options.baseUrl === undefined ? {} : { apiUrl: options.baseUrl })
      }))
    )))

/**
 * The provider as a Layer (requires an `HttpClient`), its options read from `Config` values the caller names.
 *
 * @example
 * ```ts
 * layerConfig({ model: Config.succeed("gpt-4o-mini"), apiKey: Config.redacted("MY_OPENAI_KEY") })
 * ```
 * @since 0.1.0
 */
export const layerConfig = (config: Config.Config.Wrap<OpenAiOptions>): Layer.Layer<ChatProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerFromConfig(config, layer)
