/**
 * The SQL cache's in-memory index of recent outcomes: the batches appended to the log since this process last
 * looked (by any process), folded by case key, until the log is merged into the keyed table in bulk
 * (`cache-sql.ts`) and the index emptied. A damaged batch or entry costs only itself, with a warning naming it.
 *
 * @example
 * ```ts
 * const index = makeCacheIndex(db, 200_000)
 * yield* db.refine(catchUp(index))
 * const outcomes = index.recent.get(caseKey)
 * ```
 */
import type { CachedOutcome } from "@assay/core"
import { Effect } from "effect"
import { batchEntries } from "./batch-codec.js"
import { batchesSince, mergeBatches, pendingSince, type StoredBatch } from "./cache-sql.js"
import type { DatabaseApi } from "./database.js"

/**
 * The index and what it knows of the log. Plain mutable fields, each change made in one synchronous step
 * (atomic between fibers).
 *
 * @example
 * ```ts
 * const index: CacheIndex = makeCacheIndex(db, 200_000)
 * ```
 */
export interface CacheIndex {
  readonly db: DatabaseApi
  /** Merge the log into the keyed table when a run begins and the log holds this many cases. */
  readonly compactAt: number
  /** Outcomes of the log's batches up to `lastSeq`, newest per metric. */
  readonly recent: Map<string, Record<string, CachedOutcome>>
  lastSeq: number
  /** The first batch folded into `recent`; if it is gone from the log, another process compacted the log. */
  firstSeq: number | undefined
  /** True while the keyed table is known to be empty: lookups need no query. */
  tableEmpty: boolean
}

/**
 * An empty index over the cache of `db`.
 *
 * @example
 * ```ts
 * const index = makeCacheIndex(db, 50_000)
 * ```
 */
export const makeCacheIndex = (db: DatabaseApi, compactAt: number): CacheIndex => ({
  db,
  compactAt,
  recent: new Map(),
  lastSeq: 0,
  firstSeq: undefined,
  tableEmpty: false
})

/** A well-formed `[caseKey, outcomesByTag]` entry of a batch. */
const isEntry = (entry: unknown): entry is readonly [string, Record<string, CachedOutcome>] =>
  Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string" && isOutcomes(entry[1])

/**
 * Outcomes by metric tag, each with a numeric score: what the engine may serve as a cached result.
 *
 * @example
 * ```ts
 * isOutcomes({ t1: { score: 0.5 } }) // true
 * ```
 */
export const isOutcomes = (value: unknown): value is Record<string, CachedOutcome> =>
  value !== null && typeof value === "object" && !Array.isArray(value) &&
  Object.values(value).every((o) => o !== null && typeof o === "object" && typeof (o as { score?: unknown }).score === "number")

/** Fold a batch's entries into `recent`; the number of damaged entries left out. */
const fold = (index: CacheIndex, entries: ReadonlyArray<unknown>): number => {
  let damaged = 0
  for (const entry of entries) {
    if (!isEntry(entry)) {
      damaged++
      continue
    }
    const [key, outcomes] = entry
    const known = index.recent.get(key)
    // Parsed here, so owned here: the first batch's object is kept and later ones are folded into it.
    index.recent.set(key, known === undefined ? outcomes : Object.assign(known, outcomes))
  }
  return damaged
}

/** Fold batches into `recent`; a damaged batch (or entry) costs only itself, with a warning naming it. */
const foldBatches = (index: CacheIndex, batches: ReadonlyArray<StoredBatch>): Effect.Effect<void> =>
  Effect.forEach(batches, (row) =>
    batchEntries<unknown>(row, "eval_cache_batches").pipe(
      Effect.map((entries) => fold(index, entries)),
      Effect.flatMap((damaged) =>
        damaged === 0 ? Effect.void : Effect.logWarning(`${index.db.path}: ${damaged} damaged entries of batch ${row.seq} of eval_cache_batches skipped`)),
      Effect.catchAll((error) => Effect.logWarning(`${index.db.path}: ${error.message}; its cases are not served from the cache`)),
      Effect.zipRight(Effect.sync(() => {
        index.lastSeq = Math.max(index.lastSeq, row.seq)
        index.firstSeq ??= row.seq
      }))
    ), { discard: true })

/** Empty `recent` (the keyed table holds its outcomes now). */
const forget = (index: CacheIndex): Effect.Effect<void> =>
  Effect.sync(() => {
    index.recent.clear()
    index.firstSeq = undefined
  })

/**
 * Bring the index up to date at the start of a run: start over if another process compacted the log, then
 * merge the log into the keyed table once it holds `compactAt` cases, else fold the batches appended since.
 *
 * @example
 * ```ts
 * yield* db.refine(catchUp(index))
 * ```
 */
export const catchUp = (index: CacheIndex) =>
  Effect.gen(function*() {
    const { provided, sql } = index.db
    if (index.firstSeq !== undefined) {
      const [oldest] = yield* sql<{ seq: number | null }>`SELECT MIN(seq) AS seq FROM eval_cache_batches`
      // Compacted by another process: the table now holds what `recent` has, and may hold newer outcomes.
      if (oldest?.seq == null || oldest.seq > index.firstSeq) {
        yield* forget(index)
        index.lastSeq = 0
      }
    }
    const { cases } = yield* provided(pendingSince(index.lastSeq))
    if (index.recent.size + cases >= index.compactAt) yield* Effect.zipRight(sql.withTransaction(provided(mergeBatches)), forget(index))
    else if (cases > 0) yield* Effect.flatMap(provided(batchesSince(index.lastSeq)), (batches) => foldBatches(index, batches))
    const [row] = yield* sql<{ n: number }>`SELECT EXISTS (SELECT 1 FROM eval_cache) AS n`
    index.tableEmpty = Number(row?.n ?? 0) === 0
  })
