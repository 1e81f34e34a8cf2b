/**
 * The run store: a run is recorded when it starts, every finished case result is written through as it
 * finishes (group commit; durable when the sink returns), and the final status is marked at the end. Runs can
 * be listed, read back as a core `RunResult`, or streamed (compare two with `compareStreams`). The records
 * live in `run-records.ts`, the results in `result-writer.ts` and `run-results.ts`.
 *
 * @example
 * ```ts
 * const runs = yield* RunStore
 * const run = yield* runs.start({ datasetFingerprint: ds.fingerprint, metricsFingerprint: mf })
 * const result = yield* evaluate(cases, metrics, { runId: run.runId, onResults: runs.sinkMany(run.runId) })
 * yield* runs.finish(run.runId, result.status)
 * ```
 */
import { type CaseResult, SinkError } from "@assay/core"
import { Effect } from "effect"
import { Database } from "./database.js"
import type { RunSpec, RunStatus } from "./run-info.js"
import { findRun, listRuns, markFinished, markRunning, recordRun, runInfo } from "./run-records.js"
import { makeResultWriter } from "./result-writer.js"
import { findDatasetCheck, rememberDatasetCheck } from "./dataset-checks.js"
import type { DatasetFingerprint } from "./resume.js"
import { streamResultJson } from "./run-json.js"
import { findReusable, forgetReusable, markReusable } from "./run-reuse.js"
import { finishedIndices, runOutline, runResults, showRun, streamResults } from "./run-results.js"

/**
 * The run store service; see the module doc.
 *
 * @example
 * ```ts
 * const result = yield* Effect.flatMap(RunStore, (runs) => runs.show(runId))
 * ```
 */
export class RunStore extends Effect.Service<RunStore>()("assay/store/RunStore", {
  scoped: Effect.gen(function*() {
    const db = yield* Database
    const writer = yield* makeResultWriter(db)

    /**
     * An `onResults` sink writing each batch of case results of `runId` through to the database, one
     * transaction per batch (or fewer: batches submitted meanwhile share a commit). Prefer it to `sink`.
     */
    const sinkMany = (runId: string) => (results: ReadonlyArray<CaseResult>): Effect.Effect<void, SinkError> =>
      writer.submit(results.length === 0 ? [] : [{ runId, results }]).pipe(
        Effect.mapError((e) => new SinkError({ sink: "run-store", message: e.message }))
      )

    return {
      /** Record a new run with status "running". */
      start: (spec: RunSpec) => recordRun(db, spec),
      /** A stored run. */
      get: (runId: string) => runInfo(db, runId),
      /** The stored run, if any. */
      find: (runId: string) => findRun(db, runId),
      /** Runs, newest first. */
      list: (limit?: number) => listRuns(db, limit),
      /**
       * An `onResult` sink writing each case result of `runId` through to the database. A case waits for its
       * commit, so cases delivered one after another commit one by one: `sinkMany` is much faster.
       */
      sink: (runId: string) => (result: CaseResult): Effect.Effect<void, SinkError> => sinkMany(runId)([result]),
      sinkMany,
      /** Mark the final status (and the pass rate the run ended with, when known). */
      finish: (runId: string, status: Exclude<RunStatus, "running">, passRate?: number | null) => markFinished(db, runId, status, passRate),
      /** Mark a run running again (it is being resumed). */
      reopen: (runId: string) => markRunning(db, runId),
      /** The stored case results of a run, in input order (a case stored twice: its latest result). */
      results: (runId: string) => runResults(db, runId),
      /** The indices of the cases a run has finished. */
      finishedIndices: (runId: string) => finishedIndices(db, runId),
      /** A run read back as a RunResult (summary recomputed; cases the run did not finish listed as unfinished). */
      show: (runId: string) => showRun(db, runId),
      /** The stored case results of a run in input order, streamed: memory independent of the run's size. */
      stream: (runId: string) => streamResults(db, runId),
      /**
       * The stored case results of a run as their JSON text, in input order, streamed: for reports that copy
       * each result's JSON without parsing it.
       */
      streamJson: (runId: string) => streamResultJson(db, runId),
      /** The remembered validating read of the dataset keyed `key` (see `dataset-checks.ts`), if any. */
      datasetCheck: (key: string) => findDatasetCheck(db, key),
      /** Remember what the validating read of the dataset keyed `key` found. */
      rememberDatasetCheck: (key: string, found: DatasetFingerprint) => rememberDatasetCheck(db, key, found),
      /** A stored run's outcome, summary recomputed in one streamed pass, without holding its results. */
      outline: (runId: string) => runOutline(db, runId),
      /** Mark a completed run whose every result the cache holds as reusable by a rerun with the same `key`. */
      markReusable: (runId: string, key: string) => markReusable(db, runId, key),
      /** The newest completed run marked reusable with `key`, if any (see `run-reuse.ts`). */
      findReusable: (key: string) => findReusable(db, key),
      /** Unmark every run: cache entries they stand for are replaced (task outputs produced afresh). */
      forgetReusable: forgetReusable(db)
    } as const
  })
}) {}
