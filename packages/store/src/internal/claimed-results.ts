/**
 * Case results of a run sharded over a cluster (`assay run --cluster`), written exactly once. A runner commits
 * a batch of results in one transaction that first claims each case in `run_case_runners` (primary key
 * `(run_id, case_index)`, `ON CONFLICT DO NOTHING`) and then appends only the cases it claimed to
 * `run_batches`: when a case group is redelivered to another runner (the first one died, or was presumed dead
 * while still running), a case committed before is neither stored twice nor counted twice. The claim row names
 * the runner, beside the `runner` field of the stored result.
 *
 * @example
 * ```ts
 * const claims = yield* ClaimedResults
 * const stored = yield* claims.commit(runId, "10.0.0.7:34431", results)
 * const group = yield* claims.resultsIn(runId, 0, 50)
 * ```
 */
import { CaseResult } from "@assay/core"
import { Effect, Schema } from "effect"
import { batchEntries } from "./batch-codec.js"
import { Database } from "./database.js"
import { StoreError } from "./errors.js"
import { appendResults } from "./run-sql.js"

const decodeResults = Schema.decodeUnknown(Schema.Array(CaseResult))

/**
 * Exactly-once case results for cluster runs; see the module doc.
 *
 * @example
 * ```ts
 * Effect.flatMap(ClaimedResults, (c) => c.claimedIn(runId, 0, 100))
 * ```
 */
export class ClaimedResults extends Effect.Service<ClaimedResults>()("assay/store/ClaimedResults", {
  effect: Effect.gen(function*() {
    const db = yield* Database
    const { sql } = db

    /** Claim and store `results` of `runId` for `runner` in one transaction; the results actually stored. */
    const commit = (runId: string, runner: string, results: ReadonlyArray<CaseResult>): Effect.Effect<ReadonlyArray<CaseResult>, StoreError> => {
      if (results.length === 0) return Effect.succeed([])
      const rows = results.map((r) => ({ run_id: runId, case_index: r.index, runner }))
      const claimAndAppend = Effect.gen(function*() {
        const claimed = yield* sql<{ case_index: number }>`INSERT INTO run_case_runners ${sql.insert(rows)}
          ON CONFLICT DO NOTHING RETURNING case_index`
        const mine = new Set(claimed.map((row) => Number(row.case_index)))
        const kept = results.filter((r) => mine.has(r.index))
        if (kept.length > 0) yield* appendResults(runId, kept)
        return kept
      })
      return db.refine(sql.withTransaction(db.provided(claimAndAppend)))
    }

    /** The indices in `[start, end)` of `runId` that some runner has committed. */
    const claimedIn = (runId: string, start: number, end: number): Effect.Effect<ReadonlySet<number>, StoreError> =>
      db.refine(sql<{ case_index: number }>`SELECT case_index FROM run_case_runners
        WHERE run_id = ${runId} AND case_index >= ${start} AND case_index < ${end}`).pipe(
        Effect.map((rows) => new Set(rows.map((row) => Number(row.case_index))))
      )

    /**
     * The committed results of `runId` with indices in `[start, end)`, in index order. Every batch a runner
     * commits holds cases of one group (a contiguous range), so the range's batches start inside it.
     */
    const resultsIn = (runId: string, start: number, end: number): Effect.Effect<ReadonlyArray<CaseResult>, StoreError> =>
      Effect.gen(function*() {
        const rows = yield* db.refine(sql<{ seq: number; batch: string | Uint8Array }>`SELECT seq, batch FROM run_batches
          WHERE run_id = ${runId} AND first_index >= ${start} AND first_index < ${end} ORDER BY seq`)
        const byIndex = new Map<number, CaseResult>()
        for (const row of rows) {
          const entries = yield* db.refine(batchEntries<unknown>(row, "run_batches"))
          const decoded = yield* decodeResults(entries).pipe(
            Effect.mapError((e) => new StoreError({ path: db.path, reason: "corrupt", detail: `a stored result does not decode: ${e.message}` }))
          )
          for (const result of decoded) if (result.index >= start && result.index < end) byIndex.set(result.index, result)
        }
        return [...byIndex.values()].sort((a, b) => a.index - b.index)
      })

    return { commit, claimedIn, resultsIn } as const
  })
}) {}
