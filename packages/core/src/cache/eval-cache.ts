/**
 * The metric-result cache: a service the engine consults before scheduling a metric. Provide a Layer
 * (in-memory here; SQLite in @assay/store) to enable it; leave it out and the engine neither reads nor writes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { evaluate, EvalCache } from "@assay/core"
 * evaluate(cases, metrics).pipe(Effect.provide(EvalCache.memory))
 * ```
 */
import { Context, Effect, Layer, Option, Schema } from "effect"
import type { Outcome } from "../metric/metric.js"

/** The cache could not be read or written. */
export class CacheError extends Schema.TaggedError<CacheError>()("CacheError", {
  message: Schema.String
}) {}

/** One result to store: its key, the metric's name (for statistics) and the outcome (cost is not stored). */
export interface CacheEntry {
  readonly key: string
  readonly metric: string
  readonly outcome: Outcome
}

/** The cache's interface. Only successful outcomes are ever stored. */
export interface EvalCacheApi {
  readonly lookup: (key: string) => Effect.Effect<Option.Option<Outcome>, CacheError>
  /** Store the finished metrics of one case (called once per case, as it finishes). */
  readonly store: (entries: ReadonlyArray<CacheEntry>) => Effect.Effect<void, CacheError>
}

/** Builds an in-memory cache (tests, short-lived programs). */
export const makeMemoryCache = Effect.sync((): EvalCacheApi => {
  const rows = new Map<string, Outcome>()
  return {
    lookup: (key) => Effect.sync(() => Option.fromNullable(rows.get(key))),
    store: (entries) =>
      Effect.sync(() => {
        for (const e of entries) rows.set(e.key, { ...e.outcome, cost: 0 })
      })
  }
})

/** The cache service tag. */
export class EvalCache extends Context.Tag("assay/EvalCache")<EvalCache, EvalCacheApi>() {
  /** A fresh in-memory cache. */
  static readonly memory: Layer.Layer<EvalCache> = Layer.effect(EvalCache, makeMemoryCache)
}
