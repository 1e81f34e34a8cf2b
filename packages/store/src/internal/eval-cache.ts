/**
 * The SQLite-backed {@link EvalCache}, log-structured: one row per case key in `eval_cache` holding that case's
 * successful outcomes by metric tag (failures are never stored: the engine hands over only successes, with
 * scores normalized to [0, 1]), plus a log of recent batches.
 *
 * - Writes: each `store` (one batch of finished cases from the engine's sink) is one transaction appending one
 *   batch to the log (JSON, compressed on SQLite: `batch-codec.ts`). A `kill -9` loses nothing that `store`
 *   acknowledged.
 * - `beginRun`: reads the batches appended since this layer last looked (by any process) into an in-memory
 *   index of recent outcomes (`cache-index.ts`); once the log holds `compactAt` cases it is instead merged into
 *   the keyed table in bulk (`cache-sql.ts`) and the index is emptied. Memory stays bounded by `compactAt`.
 * - Reads: `lookupMany` answers from the recent index, and queries the keyed table (one query per chunk) only
 *   for cases the index does not fully cover — a rerun of what was just run needs no query at all.
 * - Damage costs only what is damaged: a stored row that does not decode is a miss, a log batch that does
 *   not (its checksum fails) or an entry of the wrong shape is left out — each with a warning naming it.
 *
 * @example
 * ```ts
 * evaluate(cases, metrics).pipe(Effect.provide(SqliteEvalCache.layer().pipe(Layer.provide(Database.layer({ path: "a.db" })))))
 * ```
 */
import { Clock, Effect, Either, Layer } from "effect"
import { type CacheEntry, type CachedOutcomes, CacheError, EvalCache, type EvalCacheApi, type NamedTag, noEvalCache } from "@assay/core"
import { storedBatch } from "./batch-codec.js"
import { type CacheIndex, catchUp, isOutcomes, makeCacheIndex } from "./cache-index.js"
import { appendBatch, nameTags, selectCases } from "./cache-sql.js"
import { Database } from "./database.js"

/**
 * Tuning of the SQLite cache.
 *
 * @example
 * ```ts
 * SqliteEvalCache.layer({ compactAt: 50_000 })
 * ```
 */
export interface SqliteEvalCacheOptions {
  /** Merge the log into the keyed table when a run begins and the log holds this many cases (default 200,000). */
  readonly compactAt?: number | undefined
}

/** What the cache's operations share: the recent index (with the database) and the metric tags already named. */
interface SqlCache {
  readonly index: CacheIndex
  readonly namedTags: Set<string>
}

const toCacheError = (e: { readonly message: string }) => new CacheError({ message: e.message })

/**
 * Outcomes of `keys` covering `tags`: from the recent index, and from the keyed table (one query) for the keys
 * the index does not fully cover; a damaged stored row is a miss, with a warning.
 */
const lookupMany = (
  { index }: SqlCache,
  keys: ReadonlyArray<string>,
  tags: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<CachedOutcomes | undefined>, CacheError> => {
  const { db } = index
  const found: Array<CachedOutcomes | undefined> = keys.map((k) => index.recent.get(k))
  if (index.tableEmpty) return Effect.succeed(found)
  const missing: Array<number> = []
  for (let i = 0; i < keys.length; i++) {
    const known = found[i]
    if (known === undefined || tags.some((t) => known[t] === undefined)) missing.push(i)
  }
  if (missing.length === 0) return Effect.succeed(found)
  return db.refine(db.provided(selectCases(JSON.stringify(missing.map((i) => keys[i]!))))).pipe(
    Effect.flatMap((rows) => {
      const { damaged, stored } = parseRows(rows)
      for (const i of missing) {
        const older = stored.get(keys[i]!)
        if (older !== undefined) found[i] = found[i] === undefined ? older : { ...older, ...found[i] }
      }
      return damaged.length === 0
        ? Effect.succeed(found)
        : Effect.as(Effect.logWarning(`${db.path}: damaged cache entries skipped (measured again): ${damaged.join(", ")}`), found)
    }),
    Effect.mapError(toCacheError)
  )
}

/** Append one batch of finished cases to the log in one transaction, naming the metric tags not named yet. */
const store = ({ index: { db }, namedTags }: SqlCache, entries: ReadonlyArray<CacheEntry>, metrics: ReadonlyArray<NamedTag>): Effect.Effect<void, CacheError> => {
  if (entries.length === 0) return Effect.void
  const { provided, sql } = db
  const unnamed = metrics.filter((m) => !namedTags.has(m.tag))
  const json = JSON.stringify(entries.map((e) => [e.caseKey, e.outcomes]))
  const batch = storedBatch(sql, json)
  return Effect.flatMap(Clock.currentTimeMillis, (now) =>
    db.refine(sql.withTransaction(provided(
      unnamed.length === 0
        ? appendBatch(batch, entries.length, now)
        : Effect.zipRight(nameTags(unnamed), appendBatch(batch, entries.length, now))
    )))).pipe(
      Effect.zipRight(Effect.sync(() => {
        for (const m of unnamed) namedTags.add(m.tag)
      })),
      Effect.mapError(toCacheError)
    )
}

/**
 * Build the SQLite cache on the {@link Database}.
 *
 * @example
 * ```ts
 * const cache = yield* makeSqliteEvalCache({ compactAt: 100_000 })
 * ```
 */
export const makeSqliteEvalCache = (options: SqliteEvalCacheOptions = {}) =>
  Effect.gen(function*() {
    const db = yield* Database
    const cache: SqlCache = { index: makeCacheIndex(db, options.compactAt ?? 200_000), namedTags: new Set() }
    const api: EvalCacheApi = {
      beginRun: db.refine(catchUp(cache.index)).pipe(Effect.mapError(toCacheError)),
      lookupMany: (keys, tags) => lookupMany(cache, keys, tags),
      store: (entries, metrics) => store(cache, entries, metrics)
    }
    return api
  })

/**
 * The rows of the keyed table, each decoded on its own: a damaged row costs that case only (its key is
 * listed in `damaged`).
 */
const parseRows = (rows: ReadonlyArray<{ readonly case_key: string; readonly outcomes: string }>) => {
  const stored = new Map<string, CachedOutcomes>()
  const damaged: Array<string> = []
  for (const row of rows) {
    const outcomes = parseOutcomes(row.outcomes)
    if (outcomes === undefined) damaged.push(row.case_key)
    else stored.set(row.case_key, outcomes)
  }
  return { stored, damaged }
}

/** One stored row's outcomes; undefined when it does not parse or has the wrong shape. */
const parseOutcomes = (text: string): CachedOutcomes | undefined => {
  const parsed = Either.try(() => JSON.parse(text) as unknown)
  return Either.isRight(parsed) && isOutcomes(parsed.right) ? parsed.right : undefined
}

/**
 * A cache that never hits and never writes (the run continues uncached).
 *
 * @example
 * ```ts
 * Layer.succeed(EvalCache, noopCache)
 * ```
 */
export const noopCache: EvalCacheApi = noEvalCache

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
