/**
 * The metric-result cache: a service the engine consults before scheduling metrics. Provide a Layer
 * (in-memory here; SQLite in @assay/store) to enable it; leave it out and the engine neither reads nor writes.
 *
 * Results are grouped by case: the engine looks up a chunk of upcoming cases at once (`lookupMany`, one
 * round trip per chunk) and stores the fresh results of a batch of finished cases at once (`store`, one
 * transaction per batch). Within a case, results are addressed by metric tag (see `cache-key.ts`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { evaluate, EvalCache } from "@assay/core"
 * evaluate(cases, metrics).pipe(Effect.provide(EvalCache.memory))
 * ```
 */
import { Context, Effect, Layer, Schema } from "effect"
import type { Outcome } from "../metric/metric.js"

/**
 * The cache could not be read or written.
 *
 * @since 0.1.0
 */
export class CacheError extends Schema.TaggedError<CacheError>()("CacheError", {
  message: Schema.String
}) {}

/**
 * A cached outcome: what a metric returned, without its cost (a cached result costs nothing).
 *
 * @example
 * ```ts
 * const cached: CachedOutcome = { score: 0.75, reason: "2 of 3 claims supported" }
 * ```
 * @since 0.1.0
 */
export type CachedOutcome = Omit<Outcome, "cost">

/**
 * The cached outcomes of one case, by metric tag.
 *
 * @example
 * ```ts
 * const byTag: CachedOutcomes = { [metricCacheTag(bleu())]: { score: 0.4 } }
 * ```
 * @since 0.1.0
 */
export type CachedOutcomes = Readonly<Record<string, CachedOutcome>>

/**
 * Fresh outcomes of one finished case. Only successful outcomes are ever stored.
 *
 * @example
 * ```ts
 * const entry: CacheEntry = { caseKey, outcomes: { [tag]: { score: 1 } } }
 * ```
 * @since 0.1.0
 */
export interface CacheEntry {
  readonly caseKey: string
  readonly outcomes: CachedOutcomes
}

/**
 * A metric tag with the metric's name (for statistics).
 *
 * @example
 * ```ts
 * const named: NamedTag = { tag: metricCacheTag(m), name: m.name }
 * ```
 * @since 0.1.0
 */
export interface NamedTag {
  readonly tag: string
  readonly name: string
}

/**
 * The cache's interface.
 *
 * @example
 * ```ts
 * const [first] = yield* cache.lookupMany([caseKey], [tag]) // undefined when nothing is cached for it
 * ```
 * @since 0.1.0
 */
export interface EvalCacheApi {
  /**
   * Called by the engine when a run starts, before its first lookup: a cache that defers work (the SQLite
   * layer merges pending writes) makes everything stored so far visible here. Within one run, a case is
   * looked up before any of the run's own results are stored.
   */
  readonly beginRun: Effect.Effect<void, CacheError>
  /**
   * The cached outcomes of each case key, aligned with `caseKeys` (`undefined`: nothing cached). `tags` are
   * the metrics the run wants: outcomes of other metrics may be left out.
   */
  readonly lookupMany: (
    caseKeys: ReadonlyArray<string>,
    tags: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<CachedOutcomes | undefined>, CacheError>
  /**
   * Store the fresh outcomes of a batch of finished cases, merged with what is cached for them already;
   * durable when the effect completes. `metrics` names the tags used by the run.
   */
  readonly store: (entries: ReadonlyArray<CacheEntry>, metrics: ReadonlyArray<NamedTag>) => Effect.Effect<void, CacheError>
}

/**
 * Builds an in-memory cache (tests, short-lived programs).
 *
 * @example
 * ```ts
 * const cache = yield* makeMemoryCache
 * ```
 * @since 0.1.0
 */
export const makeMemoryCache = Effect.sync((): EvalCacheApi => {
  const rows = new Map<string, CachedOutcomes>()
  return {
    beginRun: Effect.void,
    lookupMany: (keys) => Effect.sync(() => keys.map((k) => rows.get(k))),
    store: (entries) =>
      Effect.sync(() => {
        for (const e of entries) rows.set(e.caseKey, { ...rows.get(e.caseKey), ...e.outcomes })
      })
  }
})

/**
 * A cache that never hits and never writes. The engine treats it as no cache at all: it computes no cache keys.
 *
 * @example
 * ```ts
 * Layer.succeed(EvalCache, noEvalCache)
 * ```
 * @since 0.1.0
 */
export const noEvalCache: EvalCacheApi = {
  beginRun: Effect.void,
  lookupMany: (keys) => Effect.succeed(keys.map(() => undefined)),
  store: () => Effect.void
}

/**
 * The cache service tag.
 *
 * @since 0.1.0
 */
export class EvalCache extends Context.Tag("assay/EvalCache")<EvalCache, EvalCacheApi>() {
  /** A fresh in-memory cache. */
  static readonly memory: Layer.Layer<EvalCache> = Layer.effect(EvalCache, makeMemoryCache)
  /** The cache that never hits ({@link noEvalCache}). */
  static readonly none: Layer.Layer<EvalCache> = Layer.succeed(EvalCache, noEvalCache)
}
