/**
 * A run's stored results read back in case order, a few batches at a time: memory follows the size of a batch
 * (and how far results arrived out of order), not the size of the run.
 *
 * Batches are read ordered by their smallest case index (`first_index`, migration v6). A result is released
 * once no unread batch can hold a smaller index — the next batch's `first_index` bounds them all — so the
 * results come out in index order however the workers finished them. A case stored twice (an `onResults` sink
 * called again for it) comes out once, as its latest result. Rows of `run_cases` (versions before batches)
 * are read up front: such runs are small and old.
 *
 * @example
 * ```ts
 * yield* Stream.runForEach(orderedResults(runId, validate), (result) => Console.log(result.index))
 * ```
 */
import { SqlClient, type SqlError } from "@effect/sql"
import type { CaseResult } from "@assay/core"
import { Chunk, Effect, Option, Stream } from "effect"
import { batchEntries } from "./batch-codec.js"

/** Batches fetched per query. */
const PAGE = 8

/**
 * A row of `run_batches` as the reader fetches it.
 *
 * @example
 * ```ts
 * const row: BatchRow = { seq: 1, first_index: 0, indices: "[0]", batch: '[{"index":0}]' }
 * ```
 */
export interface BatchRow {
  readonly seq: number
  readonly first_index: number
  /** The batch's case indices as a JSON array, aligned with its results. */
  readonly indices: string
  readonly batch: string | Uint8Array
}

/** Anything read back per case: it names its case. */
interface Indexed {
  readonly index: number
}

/** Items waiting for release, with the order they were stored in (a later one replaces an earlier one). */
interface Held<A> {
  readonly result: A
  readonly order: number
}

interface Cursor<A> {
  /** After this batch (`first_index`, `seq`); undefined before the first page. */
  readonly after: readonly [number, number] | undefined
  readonly held: ReadonlyArray<Held<A>>
  readonly stored: number
}

/**
 * Release the held items below `bound` in index order (the latest of duplicates), keep the rest.
 *
 * @example
 * ```ts
 * release(held, 2000) // { out: [items below 2000], kept: [the others] }
 * ```
 */
const release = <A extends Indexed>(held: ReadonlyArray<Held<A>>, bound: number): { readonly out: Array<A>; readonly kept: Array<Held<A>> } => {
  const ready: Array<Held<A>> = []
  const kept: Array<Held<A>> = []
  for (const h of held) (h.result.index < bound ? ready : kept).push(h)
  ready.sort((a, b) => a.result.index - b.result.index || a.order - b.order)
  const out: Array<A> = []
  for (let i = 0; i < ready.length; i++) {
    const next = ready[i + 1]
    if (next === undefined || next.result.index !== ready[i]!.result.index) out.push(ready[i]!.result)
  }
  return { out, kept }
}

/**
 * The results of `runId` in index order; see the module doc. `check` validates the decoded values of the
 * legacy rows (one result each), `checkBatch` those of each batch (default `check`).
 *
 * @example
 * ```ts
 * orderedResults("run-1", (values) => Effect.succeed(values as ReadonlyArray<CaseResult>))
 * ```
 */
export const orderedResults = <E>(
  runId: string,
  check: (values: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<CaseResult>, E>,
  checkBatch: (values: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<CaseResult>, E> = check
): Stream.Stream<CaseResult, E | SqlError.SqlError, SqlClient.SqlClient> =>
  orderedItems(
    runId,
    (legacy) => check(legacy.map((row) => JSON.parse(row) as unknown)),
    (row) => Effect.flatMap(batchEntries<unknown>(row, "run_batches"), checkBatch)
  )

/**
 * Whatever `fromLegacy` (the `run_cases` rows' JSON) and `fromBatch` (a `run_batches` row) make of a run's
 * stored results, in case index order; see the module doc.
 *
 * @example
 * ```ts
 * orderedItems("run-1", legacyItems, (row) => batchItems(row))
 * ```
 */
export const orderedItems = <A extends Indexed, E>(
  runId: string,
  fromLegacy: (rows: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<A>, E>,
  fromBatch: (row: BatchRow) => Effect.Effect<ReadonlyArray<A>, E | SqlError.SqlError>
): Stream.Stream<A, E | SqlError.SqlError, SqlClient.SqlClient> =>
  Stream.unwrap(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const legacy = yield* sql<{ readonly result: string }>`SELECT result FROM run_cases WHERE run_id = ${runId} ORDER BY case_index`
    const first = yield* fromLegacy(legacy.map((row) => row.result))
    const start: Cursor<A> = { after: undefined, held: first.map((result, order) => ({ result, order })), stored: first.length }
    const page = (after: Cursor<A>["after"]) =>
      after === undefined
        ? sql<BatchRow>`SELECT seq, first_index, indices, batch FROM run_batches WHERE run_id = ${runId}
            ORDER BY first_index, seq LIMIT ${PAGE + 1}`
        : sql<BatchRow>`SELECT seq, first_index, indices, batch FROM run_batches WHERE run_id = ${runId}
            AND (first_index > ${after[0]} OR (first_index = ${after[0]} AND seq > ${after[1]}))
            ORDER BY first_index, seq LIMIT ${PAGE + 1}`
    return Stream.paginateChunkEffect(start, (cursor) =>
      Effect.gen(function*() {
        const rows = yield* page(cursor.after)
        const taken = rows.slice(0, PAGE)
        const held = [...cursor.held]
        let stored = cursor.stored
        for (const row of taken) {
          for (const result of yield* fromBatch(row)) held.push({ result, order: stored++ })
        }
        const lookahead = rows[PAGE]
        const { kept, out } = release(held, lookahead === undefined ? Number.POSITIVE_INFINITY : Number(lookahead.first_index))
        const last = taken[taken.length - 1]
        const next: Option.Option<Cursor<A>> = lookahead === undefined || last === undefined
          ? Option.none()
          : Option.some({ after: [Number(last.first_index), Number(last.seq)] as const, held: kept, stored })
        return [Chunk.unsafeFromArray(out), next] as const
      }))
  }))
