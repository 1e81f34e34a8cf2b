/**
 * Every metric the CLI knows, by id: the deterministic metrics from @assay/core and the LLM-judged metrics
 * from @assay/judge. `buildMetrics` turns config entries (`"exact-match"` or `{ metric: "rouge", ... }`) into
 * metrics, decoding each entry's parameters with its factory's Schema.
 *
 * @example
 * ```ts
 * import { buildMetrics } from "./catalog.js"
 * const metrics = yield* buildMetrics(["exact-match", { metric: "levenshtein", threshold: 0.8 }], null)
 * ```
 */
import { deterministicFactories, type Metric as M, type MetricFactory } from "@assay/core"
import { type Embedder, type Judge, judgeFactories, semanticSimilarityFactory } from "@assay/judge"
import { Effect, Either, ParseResult, Schema } from "effect"
import type { MetricEntry } from "../config/schema.js"
import { UsageError } from "../errors.js"
import { didYouMean } from "../suggest.js"

/**
 * Factories of metrics that need no judge.
 *
 * @example
 * ```ts
 * deterministicCatalog.map((f) => f.id) // ["exact-match", "contains", …]
 * ```
 */
export const deterministicCatalog: ReadonlyArray<MetricFactory<never>> = deterministicFactories

/**
 * Factories of metrics scored by an LLM judge (they need `--judge`).
 *
 * @example
 * ```ts
 * judgeCatalog.some((f) => f.id === "faithfulness")
 * ```
 */
export const judgeCatalog: ReadonlyArray<MetricFactory<Judge>> = judgeFactories

/**
 * Factories of metrics scored through embeddings (they use `--embedding-model`).
 *
 * @example
 * ```ts
 * embeddingCatalog.map((f) => f.id) // ["semantic-similarity"]
 * ```
 */
export const embeddingCatalog: ReadonlyArray<MetricFactory<Embedder>> = [semanticSimilarityFactory]

/**
 * Every factory, deterministic first.
 *
 * @example
 * ```ts
 * catalog.find((f) => f.id === "rouge")?.paramsDoc
 * ```
 */
export const catalog: ReadonlyArray<MetricFactory<Judge | Embedder>> = [...deterministicCatalog, ...judgeCatalog, ...embeddingCatalog]

/**
 * The test-case fields a factory's metric needs, as text: its `requiresDoc`, or the fields of a metric built with
 * no parameters (`"input, actualOutput"`, `"turns (conversational cases)"`).
 *
 * @example
 * ```ts
 * requiredFields(catalog.find((f) => f.id === "faithfulness")!) // "input, actualOutput, retrievalContext"
 * ```
 */
export const requiredFields = (factory: MetricFactory<Judge | Embedder>): string => {
  if (factory.requiresDoc !== undefined) return factory.requiresDoc
  const params = Schema.decodeUnknownEither(factory.params)({})
  if (Either.isLeft(params)) return "see parameters"
  const metric = factory.make(params.right)
  const fields = metric.requires.length === 0 ? "none" : metric.requires.join(", ")
  return metric.appliesTo === "ConversationalTestCase" ? `${fields} (conversational cases)` : fields
}

/**
 * A built metric list and whether any of them needs the judge service.
 *
 * @example
 * ```ts
 * const { metrics, needsJudge }: BuiltMetrics = yield* buildMetrics(["bleu"], null)
 * ```
 */
export interface BuiltMetrics {
  readonly metrics: ReadonlyArray<M.Metric<Judge | Embedder>>
  readonly needsJudge: boolean
  /** How many of them call the judge (each case can have that many judge calls in flight). */
  readonly judged: number
  /** How many of them call the embeddings endpoint. */
  readonly embedded: number
}

const entryId = (entry: MetricEntry) => (typeof entry === "string" ? entry : entry.metric)

/**
 * A metric's bad parameters. A metric named by `--metric` alone that needs parameters is told where they go and
 * which it has without defaults (a cross-field rule such as "criteria or evaluationSteps" only shows up once
 * the fields it relates are present, so they are listed rather than reported one at a time).
 */
const paramsError = (factory: (typeof catalog)[number], bare: boolean, error: ParseResult.ParseError): UsageError => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (bare && issues.every((i) => i.message === "is missing")) {
    const needed = factory.paramsDoc.filter((p) => p.default === undefined && p.name !== "judge")
    return new UsageError({
      message: `metric ${factory.id} needs parameters that --metric cannot set: list it in the config file (assay.config.json ` +
        `or .yaml), e.g. metrics: [{ metric: ${factory.id}, ${needed.slice(0, 2).map((p) => `${p.name}: …`).join(", ")} }]. ` +
        `Its parameters without defaults: ${needed.map((p) => `${p.name} (${p.description})`).join("; ")}`
    })
  }
  return new UsageError({
    message: `metric ${factory.id}: ${issues.map((i) => `${i.path.length === 0 ? "(params)" : i.path.join(".")}: ${i.message}`).join("; ")}`
  })
}

/**
 * Build metrics from entries; an unknown id or bad parameter is a UsageError naming the entry and field.
 * Judged metrics get the run's judge (`provider:model`) as their `judge` parameter unless the entry sets one:
 * it is part of their cache identity, so a cached verdict is never reused under another judge.
 *
 * @example
 * ```ts
 * buildMetrics([{ metric: "exact-match", threshold: 2 }], null) // fails: metric exact-match: threshold: …
 * ```
 */
export const buildMetrics = (
  entries: ReadonlyArray<MetricEntry>,
  judge: string | null,
  embeddingModel: string | null = null
): Effect.Effect<BuiltMetrics, UsageError> =>
  Effect.suspend(() => {
    if (entries.length === 0) {
      return Effect.fail(new UsageError({ message: "no metrics: pass --metric <id> or list metrics in --config (see `assay metrics`)" }))
    }
    const metrics: Array<M.Metric<Judge | Embedder>> = []
    let judged = 0
    let embedded = 0
    for (const entry of entries) {
      const id = entryId(entry)
      const factory = catalog.find((f) => f.id === id)
      if (factory === undefined) {
        return Effect.fail(new UsageError({
          message: `unknown metric "${id}":${didYouMean(id, catalog.map((f) => f.id)) || " no such id"} (\`assay metrics\` lists them all)`
        }))
      }
      const { metric: _, ...given } = typeof entry === "string" ? { metric: id } : entry
      const isJudged = (judgeCatalog as ReadonlyArray<unknown>).includes(factory)
      const isEmbedded = (embeddingCatalog as ReadonlyArray<unknown>).includes(factory)
      const raw = isJudged && judge !== null && given.judge === undefined
        ? { ...given, judge }
        : isEmbedded && embeddingModel !== null && given.embeddingModel === undefined
        ? { ...given, embeddingModel }
        : given
      const params = Schema.decodeUnknownEither(factory.params, { errors: "all", onExcessProperty: "error" })(raw)
      if (Either.isLeft(params)) return Effect.fail(paramsError(factory, typeof entry === "string", params.left))
      metrics.push(factory.make(params.right))
      if (isJudged) judged++
      if (isEmbedded) embedded++
    }
    return Effect.succeed({ metrics, needsJudge: judged > 0, judged, embedded })
  })
