/**
 * The SQLite-backed {@link EvalCache}, log-structured: one row per case key in `eval_cache` holding that case's
 * successful outcomes by metric tag (failures are never stored: the engine hands over only successes, with
 * scores normalized to [0, 1]), plus a log of recent batches.
 *
 * - Writes: each `store` (one batch of finished cases from the engine's sink) is one transaction appending one
 *   batch to the log (JSON, compressed on SQLite: `batch-codec.ts`). A `kill -9` loses nothing that `store`
 *   acknowledged.
 * - `beginRun`: reads the batches appended since this layer last looked (by any process) into an in-memory
 *   index of recent outcomes; once the log holds `compactAt` cases it is instead merged into the keyed table
 *   in bulk (`cache-sql.ts`) and the index is emptied. Memory stays bounded by `compactAt`.
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
import { type CacheEntry, type CachedOutcome, type CachedOutcomes, CacheError, EvalCache, type EvalCacheApi, type NamedTag } from "@assay/core"
import { batchEntries, storedBatch } from "./batch-codec.js"
import { appendBatch, batchesSince, mergeBatches, nameTags, pendingSince, selectCases, type StoredBatch } from "./cache-sql.js"
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
    const { provided, sql } = db
    const compactAt = options.compactAt ?? 200_000
    const toCacheError = (e: { readonly message: string }) => new CacheError({ message: e.message })

    /** Outcomes of the log's batches up to `lastSeq`, newest per metric. */
    const recent = new Map<string, Record<string, CachedOutcome>>()
    let lastSeq = 0
    /** The first batch folded into `recent`; if it is gone from the log, another process compacted the log. */
    let firstSeq: number | undefined = undefined
    /** True while the keyed table is known to be empty: lookups need no query. */
    let tableEmpty = false
    const namedTags = new Set<string>()

    const fold = (entries: ReadonlyArray<unknown>) => {
      let damaged = 0
      for (const entry of entries) {
        if (!isEntry(entry)) {
          damaged++
          continue
        }
        const [key, outcomes] = entry
        const known = recent.get(key)
        // Parsed here, so owned here: the first batch's object is kept and later ones are folded into it.
        recent.set(key, known === undefined ? outcomes : Object.assign(known, outcomes))
      }
      return damaged
    }
    /** Fold batches into `recent`; a damaged batch (or entry) costs only itself, with a warning naming it. */
    const index = (batches: ReadonlyArray<StoredBatch>) =>
      Effect.forEach(batches, (row) =>
        batchEntries<unknown>(row, "eval_cache_batches").pipe(
          Effect.map(fold),
          Effect.flatMap((damaged) =>
            damaged === 0 ? Effect.void : Effect.logWarning(`${db.path}: ${damaged} damaged entries of batch ${row.seq} of eval_cache_batches skipped`)),
          Effect.catchAll((error) => Effect.logWarning(`${db.path}: ${error.message}; its cases are not served from the cache`)),
          Effect.zipRight(Effect.sync(() => {
            lastSeq = Math.max(lastSeq, row.seq)
            firstSeq ??= row.seq
          }))
        ), { discard: true })
    const forget = Effect.sync(() => {
      recent.clear()
      firstSeq = undefined
    })
    const compact = Effect.zipRight(sql.withTransaction(provided(mergeBatches)), forget)
    const catchUp = Effect.gen(function*() {
      if (firstSeq !== undefined) {
        const [oldest] = yield* sql<{ seq: number | null }>`SELECT MIN(seq) AS seq FROM eval_cache_batches`
        // Compacted by another process: the table now holds what `recent` has, and may hold newer outcomes.
        if (oldest?.seq == null || oldest.seq > firstSeq) {
          yield* forget
          lastSeq = 0
        }
      }
      const { cases } = yield* provided(pendingSince(lastSeq))
      if (recent.size + cases >= compactAt) yield* compact
      else if (cases > 0) yield* Effect.flatMap(provided(batchesSince(lastSeq)), index)
      const [row] = yield* sql<{ n: number }>`SELECT EXISTS (SELECT 1 FROM eval_cache) AS n`
      tableEmpty = Number(row?.n ?? 0) === 0
    })
    const beginRun = db.refine(catchUp).pipe(Effect.mapError(toCacheError))

    const lookupMany = (keys: ReadonlyArray<string>, tags: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<CachedOutcomes | undefined>, CacheError> => {
      const found: Array<CachedOutcomes | undefined> = keys.map((k) => recent.get(k))
      if (tableEmpty) return Effect.succeed(found)
      const missing: Array<number> = []
      for (let i = 0; i < keys.length; i++) {
        const known = found[i]
        if (known === undefined || tags.some((t) => known[t] === undefined)) missing.push(i)
      }
      if (missing.length === 0) return Effect.succeed(found)
      return db.refine(provided(selectCases(JSON.stringify(missing.map((i) => keys[i]!))))).pipe(
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

    const store = (entries: ReadonlyArray<CacheEntry>, metrics: ReadonlyArray<NamedTag>) => {
      if (entries.length === 0) return Effect.void
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

    const api: EvalCacheApi = { beginRun, lookupMany, store }
    return api
  })

/** A well-formed `[caseKey, outcomesByTag]` entry of a batch. */
const isEntry = (entry: unknown): entry is readonly [string, Record<string, CachedOutcome>] =>
  Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string" && isOutcomes(entry[1])

/** Outcomes by metric tag, each with a numeric score: what the engine may serve as a cached result. */
const isOutcomes = (value: unknown): value is Record<string, CachedOutcome> =>
  value !== null && typeof value === "object" && !Array.isArray(value) &&
  Object.values(value).every((o) => o !== null && typeof o === "object" && typeof (o as { score?: unknown }).score === "number")

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
export const noopCache: EvalCacheApi = {
  beginRun: Effect.void,
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
