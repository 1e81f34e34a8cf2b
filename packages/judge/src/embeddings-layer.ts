/**
 * The {@link Embedder} the CLI builds from `--embedding-model <provider>:<model>` (config `embeddingModel`):
 * `openai:` or `openai-compatible:` — an OpenAI-compatible `/embeddings` endpoint at the judge's base URL and key
 * (`ASSAY_JUDGE_BASE_URL`, else `OPENAI_BASE_URL`; `ASSAY_JUDGE_API_KEY`, else `OPENAI_API_KEY`, read as
 * `Redacted`), with its own call policy (the judge's `ASSAY_JUDGE_*` limits) and the {@link EmbeddingCache}
 * when one is provided. Without `--embedding-model` the model is the judge provider's `text-embedding-3-small`.
 *
 * @example
 * ```ts
 * const EmbedderLive = embedderLayer(Either.getOrThrow(parseEmbeddingSpec("openai:text-embedding-3-small")))
 * ```
 */
import { Config, ConfigError, Effect, Either, Layer, Option, Redacted } from "effect"
import { Embedder, EmbeddingCache, embeddingPrices, makeEmbedder } from "./embeddings.js"
import { JudgeSpecError } from "./layer.js"
import { nodeHttpClient } from "./node-http.js"
import { CallPolicy, type PolicySettings } from "./policy.js"
import { priceOf } from "./pricing.js"
import { viaDispatcher } from "./providers/post-json.js"

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
  /** Policy settings that win over the environment's. */
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

const settings = Config.all({
  apiKey: Config.option(Config.redacted("ASSAY_JUDGE_API_KEY").pipe(Config.orElse(() => Config.redacted("OPENAI_API_KEY")))),
  baseUrl: Config.option(Config.string("ASSAY_JUDGE_BASE_URL").pipe(Config.orElse(() => Config.string("OPENAI_BASE_URL")))),
  maxConnections: Config.option(Config.number("ASSAY_JUDGE_MAX_CONNECTIONS")),
  requestsPerMinute: Config.option(Config.number("ASSAY_JUDGE_RPM"))
})

/**
 * The Embedder of a spec (see the module doc); `openai:` without a key is a ConfigError before any request.
 *
 * @example
 * ```ts
 * evaluate(cases, [semanticSimilarity()]).pipe(Effect.provide(embedderLayer({ provider: "openai", model: "text-embedding-3-small" })))
 * ```
 * @since 0.1.0
 */
export const embedderLayer = (spec: EmbeddingSpec): Layer.Layer<Embedder, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const s = yield* settings
    if (spec.provider === "openai" && Option.isNone(s.apiKey) && spec.requireKey !== false && spec.offline !== true) {
      return yield* Effect.fail(ConfigError.MissingData(["OPENAI_API_KEY"], `embeddings openai:${spec.model} need an API key: set OPENAI_API_KEY (or ASSAY_JUDGE_API_KEY)`))
    }
    const baseUrl = Option.getOrElse(s.baseUrl, () => (spec.provider === "openai" ? OPENAI_URL : LOCAL_URL)).replace(/\/+$/, "")
    const headers: Record<string, string> = Option.match(s.apiKey, { onNone: () => ({}), onSome: (key) => ({ authorization: `Bearer ${Redacted.value(key)}` }) })
    const limits: Partial<PolicySettings> = {
      ...Option.match(s.maxConnections, { onNone: () => ({}), onSome: (maxConnections) => ({ maxConnections }) }),
      ...Option.match(s.requestsPerMinute, { onNone: () => ({}), onSome: (requestsPerMinute) => ({ requestsPerMinute }) }),
      ...spec.policy
    }
    const make = Effect.gen(function*() {
      const dispatcher = yield* Effect.flatMap(nodeHttpClient, (m) => m.Dispatcher)
      const policy = yield* CallPolicy
      const cache = Option.getOrUndefined(yield* Effect.serviceOption(EmbeddingCache))
      return makeEmbedder(
        {
          provider: spec.provider,
          model: spec.model,
          secrets: Option.toArray(s.apiKey),
          price: priceOf(embeddingPrices, spec.model),
          offline: spec.offline
        },
        viaDispatcher(dispatcher, `${baseUrl}/embeddings`, headers),
        policy,
        cache
      )
    })
    return Layer.effect(Embedder, make).pipe(Layer.provide(CallPolicy.layer(limits)), Layer.provide(Layer.unwrapEffect(Effect.map(nodeHttpClient, (m) => m.dispatcherLayer))))
  }))
