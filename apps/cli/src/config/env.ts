/**
 * The environment variables the CLI reads for judges and embedders — the only place their names live. Each
 * provider's key and base URL variables come after `ASSAY_JUDGE_API_KEY` / `ASSAY_JUDGE_BASE_URL` (which win):
 * `OPENAI_API_KEY` / `OPENAI_BASE_URL` (openai, openai-compatible, openai-responses), `ANTHROPIC_*`,
 * `GEMINI_API_KEY` or `GOOGLE_API_KEY` / `GEMINI_BASE_URL`, and for Bedrock the standard AWS variables
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` or `AWS_DEFAULT_REGION`,
 * `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` or `AWS_ENDPOINT_URL`); then `ASSAY_JUDGE_TEMPERATURE` (default 0) and the
 * limits `ASSAY_JUDGE_MAX_CONNECTIONS`, `ASSAY_JUDGE_RPM`, `ASSAY_JUDGE_TPM`. Secrets are read with
 * `Config.redacted`. A missing key or credential is a ConfigError naming the variable to set, before any request.
 *
 * The library (`@assay/judge`) takes these as plain {@link JudgeSettings}; {@link EnvSettings} hands them to
 * layers an Eval file builds with `judgeLayer(spec)`.
 *
 * @example
 * ```ts
 * const JudgeLive = Layer.unwrapEffect(Effect.map(judgeSettings(spec), (settings) => judgeLayer(spec, settings)))
 * ```
 */
import {
  type Bedrock,
  type EmbeddingSettings,
  type EmbeddingSpec,
  type JudgeSettings,
  JudgeSettingsSource,
  type JudgeSpec,
  needsApiKey
} from "@assay/judge"
import { Config, ConfigError, Effect, Layer, Option, type Redacted } from "effect"

/**
 * A provider's variables.
 *
 * @example
 * ```ts
 * const openai: Vendor = { keys: ["OPENAI_API_KEY"], urls: ["OPENAI_BASE_URL"], hint: "check OPENAI_API_KEY" }
 * ```
 */
export interface Vendor {
  /** Variables that may hold the API key, first set wins. */
  readonly keys: ReadonlyArray<string>
  /** Variables that may hold the base URL, first set wins. */
  readonly urls: ReadonlyArray<string>
  /** What fixes a rejected key. */
  readonly hint: string
}

const OPENAI: Vendor = { keys: ["OPENAI_API_KEY"], urls: ["OPENAI_BASE_URL"], hint: "check OPENAI_API_KEY" }
const AWS_HINT = "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials) and the model's access in AWS_REGION"

/**
 * The variables of a provider (`openai`, `openai-compatible` and `openai-responses` share OpenAI's).
 *
 * @example
 * ```ts
 * vendorOf("bedrock").urls // ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"]
 * ```
 */
export const vendorOf = (provider: string): Vendor => {
  switch (provider) {
    case "anthropic":
      return { keys: ["ANTHROPIC_API_KEY"], urls: ["ANTHROPIC_BASE_URL"], hint: "check ANTHROPIC_API_KEY" }
    case "gemini":
      return { keys: ["GEMINI_API_KEY", "GOOGLE_API_KEY"], urls: ["GEMINI_BASE_URL"], hint: "check GEMINI_API_KEY (or GOOGLE_API_KEY)" }
    case "bedrock":
      return { keys: [], urls: ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"], hint: AWS_HINT }
    default:
      return OPENAI
  }
}

/**
 * Every variable that may hold a secret: their values are removed from provider errors and masked in
 * recordings. The AWS access key id is not secret by itself, but a server quoting the `Authorization` header
 * shows it, and it names the account.
 *
 * @example
 * ```ts
 * SECRET_VARIABLES.includes("AWS_SECRET_ACCESS_KEY") // true
 * ```
 */
export const SECRET_VARIABLES = [
  "ASSAY_JUDGE_API_KEY",
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "ASSAY_DATABASE_URL",
  "GEMINI_API_KEY",
  "GOOGLE_API_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN"
] as const

/**
 * The values of some variables that are set, as secrets.
 *
 * @example
 * ```ts
 * const secrets = yield* secretValues(SECRET_VARIABLES)
 * ```
 */
export const secretValues = (names: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<Redacted.Redacted>, ConfigError.ConfigError> =>
  Effect.map(Config.all(names.map((name) => Config.option(Config.redacted(name)))), (values) => values.flatMap(Option.toArray))

/**
 * The first of some variables that is set.
 *
 * @example
 * ```ts
 * firstOf(Config.string, ["ASSAY_JUDGE_BASE_URL", "OPENAI_BASE_URL"])
 * ```
 */
export const firstOf = <A>(read: (name: string) => Config.Config<A>, names: ReadonlyArray<string>): Config.Config<Option.Option<A>> =>
  Config.option(names.slice(1).reduce((config, name) => config.pipe(Config.orElse(() => read(name))), read(names[0]!)))

const optionalNumber = (name: string) => Config.option(Config.number(name)).pipe(Config.map(Option.getOrUndefined))

/** A judge's variables; `vendor` names the fallbacks (`OPENAI_API_KEY`, `GEMINI_BASE_URL`, …). */
const judgeVariables = (vendor: Vendor) =>
  Config.all({
    judgeKey: Config.option(Config.redacted("ASSAY_JUDGE_API_KEY")),
    vendorKey: vendor.keys.length === 0 ? Config.succeed(Option.none<Redacted.Redacted>()) : firstOf((name) => Config.redacted(name), vendor.keys),
    baseUrl: firstOf(Config.string, ["ASSAY_JUDGE_BASE_URL", ...vendor.urls]),
    temperature: Config.number("ASSAY_JUDGE_TEMPERATURE").pipe(Config.withDefault(0)),
    maxConnections: optionalNumber("ASSAY_JUDGE_MAX_CONNECTIONS"),
    requestsPerMinute: optionalNumber("ASSAY_JUDGE_RPM"),
    tokensPerMinute: optionalNumber("ASSAY_JUDGE_TPM")
  })

/**
 * The key of a spec and what to tell the user when it is rejected; a spec that needs a key and has none is a
 * ConfigError naming the variable, before any request.
 */
const keyOf = (
  spec: JudgeSpec,
  vendor: Vendor,
  s: { readonly judgeKey: Option.Option<Redacted.Redacted>; readonly vendorKey: Option.Option<Redacted.Redacted> }
): Effect.Effect<{ readonly apiKey: Redacted.Redacted | undefined; readonly keyHint: string }, ConfigError.ConfigError> => {
  // Bedrock signs with AWS credentials (see awsSettings), not an API key.
  if (spec.provider === "bedrock") return Effect.succeed({ apiKey: undefined, keyHint: vendor.hint })
  const variable = vendor.keys.join(" or ")
  if (Option.isSome(s.judgeKey)) return Effect.succeed({ apiKey: s.judgeKey.value, keyHint: "check ASSAY_JUDGE_API_KEY" })
  if (Option.isSome(s.vendorKey)) return Effect.succeed({ apiKey: s.vendorKey.value, keyHint: vendor.hint })
  if (!needsApiKey(spec)) return Effect.succeed({ apiKey: undefined, keyHint: `set ${variable} (or ASSAY_JUDGE_API_KEY) to the server's key` })
  const keyless = spec.provider === "openai" || spec.provider === "openai-responses" ? "; for a server that needs no key use openai-compatible:<model>" : ""
  return Effect.fail(ConfigError.MissingData([vendor.keys[0]!], `${spec.provider}:${spec.model} needs an API key: set ${variable} (or ASSAY_JUDGE_API_KEY)${keyless}`))
}

const awsConfig = Config.all({
  accessKeyId: Config.option(Config.redacted("AWS_ACCESS_KEY_ID")),
  secretAccessKey: Config.option(Config.redacted("AWS_SECRET_ACCESS_KEY")),
  sessionToken: Config.option(Config.redacted("AWS_SESSION_TOKEN")),
  region: Config.option(Config.string("AWS_REGION").pipe(Config.orElse(() => Config.string("AWS_DEFAULT_REGION"))))
})

/**
 * Bedrock's region and credentials from the standard AWS variables; a missing one is a ConfigError naming it.
 *
 * @example
 * ```ts
 * const { region, credentials } = yield* awsSettings
 * ```
 */
export const awsSettings: Effect.Effect<Bedrock.AwsSettings, ConfigError.ConfigError> = Effect.flatMap(awsConfig, (aws) => {
  const { accessKeyId, region, secretAccessKey } = aws
  if (Option.isNone(accessKeyId) || Option.isNone(secretAccessKey) || Option.isNone(region)) {
    const missing = [
      ...(Option.isNone(accessKeyId) ? ["AWS_ACCESS_KEY_ID"] : []),
      ...(Option.isNone(secretAccessKey) ? ["AWS_SECRET_ACCESS_KEY"] : []),
      ...(Option.isNone(region) ? ["AWS_REGION"] : [])
    ]
    return Effect.fail(ConfigError.MissingData(missing, `bedrock needs AWS credentials and a region: set ${missing.join(", ")}`))
  }
  const credentials = { accessKeyId: accessKeyId.value, secretAccessKey: secretAccessKey.value, sessionToken: Option.getOrUndefined(aws.sessionToken) }
  return Effect.succeed({ region: region.value, credentials })
})

/**
 * A judge's settings from the environment (see the module doc). Bedrock's credentials are read only when a
 * request will be made (`requireKey` not false).
 *
 * @example
 * ```ts
 * const settings = yield* judgeSettings({ provider: "gemini", model: "gemini-2.0-flash" })
 * ```
 */
export const judgeSettings = (spec: JudgeSpec): Effect.Effect<JudgeSettings, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const vendor = vendorOf(spec.provider)
    const { baseUrl, judgeKey, vendorKey, ...limits } = yield* judgeVariables(vendor)
    const { apiKey, keyHint } = yield* keyOf(spec, vendor, { judgeKey, vendorKey })
    const secrets = yield* secretValues(SECRET_VARIABLES)
    const aws = spec.provider === "bedrock" && spec.requireKey !== false ? yield* awsSettings : undefined
    return { ...limits, apiKey, baseUrl: Option.getOrUndefined(baseUrl), aws, secrets, keyHint }
  })

/**
 * An embedder's settings from the environment: the judge's key and base URL (`ASSAY_JUDGE_API_KEY`, else
 * `OPENAI_API_KEY`; `ASSAY_JUDGE_BASE_URL`, else `OPENAI_BASE_URL`) and its limits. `openai:` without a key
 * (when a request will be made) is a ConfigError naming the variable.
 *
 * @example
 * ```ts
 * const settings = yield* embeddingSettings({ provider: "openai", model: "text-embedding-3-small" })
 * ```
 */
export const embeddingSettings = (spec: EmbeddingSpec): Effect.Effect<EmbeddingSettings, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const s = yield* Config.all({
      apiKey: firstOf((name) => Config.redacted(name), ["ASSAY_JUDGE_API_KEY", "OPENAI_API_KEY"]),
      baseUrl: firstOf(Config.string, ["ASSAY_JUDGE_BASE_URL", "OPENAI_BASE_URL"]),
      maxConnections: optionalNumber("ASSAY_JUDGE_MAX_CONNECTIONS"),
      requestsPerMinute: optionalNumber("ASSAY_JUDGE_RPM")
    })
    if (spec.provider === "openai" && Option.isNone(s.apiKey) && spec.requireKey !== false && spec.offline !== true) {
      return yield* Effect.fail(ConfigError.MissingData(["OPENAI_API_KEY"], `embeddings openai:${spec.model} need an API key: set OPENAI_API_KEY (or ASSAY_JUDGE_API_KEY)`))
    }
    return { ...s, apiKey: Option.getOrUndefined(s.apiKey), baseUrl: Option.getOrUndefined(s.baseUrl) }
  })

/**
 * The environment as the {@link JudgeSettingsSource}: what `judgeLayer(spec)` and `embedderLayer(spec)` in an
 * Eval file (or any layer built under `MainLive`) read.
 *
 * @example
 * ```ts
 * const MainLive = Layer.mergeAll(NodeContext.layer, EnvSettings)
 * ```
 */
export const EnvSettings = Layer.succeed(JudgeSettingsSource, { judge: judgeSettings, embedder: embeddingSettings })
