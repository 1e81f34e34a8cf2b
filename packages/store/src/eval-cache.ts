/**
 * The SQLite-backed {@link EvalCache}: one row per case key holding that case's successful outcomes by metric
 * tag (failures are never stored: the engine only hands over successes and `store` asserts it).
 *
 * - Writes: each `store` (one batch of finished cases from the engine's sink) is one transaction appending
 *   one JSON batch; batches are merged into the keyed table in bulk (`cache-sql.ts`) when they hold
 *   `mergeThreshold` cases, and otherwise by the next process that opens the cache — so a run never pays
 *   for merging its own writes, and a `kill -9` loses nothing that `store` acknowledged.
 * - Reads: `lookupMany` answers a chunk of case keys with one query (merging first when the chunk has a
 *   case this process stored since its last merge). A cache that was empty when opened is not queried.
 *
 * @example
 * ```ts
 * evaluate(cases, metrics).pipe(Effect.provide(SqliteEvalCache.layer().pipe(Layer.provide(Database.layer({ path: "a.db" })))))
 * ```
 */
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Layer } from "effect"
import { type CacheEntry, type CachedOutcome, type CachedOutcomes, CacheError, EvalCache, type EvalCacheApi, type NamedTag } from "@assay/core"
import { appendBatch, mergeBatches, nameTags, selectCases } from "./cache-sql.js"
import { Database } from "./database.js"
import type { StoreError } from "./errors.js"

/**
 * Tuning of the SQLite cache.
 *
 * @example
 * ```ts
 * SqliteEvalCache.layer({ mergeThreshold: 50_000 })
 * ```
 */
export interface SqliteEvalCacheOptions {
  /** Merge this process's batches once they hold this many distinct cases (default 250,000). */
  readonly mergeThreshold?: number | undefined
}

/**
 * How an outcome is stored: the bare score when that is all there is (the common case for deterministic
 * metrics), else `[score, reason, input tokens, output tokens, verbose]` — an array, so that `json_patch`
 * replaces a metric's older outcome whole instead of merging its fields.
 */
type StoredOutcome = number | readonly [number, string | null, number | null, number | null, ReadonlyArray<string> | null]

const encode = (o: CachedOutcome): StoredOutcome =>
  o.reason === undefined && o.tokens === undefined && o.verbose === undefined
    ? o.score
    : [o.score, o.reason ?? null, o.tokens?.input ?? null, o.tokens?.output ?? null, o.verbose ?? null]

const decode = (stored: StoredOutcome): CachedOutcome => {
  if (typeof stored === "number") return { score: stored }
  const [score, reason, input, output, verbose] = stored
  return {
    score,
    ...(reason === null ? {} : { reason }),
    ...(input === null ? {} : { tokens: { input, output: output ?? 0 } }),
    ...(verbose === null ? {} : { verbose })
  }
}

/**
 * A batch as JSON: `[[caseKey, {tag: stored outcome, …}], …]`, written directly (it runs once per cached
 * case: building the intermediate objects for `JSON.stringify` cost more than the text itself).
 */
const batchJson = (entries: ReadonlyArray<CacheEntry>): string => {
  let out = "["
  for (let i = 0; i < entries.length; i++) {
    const { caseKey, outcomes } = entries[i]!
    out += `${i === 0 ? "" : ","}[${JSON.stringify(caseKey)},{`
    let first = true
    for (const tag in outcomes) {
      out += `${first ? "" : ","}${JSON.stringify(tag)}:${JSON.stringify(encode(outcomes[tag]!))}`
      first = false
    }
    out += "}]"
  }
  return `${out}]`
}

const decodeAll = (json: string): CachedOutcomes => {
  const stored = JSON.parse(json) as Record<string, StoredOutcome>
  const out: Record<string, CachedOutcome> = {}
  for (const tag in stored) out[tag] = decode(stored[tag]!)
  return out
}

/**
 * Build the SQLite cache on the {@link Database}.
 *
 * @example
 * ```ts
 * const cache = yield* makeSqliteEvalCache({ mergeThreshold: 100_000 })
 * ```
 */
export const makeSqliteEvalCache = (options: SqliteEvalCacheOptions = {}) =>
  Effect.gen(function*() {
    const db = yield* Database
    const { sql } = db
    const mergeThreshold = options.mergeThreshold ?? 250_000
    const provided = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => Effect.provideService(effect, SqlClient.SqlClient, sql)
    const toCacheError = (e: { readonly message: string }) => new CacheError({ message: e.message })

    /**
     * Case keys this process stored since its last merge: their newest outcomes are still in pending batches,
     * so a lookup of one of them merges first. (Keys only: holding the outcomes would keep every result of a
     * large run alive.)
     */
    const ownKeys = new Set<string>()
    /** True while the keyed table is known to be empty: lookups need no query. */
    let tableEmpty = false
    const namedTags = new Set<string>()

    const merge = db.refine(sql.withTransaction(provided(mergeBatches))).pipe(
      Effect.tap((merged) =>
        Effect.sync(() => {
          ownKeys.clear()
          if (merged > 0) tableEmpty = false
        })
      )
    )
    // Batches left by earlier runs (or a process that was killed) are merged once, before the first lookup.
    const ready = yield* Effect.cached(
      Effect.zipRight(merge, db.refine(sql<{ n: number }>`SELECT EXISTS (SELECT 1 FROM eval_cache) AS n`)).pipe(
        Effect.tap((rows) => Effect.sync(() => void (tableEmpty = Number(rows[0]?.n ?? 0) === 0)))
      )
    )

    const query = (keys: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<CachedOutcomes | undefined>, StoreError> => {
      if (tableEmpty) return Effect.succeed(keys.map(() => undefined))
      return Effect.map(db.refine(provided(selectCases(JSON.stringify(keys)))), (rows) => {
        const found = new Map<string, CachedOutcomes>()
        for (const row of rows) found.set(row.case_key, decodeAll(row.outcomes))
        return keys.map((k) => found.get(k))
      })
    }

    const lookupMany = (keys: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<CachedOutcomes | undefined>, CacheError> =>
      Effect.zipRight(ready, Effect.suspend(() => (ownKeys.size > 0 && keys.some((k) => ownKeys.has(k)) ? Effect.zipRight(merge, query(keys)) : query(keys))))
        .pipe(Effect.mapError(toCacheError))

    const store = (entries: ReadonlyArray<CacheEntry>, metrics: ReadonlyArray<NamedTag>) => {
      for (const e of entries) {
        for (const tag in e.outcomes) {
          const score = e.outcomes[tag]!.score
          // Only successes reach the cache: anything else is an engine bug, so a defect, not a CacheError.
          if (!(score >= 0 && score <= 1)) return Effect.dieMessage(`EvalCache.store got a non-successful outcome for ${tag} (score ${score})`)
        }
      }
      if (entries.length === 0) return Effect.void
      const unnamed = metrics.filter((m) => !namedTags.has(m.tag))
      const batch = batchJson(entries)
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        db.refine(sql.withTransaction(provided(
          unnamed.length === 0 ? appendBatch(batch, now) : Effect.zipRight(nameTags(unnamed), appendBatch(batch, now))
        )))).pipe(
          Effect.zipRight(Effect.suspend(() => {
            for (const m of unnamed) namedTags.add(m.tag)
            for (const e of entries) ownKeys.add(e.caseKey)
            return ownKeys.size >= mergeThreshold ? Effect.asVoid(merge) : Effect.void
          })),
          Effect.mapError(toCacheError)
        )
    }

    const api: EvalCacheApi = { lookupMany, store }
    return api
  })

/**
 * A cache that never hits and never writes (the run continues uncached).
 *
 * @example
 * ```ts
 * Layer.succeed(EvalCache, noopCache)
 * ```
 */
export const noopCache: EvalCacheApi = {
  lookupMany: (keys) => Effect.succeed(keys.map(() => undefined)),
  store: () => Effect.void
}

/**
 * Layers for the SQLite cache.
 *
 * @example
 * ```ts
 * SqliteEvalCache.layer().pipe(Layer.provide(Database.layer({ path: "a.db" })))
 * ```
 */
export const SqliteEvalCache = {
  /**
   * The EvalCache on the {@link Database}.
   *
   * @example
   * ```ts
   * SqliteEvalCache.layer().pipe(Layer.provide(Database.layer({ path: "a.db" })))
   * ```
   */
  layer: (options: SqliteEvalCacheOptions = {}): Layer.Layer<EvalCache, never, Database> =>
    Layer.effect(EvalCache, makeSqliteEvalCache(options))
}
