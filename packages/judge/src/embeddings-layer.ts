/**
 * The {@link Embedder} of an embedding spec (`openai:` or `openai-compatible:` — an OpenAI-compatible
 * `/embeddings` endpoint) over plain settings ({@link EmbeddingSettings}: key as a `Redacted`, base URL,
 * limits) — `embedderLayer(spec, settings)` — or over `Config` values the caller names —
 * `embedderLayerConfig(spec, config)`; `embedderLayer(spec)` asks the {@link JudgeSettingsSource}. It has its
 * own call policy and uses the {@link EmbeddingCache} when one is provided. The CLI's default model is the
 * judge provider's `text-embedding-3-small`.
 *
 * @example
 * ```ts
 * const EmbedderLive = embedderLayer(Either.getOrThrow(parseEmbeddingSpec("openai:text-embedding-3-small")), { apiKey })
 * ```
 */
import { type Config, ConfigError, Effect, Either, Layer, Redacted } from "effect"
import { Embedder, EmbeddingCache, embeddingPrices, makeEmbedder } from "./embeddings.js"
import { layerFromConfig } from "./internal/config.js"
import { JudgeSpecError } from "./layer.js"
import { nodeHttpClient } from "./node-http.js"
import { CallPolicy, type PolicySettings } from "./policy.js"
import { priceOf } from "./pricing.js"
import { viaDispatcher } from "./providers/post-json.js"
import { type EmbeddingSettings, JudgeSettingsSource } from "./settings.js"

/**
 * Which embedding model to use.
 *
 * @example
 * ```ts
 * const spec: EmbeddingSpec = { provider: "openai-compatible", model: "nomic-embed-text" }
 * ```
 * @since 0.1.0
 */
export interface EmbeddingSpec {
  readonly provider: "openai" | "openai-compatible"
  readonly model: string
  /** Policy settings that win over the settings' limits. */
  readonly policy?: Partial<PolicySettings> | undefined
  /** Whether `openai:` needs a key (default true; false when no request will be made). */
  readonly requireKey?: boolean | undefined
  /** Answer only from the {@link EmbeddingCache} (no request; implies no key needed). */
  readonly offline?: boolean | undefined
}

const PROVIDERS = ["openai", "openai-compatible"] as const

/**
 * Parse `--embedding-model provider:model`.
 *
 * @example
 * ```ts
 * parseEmbeddingSpec("openai:text-embedding-3-large") // Either.right({ provider: "openai", model: "text-embedding-3-large" })
 * ```
 * @since 0.1.0
 */
export const parseEmbeddingSpec = (input: string): Either.Either<EmbeddingSpec, JudgeSpecError> => {
  const colon = input.indexOf(":")
  const provider = colon < 0 ? "" : input.slice(0, colon)
  const model = colon < 0 ? "" : input.slice(colon + 1)
  if (!PROVIDERS.includes(provider as never) || model === "") {
    return Either.left(new JudgeSpecError({
      input,
      message: `--embedding-model: expected openai:<model> or openai-compatible:<model> (an OpenAI-compatible /embeddings endpoint), got "${input}"`
    }))
  }
  return Either.right({ provider: provider as EmbeddingSpec["provider"], model })
}

/**
 * The default embedding model for a judge (`provider:model`, or none): `text-embedding-3-small` at the
 * judge's OpenAI-compatible endpoint, or OpenAI's for judges that serve no embeddings.
 *
 * @example
 * ```ts
 * defaultEmbeddingModel("openai-compatible:llama3.1") // "openai-compatible:text-embedding-3-small"
 * ```
 * @since 0.1.0
 */
export const defaultEmbeddingModel = (judge: string | null): string =>
  judge?.startsWith("openai-compatible:") ? "openai-compatible:text-embedding-3-small" : "openai:text-embedding-3-small"

const OPENAI_URL = "https://api.openai.com/v1"
const LOCAL_URL = "http://127.0.0.1:11434/v1"

/** The Embedder of a spec over resolved settings (see {@link embedderLayer}). */
const build = (spec: EmbeddingSpec, s: EmbeddingSettings): Layer.Layer<Embedder, ConfigError.ConfigError> => {
  if (spec.provider === "openai" && s.apiKey === undefined && spec.requireKey !== false && spec.offline !== true) {
    return Layer.fail(ConfigError.MissingData(["apiKey"], `embeddings openai:${spec.model} need an API key`))
  }
  const apiKey = s.apiKey
  const baseUrl = (s.baseUrl ?? (spec.provider === "openai" ? OPENAI_URL : LOCAL_URL)).replace(/\/+$/, "")
  const headers: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${Redacted.value(apiKey)}` }
  const limits: Partial<PolicySettings> = {
    ...(s.maxConnections === undefined ? {} : { maxConnections: s.maxConnections }),
    ...(s.requestsPerMinute === undefined ? {} : { requestsPerMinute: s.requestsPerMinute }),
    ...spec.policy
  }
  const make = Effect.gen(function*() {
    const dispatcher = yield* Effect.flatMap(nodeHttpClient, (m) => m.Dispatcher)
    const policy = yield* CallPolicy
    const cache = yield* Effect.serviceOption(EmbeddingCache)
    return makeEmbedder(
      {
        provider: spec.provider,
        model: spec.model,
        secrets: apiKey === undefined ? [] : [apiKey],
        price: priceOf(embeddingPrices, spec.model),
        offline: spec.offline
      },
      viaDispatcher(dispatcher, `${baseUrl}/embeddings`, headers),
      policy,
      cache._tag === "Some" ? cache.value : undefined
    )
  })
  return Layer.effect(Embedder, make).pipe(Layer.provide(CallPolicy.layer(limits)), Layer.provide(Layer.unwrapEffect(Effect.map(nodeHttpClient, (m) => m.dispatcherLayer))))
}

/**
 * The Embedder of a spec (see the module doc); `openai:` without a key is a ConfigError before any request.
 * With `settings`, exactly those; without, the {@link JudgeSettingsSource}'s (none unless a program provides one).
 *
 * @example
 * ```ts
 * evaluate(cases, [semanticSimilarity()]).pipe(Effect.provide(embedderLayer({ provider: "openai", model: "text-embedding-3-small" }, { apiKey })))
 * ```
 * @since 0.1.0
 */
export const embedderLayer = (spec: EmbeddingSpec, settings?: EmbeddingSettings): Layer.Layer<Embedder, ConfigError.ConfigError> =>
  settings === undefined
    ? Layer.unwrapEffect(Effect.flatMap(JudgeSettingsSource, (source) => Effect.map(source.embedder(spec), (resolved) => build(spec, resolved))))
    : build(spec, settings)

/**
 * The Embedder of a spec over settings read from `Config` values the caller names.
 *
 * @example
 * ```ts
 * embedderLayerConfig({ provider: "openai", model: "text-embedding-3-small" }, { apiKey: Config.redacted("MY_OPENAI_KEY") })
 * ```
 * @since 0.1.0
 */
export const embedderLayerConfig = (spec: EmbeddingSpec, config: Config.Config.Wrap<EmbeddingSettings>): Layer.Layer<Embedder, ConfigError.ConfigError> =>
  layerFromConfig(config, (settings) => embedderLayer(spec, settings))
