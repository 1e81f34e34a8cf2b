/**
 * What a deployment supplies to a judge or an embedder — keys, base URL, temperature, limits, Bedrock's AWS
 * credentials — as plain values ({@link JudgeSettings}, {@link EmbeddingSettings}). The library never reads an
 * environment variable: a program passes the settings to `judgeLayer(spec, settings)`, or its own `Config`
 * values to `judgeLayerConfig(spec, config)`, or provides a {@link JudgeSettingsSource} that `judgeLayer(spec)`
 * (no settings, e.g. inside an Eval file) asks for them. The assay CLI provides one that reads its environment
 * variables; without one, a layer gets no settings at all.
 *
 * @example
 * ```ts
 * judgeLayer({ provider: "openai", model: "gpt-4o-mini" }, { apiKey: Redacted.make(key), maxConnections: 16 })
 * ```
 */
import { Context, Effect, type ConfigError, type Redacted } from "effect"
import type { EmbeddingSpec } from "./embeddings-layer.js"
import type { JudgeSpec } from "./layer.js"
import type { AwsSettings } from "./providers/bedrock.js"

/**
 * A judge's settings; every field is optional. A spec's `baseUrl` and `policy` win over these.
 *
 * @example
 * ```ts
 * const settings: JudgeSettings = { apiKey: Redacted.make(key), baseUrl: "http://127.0.0.1:8000/v1", temperature: 0 }
 * ```
 * @since 0.1.0
 */
export interface JudgeSettings {
  /** Sent to the provider, never logged; required by `openai:`, `openai-responses:`, `anthropic:`, `gemini:`. */
  readonly apiKey?: Redacted.Redacted | undefined
  /** The provider's endpoint (default: the provider's public API; Ollama's for `openai-compatible:`). */
  readonly baseUrl?: string | undefined
  /** Default 0. */
  readonly temperature?: number | undefined
  /** Call-policy limits: over the spec's `defaults`, under its `policy`. */
  readonly maxConnections?: number | undefined
  readonly requestsPerMinute?: number | undefined
  readonly tokensPerMinute?: number | undefined
  /** Bedrock's region and credentials (required by `bedrock:` unless the spec's `requireKey` is false). */
  readonly aws?: AwsSettings | undefined
  /** Further values removed from every provider error (other keys the program holds). */
  readonly secrets?: ReadonlyArray<Redacted.Redacted> | undefined
  /** What fixes a rejected key, ending the `Auth` error's message (default: "check the API key"). */
  readonly keyHint?: string | undefined
}

/**
 * An embedder's settings; every field is optional. A spec's `policy` wins over the limits.
 *
 * @example
 * ```ts
 * const settings: EmbeddingSettings = { apiKey: Redacted.make(key), baseUrl: "https://api.openai.com/v1" }
 * ```
 * @since 0.1.0
 */
export interface EmbeddingSettings {
  readonly apiKey?: Redacted.Redacted | undefined
  /** The `/embeddings` endpoint's base (default: OpenAI's for `openai:`, Ollama's for `openai-compatible:`). */
  readonly baseUrl?: string | undefined
  readonly maxConnections?: number | undefined
  readonly requestsPerMinute?: number | undefined
}

/**
 * Where `judgeLayer(spec)` and `embedderLayer(spec)` without settings get theirs. A reference with a default:
 * no settings for anything, so nothing is read unless a program provides a source (the CLI's reads its
 * environment variables, and fails naming the variable to set).
 *
 * @example
 * ```ts
 * const source = Layer.succeed(JudgeSettingsSource, { judge: () => Effect.succeed({ apiKey }), embedder: () => Effect.succeed({}) })
 * ```
 * @since 0.1.0
 */
export class JudgeSettingsSource extends Context.Reference<JudgeSettingsSource>()("assay/judge/JudgeSettingsSource", {
  defaultValue: (): {
    readonly judge: (spec: JudgeSpec) => Effect.Effect<JudgeSettings, ConfigError.ConfigError>
    readonly embedder: (spec: EmbeddingSpec) => Effect.Effect<EmbeddingSettings, ConfigError.ConfigError>
  } => ({ judge: () => Effect.succeed({}), embedder: () => Effect.succeed({}) })
}) {}

/**
 * Whether a spec's provider needs an API key: `openai:`, `openai-responses:`, `anthropic:` and `gemini:` do
 * (their APIs do, whatever the base URL), unless no request will be made (`requireKey: false`). Keyless
 * servers are what `openai-compatible:` is for; Bedrock signs with AWS credentials instead.
 *
 * @example
 * ```ts
 * needsApiKey({ provider: "openai", model: "gpt-4o-mini" }) // true
 * ```
 * @since 0.1.0
 */
export const needsApiKey = (spec: Pick<JudgeSpec, "provider" | "requireKey">): boolean =>
  spec.provider !== "openai-compatible" && spec.provider !== "bedrock" && spec.requireKey !== false
