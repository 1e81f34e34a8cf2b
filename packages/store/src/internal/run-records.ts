/**
 * The run store's records of runs (the `runs` table): a run recorded when it starts, marked when it ends or is
 * resumed, and read back with the number of results stored for it.
 *
 * @example
 * ```ts
 * const info = yield* recordRun(db, { datasetFingerprint: "d", metricsFingerprint: "m" })
 * yield* markFinished(db, info.runId, "completed", 1)
 * ```
 */
import { Clock, Effect, Option, Schema } from "effect"
import { randomUUID } from "node:crypto"
import type { DatabaseApi } from "./database.js"
import { RunNotFound, type StoreError } from "./errors.js"
import { corruptRun } from "./run-decode.js"
import { type RunInfo, RunRow, type RunSpec, type RunStatus, rowToInfo } from "./run-info.js"
import { finishedCases } from "./run-sql.js"
import { scrubSecrets } from "./secrets.js"

const decodeRun = Schema.decodeUnknown(RunRow)

/**
 * Record a new run with status "running".
 *
 * @example
 * ```ts
 * const info = yield* recordRun(db, { runId: "r1", datasetFingerprint: "d", metricsFingerprint: "m" })
 * ```
 */
export const recordRun = (db: DatabaseApi, spec: RunSpec): Effect.Effect<RunInfo, StoreError> =>
  Effect.gen(function*() {
    const { sql } = db
    const runId = spec.runId ?? randomUUID()
    const now = yield* Clock.currentTimeMillis
    const json = (v: unknown) => JSON.stringify(scrubSecrets(v ?? {}))
    yield* db.refine(sql`INSERT INTO runs ${
      sql.insert({
        run_id: runId,
        identifier: spec.identifier ?? null,
        status: "running",
        started_at: now,
        finished_at: null,
        case_count: spec.caseCount ?? null,
        options: json(spec.options),
        hyperparameters: json(spec.hyperparameters),
        settings: json(spec.settings),
        dataset_fingerprint: spec.datasetFingerprint,
        metrics_fingerprint: spec.metricsFingerprint
      })
    }`)
    return yield* runInfo(db, runId).pipe(Effect.catchTag("RunNotFound", (e) => Effect.die(e)))
  })

/**
 * A stored run.
 *
 * @example
 * ```ts
 * const info = yield* runInfo(db, "r1")
 * ```
 */
export const runInfo = (db: DatabaseApi, runId: string): Effect.Effect<RunInfo, RunNotFound | StoreError> =>
  db.refine(db.sql`SELECT r.*, ${finishedCases(db.sql)} AS finished_cases FROM runs r WHERE r.run_id = ${runId}`).pipe(
    Effect.flatMap((rows): Effect.Effect<RunInfo, RunNotFound | StoreError> =>
      rows.length === 0
        ? Effect.fail(new RunNotFound({ runId, path: db.path }))
        : Effect.map(Effect.mapError(decodeRun(rows[0]), corruptRun(db.path)), rowToInfo)
    )
  )

/**
 * The stored run, if any.
 *
 * @example
 * ```ts
 * const found = yield* findRun(db, "r1") // Option.none() when there is no such run
 * ```
 */
export const findRun = (db: DatabaseApi, runId: string): Effect.Effect<Option.Option<RunInfo>, StoreError> =>
  runInfo(db, runId).pipe(Effect.asSome, Effect.catchTag("RunNotFound", () => Effect.succeedNone))

/**
 * Runs, newest first.
 *
 * @example
 * ```ts
 * const latest = yield* listRuns(db, 10)
 * ```
 */
export const listRuns = (db: DatabaseApi, limit = 100): Effect.Effect<ReadonlyArray<RunInfo>, StoreError> =>
  db.refine(db.sql`SELECT r.*, ${finishedCases(db.sql)} AS finished_cases
    FROM runs r ORDER BY r.started_at DESC, r.run_id LIMIT ${limit}`).pipe(
    Effect.flatMap((rows) => Effect.forEach(rows, (row) => Effect.mapError(decodeRun(row), corruptRun(db.path)))),
    Effect.map((rows) => rows.map(rowToInfo))
  )

/**
 * Mark the final status (and the pass rate the run ended with, when known).
 *
 * @example
 * ```ts
 * yield* markFinished(db, "r1", "completed", 0.9)
 * ```
 */
export const markFinished = (
  db: DatabaseApi,
  runId: string,
  status: Exclude<RunStatus, "running">,
  passRate: number | null = null
): Effect.Effect<void, StoreError> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    db.refine(db.sql`UPDATE runs SET status = ${status}, finished_at = ${now}, pass_rate = ${passRate} WHERE run_id = ${runId}`))

/**
 * Mark a run running again (it is being resumed).
 *
 * @example
 * ```ts
 * yield* markRunning(db, "r1")
 * ```
 */
export const markRunning = (db: DatabaseApi, runId: string): Effect.Effect<void, StoreError> =>
  db.refine(db.sql`UPDATE runs SET status = 'running', finished_at = NULL WHERE run_id = ${runId}`)
