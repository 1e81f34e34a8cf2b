/**
 * Amazon Bedrock through the Bedrock Runtime Converse API: `POST {endpoint}/model/{modelId}/converse`, signed
 * with AWS Signature Version 4 (service `bedrock`) by `@smithy/signature-v4` — the signer the AWS SDK itself
 * uses — with `@aws-crypto/sha256-js`, rather than hand-written crypto. Usage from `usage.inputTokens` /
 * `outputTokens`. The Converse API has no JSON mode and no logprobs: the judge prompts ask for JSON and the
 * verdict repair loop handles the rest, as for Anthropic.
 *
 * Why not `@effect/ai-amazon-bedrock`: its releases (up to 0.15) require @effect/ai 0.35 / platform 0.96 and
 * @effect/ai-anthropic 0.25, and do not install beside this project's ai 0.37 / platform 0.97; so this speaks
 * the documented wire format over the undici transport of `./post-json.ts`, behind {@link ChatProvider}.
 *
 * Errors name their type in the `x-amzn-errortype` header (`ThrottlingException`, `ValidationException`, …):
 * it prefixes the message, and the credential errors (`UnrecognizedClientException`,
 * `InvalidSignatureException`, `ExpiredTokenException`, `AccessDeniedException`, …) are `Auth` whatever
 * their status.
 *
 * @example
 * ```ts
 * const layer = Bedrock.layer({ model: "anthropic.claude-3-haiku-20240307-v1:0", region: "us-east-1", credentials })
 * ```
 */
import type { NodeHttpClient } from "@effect/platform-node"
import { Clock, type Config, type ConfigError, Effect, Either, Layer, Redacted, Schema } from "effect"
import type { AttemptDeadline, ChatImage, ChatMessage, ChatRequest, ProviderReply } from "../chat.js"
import { classifyStatus } from "../classify.js"
import { JudgeError } from "../errors.js"
import type { Headers } from "../headers.js"
import { layerFromConfig } from "../internal/config.js"
import { nodeHttpClient } from "../node-http.js"
import { ChatProvider, type ChatProviderApi } from "../provider.js"
import { routeOf } from "../recording.js"
import { type PostJson, viaDispatcherSigned } from "./post-json.js"

/**
 * AWS credentials (the CLI reads them from the standard AWS variables).
 *
 * @example
 * ```ts
 * const credentials: AwsCredentials = { accessKeyId: Redacted.make(id), secretAccessKey: Redacted.make(secret), sessionToken: undefined }
 * ```
 * @since 0.1.0
 */
export interface AwsCredentials {
  readonly accessKeyId: Redacted.Redacted
  readonly secretAccessKey: Redacted.Redacted
  readonly sessionToken: Redacted.Redacted | undefined
}

/**
 * Model, region, credentials.
 *
 * @example
 * ```ts
 * const options: BedrockOptions = { model: "amazon.nova-lite-v1:0", region: "us-east-1", credentials }
 * ```
 * @since 0.1.0
 */
export interface BedrockOptions {
  /** A model id or inference profile id, e.g. `anthropic.claude-3-haiku-20240307-v1:0`, `us.amazon.nova-lite-v1:0`. */
  readonly model: string
  readonly region: string
  readonly credentials: AwsCredentials
  /** Defaults to `https://bedrock-runtime.{region}.amazonaws.com`. */
  readonly endpoint?: string | undefined
  readonly temperature?: number | undefined
}

/**
 * Where and as whom to call: what a deployment supplies (`JudgeSettings.aws`).
 *
 * @example
 * ```ts
 * const aws: AwsSettings = { region: "us-east-1", credentials }
 * ```
 * @since 0.1.0
 */
export type AwsSettings = Pick<BedrockOptions, "region" | "credentials">

/**
 * The default endpoint of a region.
 *
 * @example
 * ```ts
 * defaultEndpoint("eu-west-1") // "https://bedrock-runtime.eu-west-1.amazonaws.com"
 * ```
 * @since 0.1.0
 */
export const defaultEndpoint = (region: string): string => `https://bedrock-runtime.${region}.amazonaws.com`

const ConverseResponse = Schema.Struct({
  output: Schema.Struct({
    message: Schema.optional(Schema.Struct({
      content: Schema.optionalWith(Schema.Array(Schema.Struct({ text: Schema.optional(Schema.String) })), { default: () => [] })
    }))
  }),
  stopReason: Schema.optional(Schema.String),
  usage: Schema.optional(Schema.Struct({ inputTokens: Schema.Number, outputTokens: Schema.Number }))
})
const decodeResponse = Schema.decodeUnknownEither(Schema.parseJson(ConverseResponse))

/**
 * The Converse body of a chat request: system messages go to `system`, the rest to `messages` as text blocks.
 *
 * @example
 * ```ts
 * requestBody({ temperature: 0 }, { messages: [{ role: "user", content: "hi" }], maxTokens: 50 })
 * // { messages: [{ role: "user", content: [{ text: "hi" }] }], inferenceConfig: { temperature: 0, maxTokens: 50 } }
 * ```
 * @since 0.1.0
 */
export const requestBody = (options: Pick<BedrockOptions, "temperature">, request: ChatRequest) => {
  const system = request.messages.filter((m) => m.role === "system").map((m) => ({ text: m.content }))
  return {
    messages: request.messages
      .filter((m) => m.role !== "system")
      .map((m) => ({ role: m.role, content: blocksOf(m) })),
    ...(system.length === 0 ? {} : { system }),
    inferenceConfig: {
      temperature: request.temperature ?? options.temperature ?? 0,
      ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens })
    }
  }
}

/** Converse's image formats, by media type. */
const FORMATS: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif", "image/webp": "webp" }

/**
 * A Converse image block. Converse takes image bytes (or an S3 location), not URLs: a URL image is sent as a
 * text block naming it, so the judge knows an image was there.
 */
const imageBlock = (image: ChatImage) => {
  const format = image.kind === "inline" ? FORMATS[image.mediaType] : undefined
  return image.kind === "inline" && format !== undefined
    ? { image: { format, source: { bytes: image.base64 } } }
    : { text: `[image not sent: ${image.kind === "url" ? image.url : image.mediaType} — Bedrock takes inline png, jpeg, gif or webp]` }
}

/** A message's content blocks: its text, then its images. */
const blocksOf = (m: ChatMessage) => [{ text: m.content }, ...(m.images ?? []).map(imageBlock)]

const parseReply = (text: string): Either.Either<ProviderReply, JudgeError> => {
  const decoded = decodeResponse(text)
  if (Either.isLeft(decoded)) {
    return Either.left(new JudgeError({ kind: "Transient", message: `unreadable converse body: ${text.slice(0, 200)}` }))
  }
  const { output, usage } = decoded.right
  return Either.right({
    text: (output.message?.content ?? []).map((block) => block.text ?? "").join(""),
    usage: { input: usage?.inputTokens ?? 0, output: usage?.outputTokens ?? 0 }
  })
}

/** Error types that mean the credentials (or their rights) are wrong: retrying cannot help. */
const CREDENTIAL_ERRORS = /^(UnrecognizedClient|InvalidSignature|IncompleteSignature|ExpiredToken|MissingAuthenticationToken|AccessDenied|InvalidClientTokenId)(Exception)?$/

/**
 * A non-2xx Converse response as a classified error: {@link classifyStatus} by status, the error type of
 * `x-amzn-errortype` (before its `:`) prefixed to the message, and credential errors `Auth`.
 *
 * @example
 * ```ts
 * classifyBedrock(429, { "x-amzn-errortype": "ThrottlingException" }, '{"message":"Too many requests"}', 0).message
 * // "429: ThrottlingException: Too many requests"
 * ```
 * @since 0.1.0
 */
export const classifyBedrock = (status: number, headers: Headers, body: string, now: number): JudgeError => {
  const errorType = (headers["x-amzn-errortype"] ?? "").split(":")[0]!
  const base = classifyStatus(status, headers, body.replace(/"Message"\s*:/, "\"message\":"), now)
  const message = errorType === "" ? base.message : base.message.replace(/^(\d+): /, `$1: ${errorType}: `)
  const kind = CREDENTIAL_ERRORS.test(errorType) ? "Auth" : base.kind
  return new JudgeError({
    kind,
    message,
    status,
    ...(base.retryAfterMillis === undefined ? {} : { retryAfterMillis: base.retryAfterMillis })
  })
}

/** The Converse URL of a model (its id escaped: ids carry `:`). */
const converseUrl = (options: BedrockOptions): string =>
  `${(options.endpoint ?? defaultEndpoint(options.region)).replace(/\/+$/, "")}/model/${encodeURIComponent(options.model)}/converse`

/**
 * Signs a request body for `url`: the headers to send (`authorization`, `x-amz-date`, the session token and
 * content hash when present). The signing time is the Effect `Clock`'s.
 *
 * @example
 * ```ts
 * const headers = yield* (yield* signer(options, url))('{"messages":[]}')
 * ```
 * @since 0.1.0
 */
export const signer = (options: BedrockOptions, url: string) =>
  Effect.map(loadSigner, ({ Sha256, SignatureV4 }) => signerWith(SignatureV4, Sha256, options, url))

/**
 * The exports of a CommonJS module loaded by `import()`: Node gives them as named exports and as `default`,
 * the bundled CLI (esbuild's ESM output) only as `default`.
 */
const cjsExports = <M extends object>(module: M): M => ("default" in module ? module.default as M : module)

// Loaded on first use, like the Anthropic provider: runs that do not use Bedrock never parse the signer.
const loadSigner = Effect.all({
  SignatureV4: Effect.promise(() => import("@smithy/signature-v4")).pipe(Effect.map((m) => cjsExports(m).SignatureV4)),
  Sha256: Effect.promise(() => import("@aws-crypto/sha256-js")).pipe(Effect.map((m) => cjsExports(m).Sha256))
})

const signerWith = (
  SignatureV4: typeof import("@smithy/signature-v4").SignatureV4,
  Sha256: typeof import("@aws-crypto/sha256-js").Sha256,
  options: BedrockOptions,
  url: string
) => {
  const target = new URL(url)
  const { accessKeyId, secretAccessKey, sessionToken } = options.credentials
  const sigv4 = new SignatureV4({
    service: "bedrock",
    region: options.region,
    sha256: Sha256,
    credentials: {
      accessKeyId: Redacted.value(accessKeyId),
      secretAccessKey: Redacted.value(secretAccessKey),
      ...(sessionToken === undefined ? {} : { sessionToken: Redacted.value(sessionToken) })
    }
  })
  const port = target.port === "" ? undefined : Number(target.port)
  return (body: string): Effect.Effect<Readonly<Record<string, string>>, JudgeError> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.tryPromise({
        try: () =>
          sigv4.sign({
            method: "POST",
            protocol: target.protocol,
            hostname: target.hostname,
            ...(port === undefined ? {} : { port }),
            path: target.pathname,
            query: {},
            headers: { host: target.host, "content-type": "application/json" },
            body
          }, { signingDate: new Date(now) }),
        catch: (error) => new JudgeError({ kind: "BadRequest", message: `bedrock: could not sign the request: ${String(error)}` })
      }).pipe(Effect.map((signed) => {
        // undici sets `host` itself from the URL (the value signed above).
        const { host: _, ...headers } = signed.headers
        return headers
      })))
}

/**
 * The provider over a transport (see `./post-json.ts`).
 *
 * @example
 * ```ts
 * const provider = makeWith(options, viaDispatcherSigned(dispatcher, url, signer(options, url)))
 * ```
 * @since 0.1.0
 */
export const makeWith = (options: BedrockOptions, post: PostJson): ChatProviderApi => {
  const completeWithin = (request: ChatRequest, deadline?: AttemptDeadline): Effect.Effect<ProviderReply, JudgeError> =>
    Effect.flatMap(post(requestBody(options, request), deadline), ({ headers, status, text }) =>
      status >= 200 && status < 300
        ? parseReply(text)
        : Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(classifyBedrock(status, headers, text, now))))
  return {
    provider: "bedrock",
    model: options.model,
    route: routeOf(converseUrl(options)),
    complete: (request) => completeWithin(request),
    completeWithin
  }
}

/**
 * The provider over `@effect/platform-node`'s undici dispatcher. An endpoint that is not a URL fails every
 * call at once.
 *
 * @example
 * ```ts
 * const provider = yield* make({ model: "amazon.nova-lite-v1:0", region: "us-east-1", credentials })
 * ```
 * @since 0.1.0
 */
export const make = (options: BedrockOptions): Effect.Effect<ChatProviderApi, never, NodeHttpClient.Dispatcher> =>
  Effect.gen(function*() {
    const dispatcher = yield* Effect.flatMap(nodeHttpClient, (m) => m.Dispatcher)
    const url = converseUrl(options)
    const sign = URL.canParse(url) ? yield* signer(options, url) : () => Effect.succeed({})
    return makeWith(options, viaDispatcherSigned(dispatcher, url, sign))
  })

/**
 * The provider as a Layer over an undici dispatcher (what the CLI uses).
 *
 * @example
 * ```ts
 * layer({ model: "amazon.nova-lite-v1:0", region: "us-east-1", credentials }).pipe(Layer.provide(NodeHttpClient.dispatcherLayer))
 * ```
 * @since 0.1.0
 */
export const layer = (options: BedrockOptions): Layer.Layer<ChatProvider, never, NodeHttpClient.Dispatcher> =>
  Layer.effect(ChatProvider, make(options))

/**
 * The provider as a Layer over an undici dispatcher, its options read from `Config` values the caller names.
 *
 * @example
 * ```ts
 * layerConfig({ model: Config.succeed("amazon.nova-lite-v1:0"), region: Config.string("MY_REGION"), credentials })
 * ```
 * @since 0.1.0
 */
export const layerConfig = (config: Config.Config.Wrap<BedrockOptions>): Layer.Layer<ChatProvider, ConfigError.ConfigError, NodeHttpClient.Dispatcher> =>
  layerFromConfig(config, layer)
