/**
 * The Judge layer of a spec (`provider:model`): provider + call policy + Judge, over plain settings
 * ({@link JudgeSettings}: API key as a `Redacted`, never logged; base URL; temperature, default 0; limits;
 * Bedrock's AWS credentials) — `judgeLayer(spec, settings)` — or over `Config` values the caller names —
 * `judgeLayerConfig(spec, config)`. `judgeLayer(spec)` asks the {@link JudgeSettingsSource} for them (none
 * unless the program provides a source; the assay CLI's reads its environment variables). Explicit spec fields
 * win. `openai:`, `openai-responses:`, `anthropic:` and `gemini:` without a key (`bedrock:` without credentials)
 * fail here, before any request; the provider sits behind the redacting, fatal-error-latching seam of
 * `./guard.ts`; a key bound for a non-loopback plain-http URL gets a warning.
 *
 * HTTP goes through undici's dispatcher (`NodeHttpClient.layerUndici`, and for openai-compatible, openai,
 * gemini and bedrock the dispatcher itself, `NodeHttpClient.dispatcherLayer`): the cheapest transport per call
 * of those measured (`fetch`, `node:http`, undici's `HttpClient`, the dispatcher; docs/performance.md,
 * "Design choices").
 *
 * @example
 * ```ts
 * const spec = Either.getOrThrow(parseJudgeSpec("anthropic:claude-3-5-haiku-latest"))
 * program.pipe(Effect.provide(judgeLayer(spec, { apiKey: Redacted.make(key) })))
 * ```
 */
import type { HttpClient } from "@effect/platform"
import type { NodeHttpClient } from "@effect/platform-node"
import { type Config, ConfigError, Effect, Either, Layer, Redacted, Schema } from "effect"
import { batchCallsLayer, type BatchOptions, batchSupport } from "./batch/layer.js"
import { guard, type GuardOptions, redactor } from "./guard.js"
import { layerFromConfig } from "./internal/config.js"
import { undiciLayer } from "./node-http.js"
import { layerJudge, Judge } from "./judge.js"
import { CallPolicy, type PolicySettings } from "./policy.js"
import { defaultPrices, type PriceTable } from "./pricing.js"
import { ChatProvider } from "./provider.js"
import type * as Bedrock from "./providers/bedrock.js"
import { type JudgeSettings, JudgeSettingsSource, needsApiKey } from "./settings.js"

/**
 * Which judge to use.
 *
 * @example
 * ```ts
 * const spec: JudgeSpec = { provider: "openai-compatible", model: "llama3.1", baseUrl: "http://127.0.0.1:11434/v1" }
 * ```
 * @since 0.1.0
 */
export interface JudgeSpec {
  readonly provider: "openai" | "openai-compatible" | "openai-responses" | "anthropic" | "gemini" | "bedrock"
  readonly model: string
  readonly baseUrl?: string | undefined
  /** Policy settings that win over the settings' limits. */
  readonly policy?: Partial<PolicySettings> | undefined
  /** Policy settings the settings' limits override: what the caller's workload asks for (e.g. a run's concurrency). */
  readonly defaults?: Partial<PolicySettings> | undefined
  readonly prices?: PriceTable | undefined
  /**
   * Whether `openai:` / `anthropic:` need an API key (default true). False when no request will be made — a
   * replay from a recording (`./recording.ts`) — so CI can replay without the key.
   */
  readonly requireKey?: boolean | undefined
  /**
   * Batch mode: calls go through the provider's batch API (`./batch/`) instead of live requests. Only
   * `openai:` and `anthropic:` have one; another provider is a ConfigError.
   */
  readonly batch?: BatchOptions | undefined
}

/**
 * A `--judge` value that could not be read.
 *
 * @example
 * ```ts
 * Either.getOrThrowWith(parseJudgeSpec(text), (e: JudgeSpecError) => e.message)
 * ```
 * @since 0.1.0
 */
export class JudgeSpecError extends Schema.TaggedError<JudgeSpecError>()("JudgeSpecError", {
  input: Schema.String,
  message: Schema.String
}) {}

const PROVIDERS = ["openai", "openai-compatible", "openai-responses", "anthropic", "gemini", "bedrock"] as const

/**
 * Parse `provider:model` (the model may itself contain colons, e.g. `openai-compatible:llama3.1:8b`).
 *
 * @example
 * ```ts
 * parseJudgeSpec("openai:gpt-4o-mini") // Either.right({ provider: "openai", model: "gpt-4o-mini" })
 * parseJudgeSpec("anthropic:claude-3-5-haiku-latest") // Either.right({ provider: "anthropic", model: "claude-3-5-haiku-latest" })
 * ```
 * @since 0.1.0
 */
export const parseJudgeSpec = (input: string): Either.Either<JudgeSpec, JudgeSpecError> => {
  const colon = input.indexOf(":")
  const provider = colon < 0 ? "" : input.slice(0, colon)
  const model = colon < 0 ? "" : input.slice(colon + 1)
  if (!PROVIDERS.includes(provider as never)) {
    return Either.left(new JudgeSpecError({ input, message: `--judge: expected provider:model with provider one of ${PROVIDERS.join(", ")}, got "${input}"` }))
  }
  if (model === "") return Either.left(new JudgeSpecError({ input, message: `--judge: missing model after "${provider}:"` }))
  return Either.right({ provider: provider as JudgeSpec["provider"], model })
}

const OPENAI_URL = "https://api.openai.com/v1"
const ANTHROPIC_URL = "https://api.anthropic.com"
const LOCAL_URL = "http://127.0.0.1:11434/v1"

/**
 * A layer made by a module imported when the layer is built: each provider's code (and @effect/ai's, for
 * openai-responses and anthropic) loads only in a run that uses that provider.
 */
const lazyLayer = <M, ROut, E, RIn>(load: () => Promise<M>, make: (module: M) => Layer.Layer<ROut, E, RIn>): Layer.Layer<ROut, E, RIn> =>
  Layer.unwrapEffect(Effect.map(Effect.promise(load), make))

/** The provider layer of a spec with its settings resolved. */
const providerLayer = (
  spec: JudgeSpec,
  options: {
    readonly apiKey: Redacted.Redacted | undefined
    readonly baseUrl: string | undefined
    readonly temperature: number
    readonly aws: Bedrock.AwsSettings
  }
): Layer.Layer<ChatProvider, never, HttpClient.HttpClient | NodeHttpClient.Dispatcher> => {
  const { apiKey, baseUrl, temperature } = options
  switch (spec.provider) {
    case "openai":
      // Chat completions over the same undici client as openai-compatible: the Responses path through
      // @effect/ai costs about twice the CPU per call (and over a second to import); it stays available as
      // openai-responses.
      return lazyLayer(() => import("./providers/openai-compatible.js"), (OpenAiCompatible) =>
        OpenAiCompatible.layer({ provider: "openai", model: spec.model, apiKey, baseUrl: baseUrl ?? OPENAI_URL, temperature }))
    case "openai-responses":
      return lazyLayer(() => import("./providers/openai.js"), (OpenAi) =>
        OpenAi.layer({ model: spec.model, apiKey, baseUrl: baseUrl ?? OPENAI_URL, temperature }))
    case "anthropic":
      return lazyLayer(() => import("./providers/anthropic.js"), (Anthropic) =>
        Anthropic.layer({ model: spec.model, apiKey, baseUrl: baseUrl ?? ANTHROPIC_URL, temperature }))
    case "openai-compatible":
      return lazyLayer(() => import("./providers/openai-compatible.js"), (OpenAiCompatible) =>
        OpenAiCompatible.layer({ model: spec.model, apiKey, baseUrl: baseUrl ?? LOCAL_URL, temperature }))
    case "gemini":
      return lazyLayer(() => import("./providers/gemini.js"), (Gemini) =>
        Gemini.layer({ model: spec.model, apiKey, baseUrl: baseUrl ?? Gemini.GEMINI_URL, temperature }))
    case "bedrock":
      return lazyLayer(() => import("./providers/bedrock.js"), (Bedrock) =>
        Bedrock.layer({ model: spec.model, ...options.aws, endpoint: baseUrl, temperature }))
  }
}

/** Stand-ins for Bedrock's credentials when no request will be made (a replay): nothing is signed. */
const AWS_PLACEHOLDER: Bedrock.AwsSettings = {
  region: "us-east-1",
  credentials: { accessKeyId: Redacted.make(""), secretAccessKey: Redacted.make(""), sessionToken: undefined }
}

/**
 * The credentials a spec needs, from its settings: a missing key (see {@link needsApiKey}) or, for `bedrock:`,
 * missing AWS credentials are a ConfigError before any request.
 */
const credentialsOf = (
  spec: JudgeSpec,
  settings: JudgeSettings
): Either.Either<{ readonly apiKey: Redacted.Redacted | undefined; readonly aws: Bedrock.AwsSettings }, ConfigError.ConfigError> => {
  if (needsApiKey(spec) && settings.apiKey === undefined) {
    const keyless = spec.provider === "openai" || spec.provider === "openai-responses" ? "; for a server that needs no key use openai-compatible:<model>" : ""
    return Either.left(ConfigError.MissingData(["apiKey"], `${spec.provider}:${spec.model} needs an API key${keyless}`))
  }
  if (spec.provider === "bedrock" && spec.requireKey !== false && settings.aws === undefined) {
    return Either.left(ConfigError.MissingData(["aws"], "bedrock needs AWS credentials and a region"))
  }
  return Either.right({ apiKey: settings.apiKey, aws: settings.aws ?? AWS_PLACEHOLDER })
}

/** Loopback hosts, where plain http never leaves the machine. */
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/** A warning when a key (or URL credentials) would travel unencrypted to another machine. */
const warnIfUnencrypted = (spec: JudgeSpec, baseUrl: string | undefined, hasKey: boolean): Effect.Effect<void> => {
  if (baseUrl === undefined || !URL.canParse(baseUrl)) return Effect.void
  const url = new URL(baseUrl)
  if (url.protocol !== "http:" || LOOPBACK.test(url.hostname) || (!hasKey && url.password === "")) return Effect.void
  return Effect.logWarning(
    `${spec.provider}:${spec.model}: the API key is sent unencrypted over plain http to ${url.host}; use an https:// base URL`
  )
}

/** The password of a base URL with credentials, as a secret. */
const urlPassword = (baseUrl: string | undefined): ReadonlyArray<Redacted.Redacted> => {
  const password = baseUrl !== undefined && URL.canParse(baseUrl) ? new URL(baseUrl).password : ""
  return password === "" ? [] : [Redacted.make(decodeURIComponent(password))]
}

/** Every secret of a judge's settings: its key, AWS credentials, the base URL's password and the extra ones. */
const secretsOf = (settings: JudgeSettings, baseUrl: string | undefined): ReadonlyArray<Redacted.Redacted> => {
  const aws = settings.aws?.credentials
  const given = [settings.apiKey, aws?.accessKeyId, aws?.secretAccessKey, aws?.sessionToken]
  return [...given.filter((secret) => secret !== undefined), ...(settings.secrets ?? []), ...urlPassword(baseUrl)]
}

/** The settings' limits over the spec's defaults, under its policy. */
const limitsOf = (spec: JudgeSpec, settings: JudgeSettings): Partial<PolicySettings> => ({
  ...spec.defaults,
  ...(settings.maxConnections === undefined ? {} : { maxConnections: settings.maxConnections }),
  ...(settings.requestsPerMinute === undefined ? {} : { requestsPerMinute: settings.requestsPerMinute }),
  ...(settings.tokensPerMinute === undefined ? {} : { tokensPerMinute: settings.tokensPerMinute }),
  ...spec.policy
})

/** A provider layer behind the seam of `./guard.ts`. */
const guarded = <E, R>(provider: Layer.Layer<ChatProvider, E, R>, options: GuardOptions): Layer.Layer<ChatProvider, E, R> =>
  Layer.effect(ChatProvider, Effect.flatMap(ChatProvider, (inner) => guard(inner, options))).pipe(Layer.provide(provider))

/** The Judge + CallPolicy layer of a spec over resolved settings (see {@link judgeLayer}). */
const build = (spec: JudgeSpec, settings: JudgeSettings) =>
  Effect.gen(function*() {
    const credentials = credentialsOf(spec, settings)
    if (Either.isLeft(credentials)) return yield* Effect.fail(credentials.left)
    const { apiKey, aws } = credentials.right
    const baseUrl = spec.baseUrl ?? settings.baseUrl
    const temperature = settings.temperature ?? 0
    // Bedrock sends no secret key, but its session token travels as a header.
    yield* warnIfUnencrypted(spec, baseUrl, apiKey !== undefined || spec.provider === "bedrock")
    const secrets = secretsOf(settings, baseUrl)
    const keyHint = settings.keyHint ?? (spec.provider === "bedrock" ? "check the AWS credentials and the model's access in the region" : "check the API key")
    const provider = guarded(providerLayer(spec, { apiKey, baseUrl, temperature, aws }), { secrets, keyHint })
    const judge = spec.batch === undefined
      ? layerJudge(spec.prices ?? defaultPrices)
      : yield* batchJudge(spec, spec.batch, { apiKey, baseUrl, temperature, redact: redactor(secrets), keyHint })
    return judge.pipe(
      Layer.provideMerge(CallPolicy.layer(limitsOf(spec, settings))),
      Layer.provide(provider),
      // One undici connection pool, used directly (openai-compatible, gemini, bedrock) or through HttpClient
      // (the others), imported only now (see ./node-http.ts).
      Layer.provide(undiciLayer)
    )
  })

/**
 * The Judge + CallPolicy layer of a spec; see the module doc. With `settings`, exactly those (nothing else is
 * read); without, the {@link JudgeSettingsSource}'s for the spec (none unless the program provides a source).
 * The openai-compatible default base URL is Ollama's (`http://127.0.0.1:11434/v1`); anthropic's is
 * `https://api.anthropic.com`.
 *
 * @example
 * ```ts
 * judgeLayer({ provider: "openai-compatible", model: "qwen2.5", baseUrl: "http://127.0.0.1:8000/v1" })
 * judgeLayer({ provider: "openai", model: "gpt-4o-mini" }, { apiKey: Redacted.make(key), maxConnections: 16 })
 * ```
 * @since 0.1.0
 */
export const judgeLayer = (spec: JudgeSpec, settings?: JudgeSettings): Layer.Layer<Judge | CallPolicy, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    settings === undefined
      ? Effect.flatMap(JudgeSettingsSource, (source) => Effect.flatMap(source.judge(spec), (resolved) => build(spec, resolved)))
      : build(spec, settings)
  )

/**
 * The Judge + CallPolicy layer of a spec over settings read from `Config` values the caller names — a
 * `Config<JudgeSettings>`, or a record with a `Config` per field.
 *
 * @example
 * ```ts
 * judgeLayerConfig({ provider: "openai", model: "gpt-4o-mini" }, { apiKey: Config.redacted("MY_OPENAI_KEY") })
 * ```
 * @since 0.1.0
 */
export const judgeLayerConfig = (spec: JudgeSpec, config: Config.Config.Wrap<JudgeSettings>): Layer.Layer<Judge | CallPolicy, ConfigError.ConfigError> =>
  layerFromConfig(config, (settings) => judgeLayer(spec, settings))

/** The Judge layer in batch mode: its calls through the provider's batch API (a ConfigError for providers without one). */
const batchJudge = (
  spec: JudgeSpec,
  options: BatchOptions,
  settings: { readonly apiKey: Redacted.Redacted | undefined; readonly baseUrl: string | undefined; readonly temperature: number; readonly redact: (text: string) => string; readonly keyHint: string }
) => {
  const unsupported = batchSupport(spec.provider, spec.model)
  if (unsupported !== undefined || (spec.provider !== "openai" && spec.provider !== "anthropic")) {
    return Effect.fail(ConfigError.InvalidData([], unsupported ?? "no batch API"))
  }
  const baseUrl = settings.baseUrl ?? (spec.provider === "openai" ? OPENAI_URL : ANTHROPIC_URL)
  const calls = batchCallsLayer({ provider: spec.provider, model: spec.model }, { ...settings, baseUrl }, options)
  return Effect.succeed(layerJudge(spec.prices ?? defaultPrices).pipe(Layer.provide(calls)))
}
