/**
 * The judge's chat vocabulary: messages, requests, replies with usage and optional logprobs.
 *
 * @example
 * ```ts
 * const request: ChatRequest = { messages: [{ role: "user", content: "Rate 0-10" }], json: true, topLogprobs: 5 }
 * ```
 */
import type { TokenUsage } from "@assay/core"
import type { JudgeError } from "./errors.js"
import type { RateLimitInfo } from "./headers.js"

/**
 * One chat message.
 *
 * @example
 * ```ts
 * const m: ChatMessage = { role: "user", content: "Is this answer correct?" }
 * ```
 * @since 0.1.0
 */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant"
  readonly content: string
  /** Images sent after the text (user messages; see `images.ts` for how case images become these). */
  readonly images?: ReadonlyArray<ChatImage> | undefined
}

/**
 * An image for the judge: inline bytes (base64, with their media type) or a remote URL the provider fetches.
 *
 * @example
 * ```ts
 * const png: ChatImage = { kind: "inline", mediaType: "image/png", base64: "iVBORw0KGgo=" }
 * ```
 * @since 0.1.0
 */
export type ChatImage =
  | { readonly kind: "inline"; readonly mediaType: string; readonly base64: string }
  | { readonly kind: "url"; readonly url: string }

/**
 * The image as a URL: a `data:` URL for inline bytes (what OpenAI's `image_url` takes), the URL itself otherwise.
 *
 * @example
 * ```ts
 * imageUrl({ kind: "inline", mediaType: "image/png", base64: "AA==" }) // "data:image/png;base64,AA=="
 * ```
 * @since 0.1.0
 */
export const imageUrl = (image: ChatImage): string =>
  image.kind === "inline" ? `data:${image.mediaType};base64,${image.base64}` : image.url

/** Rough token cost of one image in {@link estimateTokens} (providers bill images by tile, ~1k tokens is typical). */
const IMAGE_TOKENS = 1000

/**
 * A chat call.
 *
 * @example
 * ```ts
 * const r: ChatRequest = { messages: [m], json: true }
 * ```
 * @since 0.1.0
 */
export interface ChatRequest {
  readonly messages: ReadonlyArray<ChatMessage>
  /** Ask for a JSON object (`response_format: json_object` where the provider supports it). */
  readonly json?: boolean | undefined
  /** Ask for this many top log-probabilities per token (providers that support it). */
  readonly topLogprobs?: number | undefined
  readonly temperature?: number | undefined
  readonly maxTokens?: number | undefined
}

/**
 * The log-probability of one generated token and its top alternatives.
 *
 * @example
 * ```ts
 * const p = Math.exp(reply.logprobs![0]!.logprob)
 * ```
 * @since 0.1.0
 */
export interface TokenLogprob {
  readonly token: string
  readonly logprob: number
  readonly top: ReadonlyArray<{ readonly token: string; readonly logprob: number }>
}

/**
 * What a provider returns for one successful attempt.
 *
 * @example
 * ```ts
 * const reply: ProviderReply = { text: "ok", usage: { input: 3, output: 1 } }
 * ```
 * @since 0.1.0
 */
export interface ProviderReply {
  readonly text: string
  readonly usage: TokenUsage
  readonly logprobs?: ReadonlyArray<TokenLogprob> | undefined
  readonly rateLimit?: RateLimitInfo | undefined
  /** The vectors of an embeddings call (`./embeddings.ts`), one per input, in input order. */
  readonly embeddings?: ReadonlyArray<ReadonlyArray<number>> | undefined
}

/**
 * How long one attempt of a call may still take, and the error it ends with past that: what the call policy
 * gives a provider that enforces attempt timeouts itself (`ChatProviderApi.completeWithin`).
 *
 * @example
 * ```ts
 * const deadline: AttemptDeadline = { millis: 60_000, onExpire: () => new JudgeError({ kind: "Timeout", message: "attempt timed out" }) }
 * ```
 * @since 0.1.0
 */
export interface AttemptDeadline {
  readonly millis: number
  readonly onExpire: () => JudgeError
}

/**
 * A judge reply: text, usage, cost (price table currency), and logprobs when the provider returned them.
 *
 * @example
 * ```ts
 * const { cost, text, usage } = yield* judge.chat(request)
 * ```
 * @since 0.1.0
 */
export interface ChatReply {
  readonly text: string
  readonly usage: TokenUsage
  readonly cost: number
  readonly model: string
  readonly logprobs?: ReadonlyArray<TokenLogprob> | undefined
}

/**
 * Rough token estimate of a request (≈ 4 characters a token, plus the reply budget), used as the cost of a
 * call in the tokens/minute limiter before the real usage is known.
 *
 * @example
 * ```ts
 * estimateTokens({ messages: [{ role: "user", content: "abcd" }] }) // 1 + 256
 * ```
 * @since 0.1.0
 */
export const estimateTokens = (request: ChatRequest): number =>
  request.messages.reduce((n, m) => n + Math.ceil(m.content.length / 4) + (m.images?.length ?? 0) * IMAGE_TOKENS, 0) +
  (request.maxTokens ?? 256)
