/**
 * Where each provider's settings live in the environment: the variables holding its key and base URL (after
 * `ASSAY_JUDGE_API_KEY` / `ASSAY_JUDGE_BASE_URL`, which win), what to tell the user when the key is rejected,
 * and Bedrock's AWS credentials from the standard variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`, `AWS_REGION`), all read as `Redacted`.
 *
 * @example
 * ```ts
 * vendorOf("gemini").keys // ["GEMINI_API_KEY", "GOOGLE_API_KEY"]
 * ```
 */
import { Config, ConfigError, Effect, Option, Redacted } from "effect"
import type { AwsSettings } from "./providers/bedrock.js"

/**
 * A provider's variables.
 *
 * @example
 * ```ts
 * const openai: Vendor = { keys: ["OPENAI_API_KEY"], urls: ["OPENAI_BASE_URL"], hint: "check OPENAI_API_KEY" }
 * ```
 * @since 0.1.0
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
 * @since 0.1.0
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
 * The variables of the Gemini and Bedrock providers that hold secrets: their values are removed from
 * provider errors and recordings. The access key id is not secret by itself, but a server quoting the
 * `Authorization` header shows it, and it names the account.
 *
 * @example
 * ```ts
 * PROVIDER_SECRET_VARIABLES.includes("AWS_SECRET_ACCESS_KEY") // true
 * ```
 * @since 0.1.0
 */
export const PROVIDER_SECRET_VARIABLES = [
  "GEMINI_API_KEY",
  "GOOGLE_API_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN"
] as const

const awsConfig = Config.all({
  accessKeyId: Config.option(Config.redacted("AWS_ACCESS_KEY_ID")),
  secretAccessKey: Config.option(Config.redacted("AWS_SECRET_ACCESS_KEY")),
  sessionToken: Config.option(Config.redacted("AWS_SESSION_TOKEN")),
  region: Config.option(Config.string("AWS_REGION").pipe(Config.orElse(() => Config.string("AWS_DEFAULT_REGION"))))
})

/** Stand-ins when no request will be made (a replay) or the provider is not Bedrock. */
const PLACEHOLDER: AwsSettings = {
  region: "us-east-1",
  credentials: { accessKeyId: Redacted.make(""), secretAccessKey: Redacted.make(""), sessionToken: undefined }
}

/**
 * Bedrock's region and credentials from the standard AWS variables; when `required`, a missing one is a
 * `ConfigError` naming it, before any request (else stand-ins fill the gaps: nothing will be signed).
 *
 * @example
 * ```ts
 * const { region, credentials } = yield* awsSettings(true)
 * ```
 * @since 0.1.0
 */
export const awsSettings = (required: boolean): Effect.Effect<AwsSettings, ConfigError.ConfigError> =>
  !required ? Effect.succeed(PLACEHOLDER) : Effect.flatMap(awsConfig, (aws) => {
    const missing = [
      ...(Option.isNone(aws.accessKeyId) ? ["AWS_ACCESS_KEY_ID"] : []),
      ...(Option.isNone(aws.secretAccessKey) ? ["AWS_SECRET_ACCESS_KEY"] : []),
      ...(Option.isNone(aws.region) ? ["AWS_REGION"] : [])
    ]
    if (Option.isNone(aws.accessKeyId) || Option.isNone(aws.secretAccessKey) || Option.isNone(aws.region)) {
      return Effect.fail(ConfigError.MissingData(missing, `bedrock needs AWS credentials and a region: set ${missing.join(", ")}`))
    }
    return Effect.succeed({
      region: aws.region.value,
      credentials: {
        accessKeyId: aws.accessKeyId.value,
        secretAccessKey: aws.secretAccessKey.value,
        sessionToken: Option.getOrUndefined(aws.sessionToken)
      }
    })
  })
