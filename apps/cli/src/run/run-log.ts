/**
 * The CLI's view of the run store: start a run with its plan, record each finished case, mark how the run
 * ended, and load runs back for `resume`, `runs` and `compare`. The live layer adapts @assay/store's
 * RunStore; without a store (`--no-cache`… or the store package missing) runs are not persisted and the
 * commands that need history say so.
 *
 * @example
 * ```ts
 * import { RunLog } from "./run-log.js"
 * const log = yield* RunLog
 * const runId = yield* log.start(plan)
 * yield* log.record(runId, caseResult)
 * ```
 */
import type { CaseResult, RunSummary, SinkError } from "@assay/core"
import { Clock, Context, Effect, Layer, Random } from "effect"
import { RunFailed, UsageError } from "../errors.js"
import type { RunPlan } from "./plan.js"

/**
 * How a stored run ended (or that it is still running / was interrupted).
 *
 * @example
 * ```ts
 * const status: RunStatus = "cancelled"
 * ```
 */
export type RunStatus = "running" | "completed" | "deadline" | "cancelled" | "failed"

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
  readonly createdAt: number
  readonly summary: RunSummary | null
}

/**
 * A stored run with its finished case results (in input order).
 *
 * @example
 * ```ts
 * const { info, results }: StoredRun = yield* log.load("latest")
 * ```
 */
export interface StoredRun {
  readonly info: RunInfo
  readonly results: ReadonlyArray<CaseResult>
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
  readonly start: (plan: RunPlan) => Effect.Effect<string, RunFailed>
  readonly record: (runId: string, result: CaseResult) => Effect.Effect<void, SinkError>
  readonly finish: (runId: string, status: RunStatus, summary: RunSummary) => Effect.Effect<void, RunFailed>
  /** A run by id, or the newest with `latest`. */
  readonly load: (runId: string) => Effect.Effect<StoredRun, UsageError>
  readonly list: Effect.Effect<ReadonlyArray<RunInfo>, RunFailed>
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

/**
 * A run id: UTC timestamp plus a random suffix, e.g. `20261123-214501-k3f9`.
 *
 * @example
 * ```ts
 * const id = yield* newRunId // "20261123-214501-k3f9"
 * ```
 */
export const newRunId: Effect.Effect<string> = Effect.gen(function*() {
  const now = new Date(yield* Clock.currentTimeMillis)
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)
  const suffix = (yield* Random.nextIntBetween(0, 36 ** 4)).toString(36).padStart(4, "0")
  return `${stamp}-${suffix}`
})

const NO_STORE = "runs are not stored (no run store is available): run history, resume and compare need one"

/**
 * A RunLog that keeps nothing: runs get ids, but `resume`, `runs` and `compare` report that no store exists.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(RunLog.ephemeral))
 * ```
 */
export const ephemeralRunLog: Layer.Layer<RunLog> = Layer.succeed(RunLog, {
  start: () => newRunId,
  record: () => Effect.void,
  finish: () => Effect.void,
  load: () => Effect.fail(new UsageError({ message: NO_STORE })),
  list: Effect.fail(new RunFailed({ message: NO_STORE }))
})
