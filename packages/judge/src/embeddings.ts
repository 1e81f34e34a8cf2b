/**
 * Text embeddings through an OpenAI-compatible `POST {baseUrl}/embeddings` (both texts of a pair in one request),
 * for the `semantic-similarity` metric: the {@link Embedder} service, its HTTP client (through the call policy:
 * caps, retries, 429s with Retry-After, like judge calls; errors redacted like `./guard.ts` does) and a cache of
 * vectors by model and text ({@link EmbeddingCache}, any `get`/`set` storage — the CLI uses the response cache
 * table of `@assay/store`), so a text embedded once is never paid for again while the cache keeps it.
 *
 * @example
 * ```ts
 * const { vectors } = yield* Effect.flatMap(Embedder, (e) => e.embed(["Paris", "The capital is Paris"]))
 * cosineSimilarity(vectors[0]!, vectors[1]!)
 * ```
 */
import type { TokenUsage } from "@assay/core"
import { Clock, Context, Effect, Either, Layer, Option, type Redacted, Schema } from "effect"
import { classifyStatus } from "./classify.js"
import { JudgeError } from "./errors.js"
import { redactor } from "./guard.js"
import type { CallPolicyApi } from "./policy.js"
import { costAt, type Price } from "./pricing.js"
import type { PostJson } from "./providers/post-json.js"
import type { ReplyStorage } from "./reply-cache.js"

/**
 * Vectors of some texts, in their order, with what fetching the uncached ones used and cost.
 *
 * @example
 * ```ts
 * const reply: EmbeddingReply = { vectors: [[1, 0], [0, 1]], usage: { input: 4, output: 0 }, cost: 0 }
 * ```
 * @since 0.1.0
 */
export interface EmbeddingReply {
  readonly vectors: ReadonlyArray<ReadonlyArray<number>>
  readonly usage: TokenUsage
  readonly cost: number
}

/**
 * The embedder: `embed` returns one vector per text, through the call policy and the cache.
 *
 * @example
 * ```ts
 * const reply = yield* embedder.embed(["a", "b"])
 * ```
 * @since 0.1.0
 */
export interface EmbedderApi {
  /** `provider:model`, e.g. `openai:text-embedding-3-small`. */
  readonly model: string
  readonly embed: (texts: ReadonlyArray<string>) => Effect.Effect<EmbeddingReply, JudgeError>
}

/**
 * The embeddings service the `semantic-similarity` metric needs.
 *
 * @example
 * ```ts
 * Layer.succeed(Embedder, { model: "test:m", embed: (texts) => Effect.succeed({ vectors: texts.map(() => [1]), usage, cost: 0 }) })
 * ```
 * @since 0.1.0
 */
export class Embedder extends Context.Tag("assay/judge/Embedder")<Embedder, EmbedderApi>() {
  /**
   * The Embedder of a run that selected no embedding metric, so none was configured (see `Judge.unavailable`):
   * a call that still comes fails with a `BadRequest` JudgeError saying to pass `--embedding-model`.
   *
   * @example
   * ```ts
   * run.pipe(Effect.provide(embedded === 0 ? Embedder.unavailable : embedderLayer(spec)))
   * ```
   */
  static readonly unavailable: Layer.Layer<Embedder> = Layer.succeed(this, {
    model: "none",
    embed: () => Effect.fail(new JudgeError({ kind: "BadRequest", message: "no embedding model configured (pass --embedding-model)" }))
  })
}

/**
 * Where vectors are kept between runs (optional: without it every pair is fetched).
 *
 * @example
 * ```ts
 * Layer.effect(EmbeddingCache, ResponseCache) // @assay/store's response cache has the shape
 * ```
 * @since 0.1.0
 */
export class EmbeddingCache extends Context.Tag("assay/judge/EmbeddingCache")<EmbeddingCache, ReplyStorage>() {}

/**
 * List prices (USD / 1M input tokens) of OpenAI's embedding models.
 *
 * @example
 * ```ts
 * embeddingPrices["text-embedding-3-small"] // { input: 0.02, output: 0 }
 * ```
 * @since 0.1.0
 */
export const embeddingPrices: Readonly<Record<string, Price>> = {
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  "text-embedding-ada-002": { input: 0.1, output: 0 }
}

/**
 * Cosine similarity of two vectors (0 when either is all zeros or their lengths differ).
 *
 * @example
 * ```ts
 * cosineSimilarity([1, 0], [1, 1]) // 0.7071…
 * ```
 * @since 0.1.0
 */
export const cosineSimilarity = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  if (a.length !== b.length || a.length === 0) return 0
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!
    na += a[i]! * a[i]!
    nb += b[i]! * b[i]!
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb)
}

const EmbeddingsResponse = Schema.Struct({
  data: Schema.Array(Schema.Struct({ index: Schema.Number, embedding: Schema.Array(Schema.Number) })),
  usage: Schema.optional(Schema.Struct({ prompt_tokens: Schema.Number }))
})
const decodeResponse = Schema.decodeUnknownEither(Schema.parseJson(EmbeddingsResponse))
const Vector = Schema.Array(Schema.Number)
const decodeVector = Schema.decodeUnknownOption(Vector)

/** The vectors of a 2xx body, by input index; a body that does not fit is a server fault (retried). */
const parseVectors = (text: string, count: number): Either.Either<{ vectors: Array<ReadonlyArray<number>>; tokens: number }, JudgeError> => {
  const decoded = decodeResponse(text)
  const broken = new JudgeError({ kind: "Transient", message: `unreadable embeddings body: ${text.slice(0, 200)}` })
  if (Either.isLeft(decoded)) return Either.left(broken)
  const vectors: Array<ReadonlyArray<number>> = []
  for (const item of decoded.right.data) vectors[item.index] = item.embedding
  if (vectors.length !== count || vectors.some((v) => v === undefined)) return Either.left(broken)
  return Either.right({ vectors, tokens: decoded.right.usage?.prompt_tokens ?? 0 })
}

/**
 * What {@link makeEmbedder} needs.
 *
 * @example
 * ```ts
 * const options: EmbedderOptions = { provider: "openai", model: "text-embedding-3-small", secrets: [apiKey], price: undefined }
 * ```
 * @since 0.1.0
 */
export interface EmbedderOptions {
  readonly provider: string
  readonly model: string
  /** Removed from error messages (a server may quote the key it was sent). */
  readonly secrets: ReadonlyArray<Redacted.Redacted>
  readonly price: Price | undefined
  /** Answer only from the cache: a text it has never seen fails, without a request. */
  readonly offline?: boolean | undefined
}

/**
 * The embedder over a transport to the `/embeddings` URL, a call policy and an optional cache.
 *
 * @example
 * ```ts
 * const embedder = makeEmbedder(options, viaDispatcher(dispatcher, `${baseUrl}/embeddings`, headers), policy, undefined)
 * ```
 * @since 0.1.0
 */
export const makeEmbedder = (
  options: EmbedderOptions,
  post: PostJson,
  policy: CallPolicyApi,
  cache: ReplyStorage | undefined
): EmbedderApi => {
  const model = `${options.provider}:${options.model}`
  const redact = redactor(options.secrets)
  const keyOf = (text: string) => ({ model, baseUrl: "embeddings", body: { input: text } })
  const fetch = (texts: ReadonlyArray<string>) =>
    policy.run(model, texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0), (deadline) =>
      Effect.flatMap(post({ model: options.model, input: texts }, deadline), ({ headers, status, text }) =>
        status >= 200 && status < 300
          ? Either.map(parseVectors(text, texts.length), ({ tokens, vectors }) => ({ text: "", usage: { input: tokens, output: 0 }, embeddings: vectors }))
          : Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(classifyStatus(status, headers, text, now))))).pipe(
        Effect.mapError((e) => new JudgeError({ ...e, message: `embeddings ${model}: ${redact(e.message)}` }))
      )
  const cached = (text: string) =>
    cache === undefined ? Effect.succeedNone : cache.get(keyOf(text)).pipe(
      Effect.map(Option.flatMap(decodeVector)),
      Effect.catchAll((e) => Effect.as(Effect.logWarning(`embedding cache read failed: ${e.message}`), Option.none()))
    )
  const keep = (text: string, vector: ReadonlyArray<number>) =>
    cache === undefined ? Effect.void : cache.set(keyOf(text), vector).pipe(
      Effect.catchAll((e) => Effect.logWarning(`embedding cache write failed: ${e.message}`))
    )
  const embed = (texts: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const hits = yield* Effect.forEach(texts, cached)
      // Each distinct missing text once.
      const missing = [...new Set(texts.filter((_, i) => Option.isNone(hits[i]!)))]
      if (missing.length === 0) return { vectors: hits.map((h) => Option.getOrThrow(h)), usage: { input: 0, output: 0 }, cost: 0 }
      if (options.offline === true) {
        return yield* new JudgeError({ kind: "BadRequest", message: `offline: no cached embedding of ${model} for ${missing.length} text(s)` })
      }
      const reply = yield* fetch(missing)
      const fresh = new Map(missing.map((text, i) => [text, reply.embeddings![i]!] as const))
      yield* Effect.forEach(fresh, ([text, vector]) => keep(text, vector), { discard: true })
      return {
        vectors: texts.map((text, i) => Option.getOrElse(hits[i]!, () => fresh.get(text)!)),
        usage: reply.usage,
        cost: costAt(options.price, reply.usage) ?? 0
      }
    })
  return { model, embed }
}
