/**
 * The CLI's view of the run store: start a run with its plan, reopen an interrupted one, record each finished
 * case, mark how the run ended, and read runs back for `resume`, `runs` and `compare`. The live layer
 * (./store.ts) adapts @assay/store's RunStore; tests can provide any other implementation.
 *
 * @example
 * ```ts
 * import { RunLog } from "./run-log.js"
 * const log = yield* RunLog
 * const runId = yield* log.start(plan, fingerprints)
 * yield* log.record(runId, [caseResult])
 * ```
 */
import type { CaseResult, RunOutcome, RunResult, SinkError } from "@assay/core"
import type { DatasetFingerprint, StoredResultJson } from "@assay/store"
import { Context, type Effect, type Option, type Scope, type Stream } from "effect"
import type { RunFailed, UsageError } from "../errors.js"
import type { RunPlan } from "./plan.js"

/**
 * How a stored run ended (or that it is still running / was interrupted).
 *
 * @example
 * ```ts
 * const status: RunStatus = "cancelled"
 * ```
 */
export type RunStatus = "running" | "completed" | "deadline" | "cancelled" | "failed" | "budget"

/**
 * What identifies a run's input: the dataset's case fingerprints, the metric configuration, the case count.
 * Resuming refuses when either fingerprint changed.
 *
 * @example
 * ```ts
 * const fp: Fingerprints = { dataset: "9f2c…", metrics: "41ab…", caseCount: 36 }
 * ```
 */
export interface Fingerprints {
  readonly dataset: string
  readonly metrics: string
  readonly caseCount: number
}

/**
 * A stored run's header.
 *
 * @example
 * ```ts
 * const runs: ReadonlyArray<RunInfo> = yield* log.list
 * ```
 */
export interface RunInfo {
  readonly runId: string
  readonly plan: RunPlan
  readonly status: RunStatus
  readonly startedAt: number
  readonly caseCount: number | null
  readonly finishedCases: number
  readonly passRate: number | null
}

/**
 * A stored run: its header and its results as a RunResult (cases in input order).
 *
 * @example
 * ```ts
 * const { info, result }: StoredRun = yield* log.load("latest")
 * ```
 */
export interface StoredRun {
  readonly info: RunInfo
  readonly result: RunResult
}

/**
 * The run store as the CLI uses it.
 *
 * @example
 * ```ts
 * const log: RunLogApi = yield* RunLog
 * ```
 */
export interface RunLogApi {
  readonly start: (plan: RunPlan, fingerprints: Fingerprints) => Effect.Effect<string, RunFailed>
  /** Mark an interrupted run running again; fails when its dataset or metrics changed (its results: `results`). */
  readonly reopen: (runId: string, fingerprints: Fingerprints) => Effect.Effect<void, UsageError | RunFailed>
  /**
   * Hold the run's lease for the current scope: one process evaluates a run at a time. Refuses (UsageError,
   * naming the holder) while a live process holds it; takes a dead holder's over. The returned check fails once
   * another process took the run over (this one was presumed dead).
   */
  readonly lease: (runId: string) => Effect.Effect<Effect.Effect<void, SinkError>, UsageError | RunFailed, Scope.Scope>
  readonly record: (runId: string, results: ReadonlyArray<CaseResult>) => Effect.Effect<void, SinkError>
  /** Mark how the run ended, with its pass rate when known (shown by `runs list`). */
  readonly finish: (runId: string, status: Exclude<RunStatus, "running">, passRate?: number | null) => Effect.Effect<void, RunFailed>
  /** A run's header, by id or `latest` (nothing of its results is read). */
  readonly info: (runId: string) => Effect.Effect<RunInfo, UsageError | RunFailed>
  /** A run's header and outcome (summary recomputed in one streamed pass), by id or `latest`, without its results. */
  readonly outline: (runId: string) => Effect.Effect<{ readonly info: RunInfo; readonly outcome: RunOutcome }, UsageError | RunFailed>
  /** A run's stored results in input order, streamed from the store (never all in memory). */
  readonly results: (runId: string) => Stream.Stream<CaseResult, RunFailed>
  /** The remembered validating read of a dataset by its check key (`dataset-check.ts`), if any. */
  readonly datasetCheck: (key: string) => Effect.Effect<Option.Option<DatasetFingerprint>, RunFailed>
  /** Remember what the validating read of the dataset keyed `key` found. */
  readonly rememberDatasetCheck: (key: string, found: DatasetFingerprint) => Effect.Effect<void, RunFailed>
  /** The same results as their JSON text (each as `JSON.stringify` writes it), not parsed. */
  readonly resultJson: (runId: string) => Stream.Stream<StoredResultJson, RunFailed>
  /** A run by id, or the newest with `latest` (every result in memory: for small runs and comparisons). */
  readonly load: (runId: string) => Effect.Effect<StoredRun, UsageError | RunFailed>
  readonly list: Effect.Effect<ReadonlyArray<RunInfo>, RunFailed>
  /** The newest completed run marked reusable with `key` (see `reuse.ts`), if any. */
  readonly reusable: (key: string) => Effect.Effect<Option.Option<string>, RunFailed>
  /** Mark a completed run, every result of which the cache holds, reusable with `key`. */
  readonly markReusable: (runId: string, key: string) => Effect.Effect<void, RunFailed>
  /** Unmark every run (this run replaces cache entries they stand for). */
  readonly forgetReusable: Effect.Effect<void, RunFailed>
}

/**
 * The run-store service tag.
 *
 * @example
 * ```ts
 * Effect.flatMap(RunLog, (log) => log.list)
 * ```
 */
export class RunLog extends Context.Tag("assay/cli/RunLog")<RunLog, RunLogApi>() {}
