/**
 * Starting and resuming recorded runs. The engine call stays with the caller: a {@link RunHandle} gives the
 * `skipIndex` and `onResults` options to pass to `evaluate`, and `complete` assembles the final RunResult from
 * the stored results (earlier attempts + this one) in input order — equal to an uninterrupted run's.
 * Resuming refuses when the dataset or the metric configuration changed ({@link ResumeMismatch}).
 *
 * @example
 * ```ts
 * const ds = yield* datasetFingerprint(cases)
 * const mf = metricsFingerprint(metrics, hyperparameters)
 * const handle = yield* resumeRun(runId, { datasetFingerprint: ds.fingerprint, metricsFingerprint: mf })
 * const result = yield* handle.track(evaluate(cases, metrics, { ...myOptions, skipIndex: handle.skipIndex, onResults: handle.onResults }))
 * ```
 */
import {
  type CaseResult,
  type CaseSource,
  canonicalJson,
  caseFingerprint,
  forEachCase,
  type Metric,
  metricIdentity,
  type RunResult,
  type SinkError,
  sha256,
  type TestCase
} from "@assay/core"
import { Effect, Exit } from "effect"
import { createHash } from "node:crypto"
import { ResumeMismatch, type RunNotFound, type StoreError } from "./errors.js"
import type { RunInfo, RunSpec } from "./run-info.js"
import { RunStore } from "./run-store.js"

/**
 * A dataset's identity: the case fingerprints in order, and how many cases there are.
 *
 * @example
 * ```ts
 * const { fingerprint, count } = yield* datasetFingerprint(cases)
 * ```
 */
export interface DatasetFingerprint {
  readonly fingerprint: string
  readonly count: number
}

/**
 * Fingerprint a dataset (reads a stream source once; labels such as case names are not part of it).
 *
 * @example
 * ```ts
 * const { fingerprint, count } = yield* datasetFingerprint(cases)
 * ```
 */
export const datasetFingerprint = <E = never, R = never>(source: CaseSource<E, R>): Effect.Effect<DatasetFingerprint, E, R> =>
  Effect.suspend(() => {
    const hash = createHash("sha256")
    let count = 0
    const visit = (testCase: TestCase) =>
      Effect.sync(() => {
        hash.update(`${caseFingerprint(testCase)}\n`, "utf8")
        count++
      })
    return Effect.map(forEachCase(source, visit), () => ({ fingerprint: hash.digest("hex"), count }))
  })

/**
 * Fingerprint the metric configuration of a run: every metric's identity (name, threshold, strict, config) in
 * order, and the hyperparameters.
 *
 * @example
 * ```ts
 * metricsFingerprint([exactMatch()], { prompt: "v2" })
 * ```
 */
export const metricsFingerprint = (
  metrics: ReadonlyArray<Metric.Metric<unknown>>,
  hyperparameters: Readonly<Record<string, unknown>> = {}
): string => sha256(canonicalJson({ metrics: metrics.map(metricIdentity), hyperparameters }))

/**
 * A recorded run in progress; see the module doc.
 *
 * @example
 * ```ts
 * evaluate(cases, metrics, { skipIndex: handle.skipIndex, onResults: handle.onResults })
 * ```
 */
export interface RunHandle {
  readonly run: RunInfo
  /** Indices finished by earlier attempts. */
  readonly finished: ReadonlySet<number>
  /** Pass as the engine's `skipIndex` option. */
  readonly skipIndex: (index: number) => boolean
  /** Pass as (or call from) the engine's `onResults` option: each batch of results in one transaction. */
  readonly onResults: (results: ReadonlyArray<CaseResult>) => Effect.Effect<void, SinkError>
  /** The same one case at a time, for the engine's `onResult` option (a commit per case: slower). */
  readonly onResult: (result: CaseResult) => Effect.Effect<void, SinkError>
  /** Mark the run finished with the engine's result status and read the whole run back. */
  readonly complete: (result: RunResult) => Effect.Effect<RunResult, StoreError | RunNotFound>
  /** Run the engine call: complete on success, mark the run "failed" on failure and "cancelled" on interruption. */
  readonly track: <E, R>(run: Effect.Effect<RunResult, E, R>) => Effect.Effect<RunResult, E | StoreError | RunNotFound, R>
}

const makeHandle = (store: RunStore, run: RunInfo, finished: ReadonlySet<number>): RunHandle => {
  const complete = (result: RunResult) =>
    Effect.zipRight(
      store.finish(run.runId, result.status),
      Effect.map(store.show(run.runId), (stored): RunResult => ({ ...stored, unfinished: result.unfinished }))
    )
  return {
    run,
    finished,
    skipIndex: (index) => finished.has(index),
    onResults: store.sinkMany(run.runId),
    onResult: store.sink(run.runId),
    complete,
    track: (effect) =>
      Effect.onExit(effect, (exit) =>
        Exit.isSuccess(exit)
          ? Effect.void
          : store.finish(run.runId, Exit.isInterrupted(exit) ? "cancelled" : "failed").pipe(
            Effect.catchAll((e) => Effect.logWarning(`could not mark run ${run.runId} as stopped: ${e.message}`))
          )).pipe(Effect.flatMap(complete))
  }
}

/**
 * Record a new run and return its handle.
 *
 * @example
 * ```ts
 * const handle = yield* startRun({ identifier: "nightly", datasetFingerprint: ds.fingerprint, metricsFingerprint: mf, caseCount: ds.count })
 * ```
 */
export const startRun = (spec: RunSpec): Effect.Effect<RunHandle, StoreError, RunStore> =>
  Effect.flatMap(RunStore, (store) => Effect.map(store.start(spec), (run) => makeHandle(store, run, new Set())))

/**
 * Resume run `runId`: check that the dataset and metric configuration still match, mark it running again and
 * return its handle with the finished indices.
 *
 * @example
 * ```ts
 * const handle = yield* resumeRun("0b6f…", { datasetFingerprint: ds.fingerprint, metricsFingerprint: mf })
 * handle.finished.size // cases that will be skipped
 * ```
 */
export const resumeRun = (
  runId: string,
  current: { readonly datasetFingerprint: string; readonly metricsFingerprint: string }
): Effect.Effect<RunHandle, RunNotFound | ResumeMismatch | StoreError, RunStore> =>
  Effect.gen(function*() {
    const store = yield* RunStore
    const run = yield* store.get(runId)
    if (run.datasetFingerprint !== current.datasetFingerprint) {
      return yield* new ResumeMismatch({ runId, what: "dataset", stored: run.datasetFingerprint, current: current.datasetFingerprint })
    }
    if (run.metricsFingerprint !== current.metricsFingerprint) {
      return yield* new ResumeMismatch({ runId, what: "metrics", stored: run.metricsFingerprint, current: current.metricsFingerprint })
    }
    yield* store.reopen(runId)
    return makeHandle(store, { ...run, status: "running" }, yield* store.finishedIndices(runId))
  })
