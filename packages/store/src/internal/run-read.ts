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

interface BatchRow {
  readonly seq: number
  readonly first_index: number
  readonly batch: string | Uint8Array
}

/** Results waiting for release, with the order they were stored in (a later one replaces an earlier one). */
interface Held {
  readonly result: CaseResult
  readonly order: number
}

interface Cursor {
  /** After this batch (`first_index`, `seq`); undefined before the first page. */
  readonly after: readonly [number, number] | undefined
  readonly held: ReadonlyArray<Held>
  readonly stored: number
}

/**
 * Release the held results below `bound` in index order (the latest of duplicates), keep the rest.
 *
 * @example
 * ```ts
 * release(held, 2000) // { out: [results below 2000], kept: [the others] }
 * ```
 */
const release = (held: ReadonlyArray<Held>, bound: number): { readonly out: Array<CaseResult>; readonly kept: Array<Held> } => {
  const ready: Array<Held> = []
  const kept: Array<Held> = []
  for (const h of held) (h.result.index < bound ? ready : kept).push(h)
  ready.sort((a, b) => a.result.index - b.result.index || a.order - b.order)
  const out: Array<CaseResult> = []
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
  Stream.unwrap(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const legacy = yield* sql<{ readonly result: string }>`SELECT result FROM run_cases WHERE run_id = ${runId} ORDER BY case_index`
    const first = yield* check(legacy.map((row) => JSON.parse(row.result) as unknown))
    const start: Cursor = { after: undefined, held: first.map((result, order) => ({ result, order })), stored: first.length }
    const page = (after: Cursor["after"]) =>
      after === undefined
        ? sql<BatchRow>`SELECT seq, first_index, batch FROM run_batches WHERE run_id = ${runId}
            ORDER BY first_index, seq LIMIT ${PAGE + 1}`
        : sql<BatchRow>`SELECT seq, first_index, batch FROM run_batches WHERE run_id = ${runId}
            AND (first_index > ${after[0]} OR (first_index = ${after[0]} AND seq > ${after[1]}))
            ORDER BY first_index, seq LIMIT ${PAGE + 1}`
    return Stream.paginateChunkEffect(start, (cursor) =>
      Effect.gen(function*() {
        const rows = yield* page(cursor.after)
        const taken = rows.slice(0, PAGE)
        const held = [...cursor.held]
        let stored = cursor.stored
        for (const row of taken) {
          for (const result of yield* checkBatch(yield* batchEntries<unknown>(row, "run_batches"))) held.push({ result, order: stored++ })
        }
        const lookahead = rows[PAGE]
        const { kept, out } = release(held, lookahead === undefined ? Number.POSITIVE_INFINITY : Number(lookahead.first_index))
        const last = taken[taken.length - 1]
        const next: Option.Option<Cursor> = lookahead === undefined || last === undefined
          ? Option.none()
          : Option.some({ after: [Number(last.first_index), Number(last.seq)] as const, held: kept, stored })
        return [Chunk.unsafeFromArray(out), next] as const
      }))
  }))
