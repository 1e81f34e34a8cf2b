/**
 * What the run store records about a run (besides its case results), and what a caller gives to start one.
 *
 * @example
 * ```ts
 * const info: RunInfo = yield* runs.start({ datasetFingerprint: ds.fingerprint, metricsFingerprint: mf })
 * info.status // "running"
 * ```
 */
import { Schema } from "effect"

/**
 * A run's lifecycle: running until it is finished with one of the other statuses.
 *
 * @example
 * ```ts
 * yield* runs.finish(runId, "cancelled")
 * ```
 */
export const RunStatus = Schema.Literal("running", "completed", "deadline", "cancelled", "failed", "budget")
export type RunStatus = typeof RunStatus.Type

const Json = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * A stored run. `finishedCases` counts the case results written so far.
 *
 * @example
 * ```ts
 * (yield* runs.list()).map((r: RunInfo) => `${r.runId} ${r.status} ${r.finishedCases}/${r.caseCount}`)
 * ```
 */
export const RunInfo = Schema.Struct({
  runId: Schema.String,
  identifier: Schema.NullOr(Schema.String),
  status: RunStatus,
  startedAt: Schema.Number,
  finishedAt: Schema.NullOr(Schema.Number),
  caseCount: Schema.NullOr(Schema.Number),
  finishedCases: Schema.Number,
  /** The pass rate recorded when the run ended (null while running, for runs of earlier versions, or when nothing was scored). */
  passRate: Schema.NullOr(Schema.Number),
  options: Json,
  hyperparameters: Json,
  settings: Json,
  datasetFingerprint: Schema.String,
  metricsFingerprint: Schema.String
})
export type RunInfo = typeof RunInfo.Type

/**
 * How to start a run. Settings (target, judge) are scrubbed of secrets before they are stored.
 *
 * @example
 * ```ts
 * runs.start({ identifier: "nightly", datasetFingerprint: ds.fingerprint, metricsFingerprint: mf, caseCount: ds.count })
 * ```
 */
export interface RunSpec {
  /** Defaults to a random UUID. */
  readonly runId?: string | undefined
  readonly identifier?: string | undefined
  /** The run options worth keeping (concurrency, timeout…): JSON values only. */
  readonly options?: Readonly<Record<string, unknown>> | undefined
  readonly hyperparameters?: Readonly<Record<string, unknown>> | undefined
  /** Target and judge settings (model, base URL…); secrets are removed. */
  readonly settings?: Readonly<Record<string, unknown>> | undefined
  readonly datasetFingerprint: string
  readonly metricsFingerprint: string
  /** Number of cases, when known (arrays, counted files). */
  readonly caseCount?: number | undefined
}

/**
 * The stored row of a run.
 *
 * @example
 * ```ts
 * Schema.decodeUnknown(RunRow)(row)
 * ```
 */
export const RunRow = Schema.Struct({
  run_id: Schema.String,
  identifier: Schema.NullOr(Schema.String),
  status: RunStatus,
  started_at: Schema.Number,
  finished_at: Schema.NullOr(Schema.Number),
  case_count: Schema.NullOr(Schema.Number),
  finished_cases: Schema.Number,
  pass_rate: Schema.NullOr(Schema.Number),
  options: Schema.parseJson(Json),
  hyperparameters: Schema.parseJson(Json),
  settings: Schema.parseJson(Json),
  dataset_fingerprint: Schema.String,
  metrics_fingerprint: Schema.String
})

/**
 * A stored row as a {@link RunInfo}.
 *
 * @example
 * ```ts
 * const info = rowToInfo(yield* Schema.decodeUnknown(RunRow)(row))
 * ```
 */
export const rowToInfo = (row: typeof RunRow.Type): RunInfo => ({
  runId: row.run_id,
  identifier: row.identifier,
  status: row.status,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  caseCount: row.case_count,
  finishedCases: row.finished_cases,
  passRate: row.pass_rate,
  options: row.options,
  hyperparameters: row.hyperparameters,
  settings: row.settings,
  datasetFingerprint: row.dataset_fingerprint,
  metricsFingerprint: row.metrics_fingerprint
})
