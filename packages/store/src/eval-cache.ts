/**
 * The SQLite-backed {@link EvalCache}. One row per (case, metric, hyperparameters) key holding a successful
 * outcome; failures are never stored (the engine only hands over successes and `store` asserts it).
 *
 * Reads: the table is loaded into memory on the first lookup when it has at most `preloadLimit` rows
 * (one query, ~1 µs a row), so a cached rerun answers each lookup from a Map; a larger table is queried per
 * key. `lookupMany` answers many keys with one query (for an engine that prefetches a chunk of cases).
 * Writes: each case's entries go through the group-commit writer (durable when `store` returns) into the
 * staging table, merged into the keyed table in bulk (`staging.ts`).
 *
 * @example
 * ```ts
 * evaluate(cases, metrics).pipe(Effect.provide(SqliteEvalCache.layer().pipe(Layer.provide(Database.layer({ path: "a.db" })))))
 * ```
 */
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import { type CacheEntry, CacheError, EvalCache, type EvalCacheApi, type Outcome } from "@assay/core"
import { makeBatchWriter } from "./batch-writer.js"
import { Database } from "./database.js"
import { mergeStaging } from "./staging.js"

/**
 * Tuning of the SQLite cache.
 *
 * @example
 * ```ts
 * SqliteEvalCache.layer({ preloadLimit: 500_000, mergeThreshold: 50_000 })
 * ```
 */
export interface SqliteEvalCacheOptions {
  /** Load the whole table on first use when it has at most this many rows (default 2,000,000; 0 disables). */
  readonly preloadLimit?: number | undefined
  /** Merge staged rows into the keyed table once this many are staged (default 100,000), and on close. */
  readonly mergeThreshold?: number | undefined
}

/**
 * The SQLite cache's interface: core's plus a bulk lookup.
 *
 * @example
 * ```ts
 * const found = yield* cache.lookupMany(keys) // aligned with keys
 * ```
 */
export interface SqliteEvalCacheApi extends EvalCacheApi {
  /** Look up many keys at once; the result is aligned with `keys`. */
  readonly lookupMany: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Option.Option<Outcome>>, CacheError>
}

interface Row {
  readonly cache_key: string
  readonly score: number
  readonly reason: string | null
  readonly input_tokens: number | null
  readonly output_tokens: number | null
  readonly verbose: string | null
}

const decodeVerbose = Schema.decodeUnknownOption(Schema.parseJson(Schema.Array(Schema.String)))

/**
 * What the in-memory index holds per key: the bare score when the outcome has nothing else (the common case
 * for deterministic metrics — a number keeps the heap small for millions of rows), else the row.
 */
type Held = number | Row

const hold = (row: Row): Held =>
  row.reason === null && row.input_tokens === null && row.verbose === null ? row.score : row

const toOutcome = (held: Held): Outcome => {
  if (typeof held === "number") return { score: held }
  const row = held
  const verbose = row.verbose === null ? Option.none() : decodeVerbose(row.verbose)
  return {
    score: row.score,
    reason: row.reason ?? undefined,
    tokens: row.input_tokens === null ? undefined : { input: row.input_tokens, output: row.output_tokens ?? 0 },
    ...(Option.isSome(verbose) ? { verbose: verbose.value } : {})
  }
}

const toRow = (entry: CacheEntry, now: number) => {
  const { outcome } = entry
  return {
    cache_key: entry.key,
    metric: entry.metric,
    score: outcome.score,
    reason: outcome.reason ?? null,
    input_tokens: outcome.tokens?.input ?? null,
    output_tokens: outcome.tokens?.output ?? null,
    verbose: outcome.verbose === undefined ? null : JSON.stringify(outcome.verbose),
    created_at: now
  }
}

/** SQLite's default limit on bound parameters is 32766; 8 columns × 1000 rows stays well below. */
const CHUNK = 1000

/**
 * Build the SQLite cache on the {@link Database}.
 *
 * @example
 * ```ts
 * const cache = yield* makeSqliteEvalCache({ preloadLimit: 100_000 })
 * ```
 */
export const makeSqliteEvalCache = (options: SqliteEvalCacheOptions = {}) =>
  Effect.gen(function*() {
    const db = yield* Database
    const { sql } = db
    const preloadLimit = options.preloadLimit ?? 2_000_000
    const mergeThreshold = options.mergeThreshold ?? 100_000
    const merge = Effect.provideService(mergeStaging, SqlClient.SqlClient, sql)
    /** Rows this process wrote since the last merge (per-key mode reads them from here). */
    const own = new Map<string, Held>()
    let staged = 0
    const toCacheError = (e: { readonly message: string }) => new CacheError({ message: e.message })

    // undefined: not loaded yet; null: too large to hold, query per key.
    let snapshot: Map<string, Held> | null | undefined = undefined
    const load = db.refine(
      Effect.gen(function*() {
        const counted = yield* sql<{ n: number }>`SELECT (SELECT COUNT(*) FROM eval_cache) + (SELECT COUNT(*) FROM eval_cache_staging) AS n`
        if (Number(counted[0]?.n ?? 0) > preloadLimit) {
          yield* sql.withTransaction(merge) // per-key lookups read the keyed table only
          return null
        }
        // Staged rows come last, so the newest row of a key wins.
        const rows = yield* sql<Row>`SELECT cache_key, score, reason, input_tokens, output_tokens, verbose FROM eval_cache
          UNION ALL SELECT cache_key, score, reason, input_tokens, output_tokens, verbose FROM eval_cache_staging`
        const index = new Map<string, Held>()
        for (const r of rows) index.set(r.cache_key, hold(r))
        return index
      })
    ).pipe(Effect.tap((loaded) => Effect.sync(() => void (snapshot = loaded))))
    const ensureLoaded = yield* Effect.cached(load)

    const queryMany = (keys: ReadonlyArray<string>) =>
      db.refine(sql<Row>`SELECT cache_key, score, reason, input_tokens, output_tokens, verbose FROM eval_cache WHERE cache_key IN ${sql.in(keys)}`)

    const lookupMany = (keys: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<Option.Option<Outcome>>, CacheError> =>
      Effect.flatMap(snapshot === undefined ? ensureLoaded : Effect.succeed(snapshot), (snap) => {
        if (snap !== null) return Effect.succeed(keys.map((k) => Option.map(Option.fromNullable(snap.get(k)), toOutcome)))
        return Effect.map(Effect.forEach(chunks(keys, CHUNK), queryMany), (found) => {
          const byKey = new Map(found.flat().map((r) => [r.cache_key, hold(r)] as const))
          return keys.map((k) => Option.map(Option.fromNullable(own.get(k) ?? byKey.get(k)), toOutcome))
        })
      }).pipe(Effect.mapError(toCacheError))

    const lookup = (key: string): Effect.Effect<Option.Option<Outcome>, CacheError> => {
      const snap = snapshot
      if (snap != null) {
        const row = snap.get(key)
        return Effect.succeed(row === undefined ? Option.none() : Option.some(toOutcome(row)))
      }
      return Effect.map(lookupMany([key]), (found) => found[0]!)
    }

    const mergeNow = Effect.sync(() => {
      staged = 0
      own.clear()
    }).pipe(Effect.zipRight(merge), Effect.asVoid)
    const writer = yield* makeBatchWriter((rows: ReadonlyArray<ReturnType<typeof toRow>>) =>
      db.refine(sql.withTransaction(
        Effect.forEach(chunks(rows, CHUNK), (chunk) => sql`INSERT INTO eval_cache_staging ${sql.insert(chunk)}`, { discard: true }).pipe(
          Effect.zipRight(Effect.suspend(() => (staged += rows.length) >= mergeThreshold ? mergeNow : Effect.void))
        )
      ))
    )
    // Merge what this process staged when the layer closes (a failure only delays the merge to the next run).
    yield* Effect.addFinalizer(() =>
      db.refine(sql.withTransaction(merge)).pipe(
        Effect.catchAll((e) => Effect.logWarning(`cache merge postponed: ${e.message}`))
      ))

    const store = (entries: ReadonlyArray<CacheEntry>): Effect.Effect<void, CacheError> => {
      const bad = entries.find((e) => !(e.outcome.score >= 0 && e.outcome.score <= 1))
      // Only successes reach the cache: anything else is an engine bug, so it is a defect, not a CacheError.
      if (bad !== undefined) return Effect.dieMessage(`EvalCache.store got a non-successful outcome for ${bad.metric} (score ${bad.outcome.score})`)
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const rows = entries.map((e) => toRow(e, now))
        return Effect.tap(writer.submit(rows), () =>
          Effect.sync(() => {
            const target = snapshot ?? own
            for (const r of rows) target.set(r.cache_key, hold(r))
          }))
      }).pipe(Effect.mapError(toCacheError))
    }

    const api: SqliteEvalCacheApi = { lookup, lookupMany, store }
    return api
  })

/**
 * Split a list into chunks of at most `size`.
 *
 * @example
 * ```ts
 * chunks([1, 2, 3], 2) // [[1, 2], [3]]
 * ```
 */
export const chunks = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
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
  lookup: () => Effect.succeedNone,
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
    Layer.scoped(EvalCache, makeSqliteEvalCache(options))
}
