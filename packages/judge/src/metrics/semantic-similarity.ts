/**
 * `semantic-similarity`: the cosine similarity of the actual and expected outputs' embeddings (both texts in
 * one `/embeddings` request, through the {@link Embedder}), negative similarities scored 0. The embedding
 * model is part of the metric's cache identity: another model never reuses a cached score.
 *
 * @example
 * ```ts
 * evaluate(cases, [semanticSimilarity({ threshold: 0.8, embeddingModel: "openai:text-embedding-3-small" })])
 * ```
 */
import { contentText, Metric, type MetricFactory, MetricError } from "@assay/core"
import { Effect, Schema } from "effect"
import { cosineSimilarity, Embedder } from "../embeddings.js"

const NAME = "semantic-similarity"

/**
 * Options of {@link semanticSimilarity}.
 *
 * @example
 * ```ts
 * const options: SemanticSimilarityOptions = { threshold: 0.8 }
 * ```
 * @since 0.1.0
 */
export interface SemanticSimilarityOptions {
  /** Pass mark (default 0.5). */
  readonly threshold?: number | undefined
  /** Only a score of 1 passes. */
  readonly strict?: boolean | undefined
  /**
   * The embedding model (`provider:model`) this metric is configured for: its cache identity; when set, running
   * under another Embedder is a MetricError rather than a silently wrong cache hit.
   */
  readonly embeddingModel?: string | undefined
}

/**
 * The metric; needs an {@link Embedder}.
 *
 * @example
 * ```ts
 * semanticSimilarity({ threshold: 0.75 })
 * ```
 * @since 0.1.0
 */
export const semanticSimilarity = (options: SemanticSimilarityOptions = {}): Metric.Metric<Embedder> =>
  Metric.make({
    name: NAME,
    threshold: options.threshold ?? 0.5,
    strict: options.strict ?? false,
    requires: ["actualOutput", "expectedOutput"],
    config: { version: 1, embeddingModel: options.embeddingModel ?? null, score: "cosine, negatives as 0" },
    measure: Metric.llmOnly(NAME, (testCase) =>
      Effect.gen(function*() {
        const embedder = yield* Embedder
        if (options.embeddingModel !== undefined && options.embeddingModel !== embedder.model) {
          return yield* new MetricError({ metric: NAME, message: `configured for ${options.embeddingModel} but run with ${embedder.model}` })
        }
        const actual = contentText(testCase.actualOutput)
        const expected = contentText(testCase.expectedOutput)
        const reply = yield* embedder.embed([actual, expected]).pipe(
          Effect.mapError((e) => new MetricError({ metric: NAME, message: `embeddings call failed (${e.kind}): ${e.message}` }))
        )
        const cosine = cosineSimilarity(reply.vectors[0]!, reply.vectors[1]!)
        return {
          score: Math.min(1, Math.max(0, cosine)),
          reason: `cosine similarity ${cosine.toFixed(4)} (${embedder.model})`,
          cost: reply.cost,
          tokens: reply.usage
        }
      }))
  })

/**
 * Factory for `semantic-similarity` (the CLI passes the run's embedding model as `embeddingModel`).
 *
 * @example
 * ```ts
 * semanticSimilarityFactory.make({ threshold: 0.8 })
 * ```
 * @since 0.1.0
 */
export const semanticSimilarityFactory: MetricFactory<Embedder> = {
  id: NAME,
  description: "cosine similarity of the actual and expected outputs' embeddings (--embedding-model)",
  params: Schema.Struct({
    threshold: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
    strict: Schema.optional(Schema.Boolean),
    embeddingModel: Schema.optional(Schema.String)
  }),
  paramsDoc: [
    { name: "threshold", type: "number 0..1", default: "0.5", description: "pass mark" },
    { name: "strict", type: "boolean", default: "false", description: "only a score of 1 passes" },
    { name: "embeddingModel", type: "string", description: "provider:model of the embeddings (cache identity; default --embedding-model)" }
  ],
  make: semanticSimilarity
}
