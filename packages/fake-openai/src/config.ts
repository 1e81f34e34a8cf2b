/**
 * What the fake server does (on its OpenAI and Anthropic routes alike): latency, rate cap, injected failures,
 * scripted replies.
 *
 * @example
 * ```ts
 * const config: FakeOpenAiConfig = { latency: "50 millis", rateLimit: { requestsPerSecond: 200 }, failEvery: 5 }
 * ```
 */
import type { Duration } from "effect"

/**
 * A scripted reply: when `pattern` matches the last user message, answer `content`.
 *
 * @example
 * ```ts
 * const script: Script = { pattern: /faithful/, content: '{"verdicts": []}' }
 * ```
 */
export interface Script {
  /** A regular expression (or its source) tested against the last user message. */
  readonly pattern: RegExp | string
  /** The assistant's reply. A function receives the last user message. */
  readonly content: string | ((lastUserMessage: string) => string)
  /**
   * Top log-probabilities (token → probability) reported for the first integer token of the reply when the
   * request asks for logprobs. The reply's own token gets probability 1 when absent.
   */
  readonly scoreProbabilities?: Readonly<Record<string, number>> | undefined
}

/**
 * Settings of the fake server; every field is optional.
 *
 * @example
 * ```ts
 * const config: FakeOpenAiConfig = { latency: "50 millis", failEvery: 5 }
 * ```
 */
export interface FakeOpenAiConfig {
  /** Port to listen on (127.0.0.1); 0 picks a free one. */
  readonly port?: number | undefined
  /** How long after it arrives every accepted request is answered (the server's own work counts towards it). */
  readonly latency?: Duration.DurationInput | undefined
  /**
   * Accepted requests per rolling second; beyond it the server answers 429 with Retry-After. Replies carry the
   * cap in rate-limit headers (`x-ratelimit-{limit,remaining,reset}-requests`, `anthropic-ratelimit-requests-*`),
   * stated per minute (× 60) as the providers do, unless `headers` is false; `tokensPerMinute` adds a token
   * limit to the headers (stated, not enforced).
   */
  readonly rateLimit?: {
    readonly requestsPerSecond: number
    readonly tokensPerMinute?: number | undefined
    readonly headers?: boolean | undefined
  } | undefined
  /** Every k-th request (1-based: k, 2k, …) answers `failStatus`. */
  readonly failEvery?: number | undefined
  /** A seeded fraction of requests answers `failStatus` (deterministic for a given seed and request order). */
  readonly failRate?: { readonly rate: number; readonly seed: number } | undefined
  /** Status of the injected failures (default 500; 529 is Anthropic's `overloaded_error` on `/v1/messages`). */
  readonly failStatus?: number | undefined
  /** Every k-th request gets a truncated, unparsable JSON body (status 200). */
  readonly malformedBodyEvery?: number | undefined
  /**
   * When set, requests must carry the key — `Authorization: Bearer <apiKey>` on the OpenAI routes,
   * `x-api-key: <apiKey>` on `/v1/messages`, `x-goog-api-key: <apiKey>` on Gemini's `generateContent`, a SigV4
   * `Authorization` whose access key id is `apiKey` on Bedrock's `converse` — else the API's auth error.
   */
  readonly apiKey?: string | undefined
  /**
   * Every error reply's message quotes the request's credential header (`Authorization` or `x-api-key`), as
   * some servers do in their 401s: for testing that clients never store or print such messages as they are.
   */
  readonly echoCredentials?: boolean | undefined
  /**
   * Every request fails with a billing error that must not be retried: 429 `insufficient_quota` (OpenAI),
   * 400 "credit balance is too low" (Anthropic).
   */
  readonly quotaExceeded?: boolean | undefined
  /**
   * Requests whose last user message matches `pattern` (a RegExp or its source) are refused at once with
   * `status` (default 400; a 5xx is retried by clients) — a target that cannot answer chosen inputs.
   */
  readonly refuse?: { readonly pattern: RegExp | string; readonly status?: number | undefined } | undefined
  /** Scripted replies, first match wins. */
  readonly scripts?: ReadonlyArray<Script> | undefined
  /**
   * After `scripts`, answer the prompts of assay's agent, conversational, DAG, JSON and multimodal judge metrics
   * with the built-in deterministic replies of `judge-scripts.ts`.
   */
  readonly judgeScripts?: boolean | undefined
  /**
   * When no script matches a message made of a `Context:` block and a `Question:` line, reply with the context
   * sentence sharing the most words with the question (a deterministic stand-in for a RAG answer step).
   */
  readonly answerFromPrompt?: boolean | undefined
  /** Reply when no script matches (default `{"score": 1, "reason": "ok"}`... see `defaultReply`). */
  readonly defaultReply?: string | undefined
  /** Dimension of the deterministic embeddings (default 8). */
  readonly embeddingDimensions?: number | undefined
  /** How the batch APIs (OpenAI Files + Batches, Anthropic Message Batches; `batches.ts`) behave. */
  readonly batch?: BatchConfig | undefined
}

/**
 * Batch API behaviour of the fake server.
 *
 * @example
 * ```ts
 * const batch: BatchConfig = { delay: "2 seconds", failPattern: /broken/, outcome: "completed" }
 * ```
 */
export interface BatchConfig {
  /** How long after creation a batch ends (default 1 second). Until then it is in progress. */
  readonly delay?: Duration.DurationInput | undefined
  /** Lines whose last user message matches fail on their own (a 500 in OpenAI's error file, `errored` for Anthropic). */
  readonly failPattern?: RegExp | string | undefined
  /** How every batch ends: completed (default), expired (no line answered) or failed (OpenAI `failed`). */
  readonly outcome?: "completed" | "expired" | "failed" | undefined
}

/**
 * The default reply content when no script matches.
 *
 * @example
 * ```ts
 * FakeOpenAi.make({}) // replies "ok" to every chat message
 * ```
 */
export const defaultReply = "ok"
