/**
 * The run store's case results read back: whole or streamed in case order, and folded into a run's result or
 * outcome (they are written by `result-writer.ts`).
 *
 * @example
 * ```ts
 * const outcome = yield* runOutline(db, runId)
 * ```
 */
import { CaseResult, type RunOutcome, type RunResult, SummaryAccumulator } from "@assay/core"
import { SqlClient } from "@effect/sql"
import { Effect, Schema, Stream } from "effect"
import type { DatabaseApi } from "./database.js"
import type { RunNotFound, StoreError } from "./errors.js"
import { corruptRun, readFailure, validateBatch, validateResults } from "./run-decode.js"
import type { RunInfo, RunStatus } from "./run-info.js"
import { orderedResults } from "./run-read.js"
import { runInfo } from "./run-records.js"
import { storedIndices, storedResults } from "./run-sql.js"

/** Results stored a row per case by versions before batches (JSON text each). */
const decodeLegacy = Schema.decodeUnknown(Schema.Array(Schema.parseJson(CaseResult)))

/** The status a stored run reads back with: one that never ended (running, failed) reads as cancelled. */
const RESULT_STATUS: Record<RunStatus, RunResult["status"]> = {
  running: "cancelled",
  completed: "completed",
  deadline: "deadline",
  budget: "budget",
  cancelled: "cancelled",
  failed: "cancelled"
}

/**
 * The stored case results of a run, in input order (a case stored twice: its latest result).
 *
 * @example
 * ```ts
 * const results = yield* runResults(db, "r1")
 * ```
 */
export const runResults = (db: DatabaseApi, runId: string): Effect.Effect<ReadonlyArray<CaseResult>, StoreError> =>
  Effect.gen(function*() {
    const { batched, legacy } = yield* db.refine(db.provided(storedResults(runId)))
    const decoded = [...yield* decodeLegacy(legacy), ...yield* validateResults(batched)]
    const byIndex = new Map<number, CaseResult>()
    for (const result of decoded) byIndex.set(result.index, result)
    return [...byIndex.values()].sort((a, b) => a.index - b.index)
  }).pipe(Effect.catchTag("ParseError", (e) => Effect.fail(corruptRun(db.path)(e))))

/**
 * The indices of the cases a run has finished.
 *
 * @example
 * ```ts
 * const done = yield* finishedIndices(db, "r1")
 * ```
 */
export const finishedIndices = (db: DatabaseApi, runId: string): Effect.Effect<ReadonlySet<number>, StoreError> =>
  db.refine(db.provided(storedIndices(runId)))

/**
 * The stored case results of a run in input order, streamed a few batches at a time (`run-read.ts`): memory
 * independent of the run's size.
 *
 * @example
 * ```ts
 * yield* Stream.runForEach(streamResults(db, "r1"), (result) => Console.log(result.index))
 * ```
 */
export const streamResults = (db: DatabaseApi, runId: string): Stream.Stream<CaseResult, StoreError> =>
  orderedResults(runId, validateResults, validateBatch).pipe(
    Stream.provideService(SqlClient.SqlClient, db.sql),
    Stream.mapError(readFailure(db.path))
  )

/** The cases below the run's case count that `done` does not hold, as the outcome lists them. */
const unfinishedOf = (caseCount: number, done: (index: number) => boolean) => {
  const unfinished = []
  for (let i = 0; i < caseCount; i++) if (!done(i)) unfinished.push({ index: i, name: null })
  return unfinished
}

/** How long a run took (0 while it has not finished). */
const durationOf = (info: RunInfo) => (info.finishedAt === null ? 0 : info.finishedAt - info.startedAt)

/**
 * A run read back as a RunResult (summary recomputed; cases the run did not finish listed as unfinished).
 *
 * @example
 * ```ts
 * const result = yield* showRun(db, "r1")
 * ```
 */
export const showRun = (db: DatabaseApi, runId: string): Effect.Effect<RunResult, RunNotFound | StoreError> =>
  Effect.gen(function*() {
    const info = yield* runInfo(db, runId)
    const cases = yield* runResults(db, runId)
    const acc = SummaryAccumulator.empty()
    const done = new Set<number>()
    for (const c of cases) {
      acc.add(c)
      done.add(c.index)
    }
    const unfinished = unfinishedOf(info.caseCount ?? 0, (i) => done.has(i))
    return {
      runId: info.runId,
      identifier: info.identifier,
      status: RESULT_STATUS[info.status],
      summary: acc.summary(durationOf(info)),
      cases,
      unfinished
    }
  })

/**
 * A stored run's outcome — status, summary recomputed in one streamed pass over its results, unfinished
 * cases — without holding its results.
 *
 * @example
 * ```ts
 * const outcome = yield* runOutline(db, "r1")
 * ```
 */
export const runOutline = (db: DatabaseApi, runId: string): Effect.Effect<RunOutcome, RunNotFound | StoreError> =>
  Effect.gen(function*() {
    const info = yield* runInfo(db, runId)
    const acc = SummaryAccumulator.empty()
    const done = new Uint8Array(info.caseCount ?? 0)
    yield* Stream.runForEachChunk(streamResults(db, runId), (chunk) =>
      Effect.sync(() => {
        for (const c of chunk) {
          acc.add(c)
          if (c.index < done.length) done[c.index] = 1
        }
      }))
    const unfinished = unfinishedOf(done.length, (i) => done[i] !== 0)
    return { runId: info.runId, identifier: info.identifier, status: RESULT_STATUS[info.status], summary: acc.summary(durationOf(info)), unfinished }
  })
