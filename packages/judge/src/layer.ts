/**
 * The Layer the CLI builds from `--judge provider:model`: provider + call policy + Judge, with settings read
 * through `Config` — API key (`ASSAY_JUDGE_API_KEY`, else `OPENAI_API_KEY` — `ANTHROPIC_API_KEY` for the
 * `anthropic` provider, `GEMINI_API_KEY` or `GOOGLE_API_KEY` for `gemini`; a `Redacted`, never logged), base URL
 * (`ASSAY_JUDGE_BASE_URL`, else `OPENAI_BASE_URL` — `ANTHROPIC_BASE_URL`, `GEMINI_BASE_URL`, and for `bedrock`
 * `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` or `AWS_ENDPOINT_URL`), Bedrock's AWS credentials and region from the
 * standard variables (`./provider-settings.ts`), temperature (`ASSAY_JUDGE_TEMPERATURE`, default 0) and
 * limits (`ASSAY_JUDGE_MAX_CONNECTIONS`, `ASSAY_JUDGE_RPM`, `ASSAY_JUDGE_TPM`). Explicit spec fields win.
 * `openai:`, `openai-responses:`, `anthropic:` and `gemini:` without a key (`bedrock:` without credentials) fail here, before any request; the provider sits behind the
 * redacting, fatal-error-latching seam of `./guard.ts`; a key bound for a non-loopback plain-http URL gets a
 * warning.
 *
 * HTTP goes through undici's dispatcher (`NodeHttpClient.layerUndici`, and for openai-compatible and openai the dispatcher
 * itself, `NodeHttpClient.dispatcherLayer`): the cheapest transport per call of those measured (`fetch`,
 * `node:http`, undici's `HttpClient`, the dispatcher; docs/performance.md, "Design choices").
 *
 * @example
 * ```ts
 * const JudgeLive = judgeLayer(Either.getOrThrow(parseJudgeSpec("anthropic:claude-3-5-haiku-latest")))
 * program.pipe(Effect.provide(JudgeLive))
 * ```
 */
import type { HttpClient } from "@effect/platform"
import type { NodeHttpClient } from "@effect/platform-node"
import { Config, ConfigError, Effect, Either, Layer, Option, Redacted, Schema } from "effect"
import { batchCallsLayer, type BatchOptions, batchSupport } from "./batch/layer.js"
import { guard, type GuardOptions, redactor } from "./guard.js"
import { undiciLayer } from "./node-http.js"
import { layerJudge, Judge } from "./judge.js"
import { CallPolicy, type PolicySettings } from "./policy.js"
import { defaultPrices, type PriceTable } from "./pricing.js"
import { ChatProvider } from "./provider.js"
import { awsSettings, PROVIDER_SECRET_VARIABLES, type Vendor, vendorOf } from "./provider-settings.js"
import type * as Bedrock from "./providers/bedrock.js"

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
  /** Policy settings that win over the environment's (`ASSAY_JUDGE_*`). */
  readonly policy?: Partial<PolicySettings> | undefined
  /** Policy settings the environment's override: what the caller's workload asks for (e.g. a run's concurrency). */
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

const optionalNumber = (name: string) => Config.option(Config.number(name)).pipe(Config.map(Option.getOrUndefined))

/** The first of some variables that is set. */
const firstOf = <A>(read: (name: string) => Config.Config<A>, names: ReadonlyArray<string>): Config.Config<Option.Option<A>> =>
  Config.option(names.slice(1).reduce((config, name) => config.pipe(Config.orElse(() => read(name))), read(names[0]!)))

/** Judge settings read from Config; `vendor` names the fallback variables (`OPENAI_API_KEY`, `GEMINI_BASE_URL`, …). */
const settings = (vendor: Vendor) => Config.all({
  judgeKey: Config.option(Config.redacted("ASSAY_JUDGE_API_KEY")),
  vendorKey: vendor.keys.length === 0 ? Config.succeed(Option.none<Redacted.Redacted>()) : firstOf((name) => Config.redacted(name), vendor.keys),
  baseUrl: firstOf(Config.string, ["ASSAY_JUDGE_BASE_URL", ...vendor.urls]),
  temperature: Config.number("ASSAY_JUDGE_TEMPERATURE").pipe(Config.withDefault(0)),
  maxConnections: optionalNumber("ASSAY_JUDGE_MAX_CONNECTIONS"),
  requestsPerMinute: optionalNumber("ASSAY_JUDGE_RPM"),
  tokensPerMinute: optionalNumber("ASSAY_JUDGE_TPM")
})

/** Every variable that may hold a secret: their values are removed from provider errors (see `./guard.ts`). */
const SECRET_VARIABLES = ["ASSAY_JUDGE_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ASSAY_DATABASE_URL", ...PROVIDER_SECRET_VARIABLES] as const
const configuredSecrets = Config.all(SECRET_VARIABLES.map((name) => Config.option(Config.redacted(name))))

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
        OpenAiCompatible.layerUndici({ provider: "openai", model: spec.model, apiKey, baseUrl: baseUrl ?? OPENAI_URL, temperature }))
    case "openai-responses":
      return lazyLayer(() => import("./providers/openai.js"), (OpenAi) =>
        OpenAi.layer({ model: spec.model, apiKey, baseUrl: baseUrl ?? OPENAI_URL, temperature }))
    case "anthropic":
      return lazyLayer(() => import("./providers/anthropic.js"), (Anthropic) =>
        Anthropic.layer({ model: spec.model, apiKey, baseUrl: baseUrl ?? ANTHROPIC_URL, temperature }))
    case "openai-compatible":
      return lazyLayer(() => import("./providers/openai-compatible.js"), (OpenAiCompatible) =>
        OpenAiCompatible.layerUndici({ model: spec.model, apiKey, baseUrl: baseUrl ?? LOCAL_URL, temperature }))
    case "gemini":
      return lazyLayer(() => import("./providers/gemini.js"), (Gemini) =>
        Gemini.layerUndici({ model: spec.model, apiKey, baseUrl: baseUrl ?? Gemini.GEMINI_URL, temperature }))
    case "bedrock":
      return lazyLayer(() => import("./providers/bedrock.js"), (Bedrock) =>
        Bedrock.layerUndici({ model: spec.model, ...options.aws, endpoint: baseUrl, temperature }))
  }
}

/**
 * The API key of a spec and what to tell the user when it is rejected. `openai:` and `anthropic:` need one
 * (their APIs do, whatever the base URL): without it this is a ConfigError naming the variable, before any
 * request. Keyless servers are what `openai-compatible:` is for.
 */
const keyOf = (
  spec: JudgeSpec,
  vendor: Vendor,
  s: { readonly judgeKey: Option.Option<Redacted.Redacted>; readonly vendorKey: Option.Option<Redacted.Redacted> }
): Either.Either<{ readonly apiKey: Option.Option<Redacted.Redacted>; readonly hint: string }, ConfigError.ConfigError> => {
  // Bedrock signs with AWS credentials (`./provider-settings.ts`), not an API key.
  if (spec.provider === "bedrock") return Either.right({ apiKey: Option.none(), hint: vendor.hint })
  const variable = vendor.keys.join(" or ")
  if (Option.isSome(s.judgeKey)) return Either.right({ apiKey: s.judgeKey, hint: "check ASSAY_JUDGE_API_KEY" })
  if (Option.isSome(s.vendorKey)) return Either.right({ apiKey: s.vendorKey, hint: vendor.hint })
  if (spec.provider === "openai-compatible" || spec.requireKey === false) {
    return Either.right({ apiKey: Option.none(), hint: `set ${variable} (or ASSAY_JUDGE_API_KEY) to the server's key` })
  }
  const keyless = spec.provider === "openai" || spec.provider === "openai-responses" ? "; for a server that needs no key use openai-compatible:<model>" : ""
  return Either.left(ConfigError.MissingData([vendor.keys[0]!], `${spec.provider}:${spec.model} needs an API key: set ${variable} (or ASSAY_JUDGE_API_KEY)${keyless}`))
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

/** A provider layer behind the seam of `./guard.ts`. */
const guarded = <E, R>(provider: Layer.Layer<ChatProvider, E, R>, options: GuardOptions): Layer.Layer<ChatProvider, E, R> =>
  Layer.effect(ChatProvider, Effect.flatMap(ChatProvider, (inner) => guard(inner, options))).pipe(Layer.provide(provider))

/**
 * Build the Judge + CallPolicy layer for a spec; see the module doc. The openai-compatible default base URL is
 * Ollama's (`http://127.0.0.1:11434/v1`); anthropic's is `https://api.anthropic.com`.
 *
 * @example
 * ```ts
 * judgeLayer({ provider: "openai-compatible", model: "qwen2.5", baseUrl: "http://127.0.0.1:8000/v1" })
 * ```
 * @since 0.1.0
 */
export const judgeLayer = (spec: JudgeSpec): Layer.Layer<Judge | CallPolicy, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const vendor = vendorOf(spec.provider)
    const s = yield* settings(vendor)
    const key = keyOf(spec, vendor, s)
    if (Either.isLeft(key)) return yield* Effect.fail(key.left)
    const baseUrl = spec.baseUrl ?? Option.getOrUndefined(s.baseUrl)
    const apiKey = Option.getOrUndefined(key.right.apiKey)
    // Bedrock sends no secret key, but its session token travels as a header.
    yield* warnIfUnencrypted(spec, baseUrl, apiKey !== undefined || spec.provider === "bedrock")
    const secrets = [...(yield* configuredSecrets).flatMap(Option.toArray), ...urlPassword(baseUrl)]
    const aws = yield* awsSettings(spec.provider === "bedrock" && spec.requireKey !== false)
    const provider = guarded(providerLayer(spec, { apiKey, baseUrl, temperature: s.temperature, aws }), { secrets, keyHint: key.right.hint })
    const limits: Partial<PolicySettings> = {
      ...spec.defaults,
      ...(s.maxConnections === undefined ? {} : { maxConnections: s.maxConnections }),
      ...(s.requestsPerMinute === undefined ? {} : { requestsPerMinute: s.requestsPerMinute }),
      ...(s.tokensPerMinute === undefined ? {} : { tokensPerMinute: s.tokensPerMinute }),
      ...spec.policy
    }
    const policy = CallPolicy.layer(limits)
    const judge = spec.batch === undefined
      ? layerJudge(spec.prices ?? defaultPrices)
      : yield* batchJudge(spec, spec.batch, { apiKey, baseUrl, temperature: s.temperature, redact: redactor(secrets), keyHint: key.right.hint })
    return judge.pipe(
      Layer.provideMerge(policy),
      Layer.provide(provider),
      // One undici connection pool, used directly (openai-compatible) or through HttpClient (the others),
      // imported only now (see ./node-http.ts).
      Layer.provide(undiciLayer)
    )
  }))

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
