/**
 * The run viewer's reads: the runs list with counts, a run's summary with per-metric statistics and score
 * histograms, a page of cases and one case in full (`view-reads.ts`), and a running run's progress. Every read
 * first brings the run's view index up to date (`view-index.ts`), one run at a time.
 *
 * @example
 * ```ts
 * const views = yield* RunViews
 * const page = yield* views.cases("20261123-214501-k3f9", { status: "failed", limit: 50 })
 * ```
 */
import { Clock, Effect } from "effect"
import { Database } from "./database.js"
import type { RunNotFound, StoreError } from "./errors.js"
import { validateResults } from "./run-decode.js"
import type { RunInfo } from "./run-info.js"
import { RunStore } from "./run-store.js"
import { caseDetail, casePage, type ViewContext, viewQuery } from "./view-reads.js"
import { indexRun } from "./view-index.js"
import type { CaseQuery, MetricStats, RunProgress, RunRowView, RunSummaryView } from "./view-schema.js"
import { type StatusCount, statsOf, summing } from "./view-sql.js"

/** A run's row in the runs list, from its record and its cases counted by status. */
const rowOf = (info: RunInfo, byStatus: ReadonlyArray<StatusCount>, now: number): RunRowView => {
  const t = summing(byStatus)
  const scored = t.passed + t.failed + t.errored
  return {
    id: info.runId,
    identifier: info.identifier,
    startedAt: info.startedAt,
    status: info.status,
    total: Math.max(info.caseCount ?? 0, t.finished),
    finished: t.finished,
    passed: t.passed,
    failed: t.failed,
    errored: t.errored,
    skipped: t.skipped,
    passRate: scored === 0 ? null : t.passed / scored,
    cost: t.cost,
    durationMs: (info.finishedAt ?? now) - info.startedAt
  }
}

/** A run's row in the runs list, its index brought up to date first. */
const runRow = (views: ViewContext, info: RunInfo): Effect.Effect<RunRowView, StoreError> => {
  const counts = viewQuery(views.db, views.db.sql<StatusCount>`SELECT status, COUNT(*) AS n, COALESCE(SUM(cost), 0) AS cost FROM view_cases
    WHERE run_id = ${info.runId} GROUP BY status`)
  return Effect.zipWith(Effect.zipRight(views.refresh(info.runId), counts), Clock.currentTimeMillis, (n, now) => rowOf(info, n, now))
}

/** A run's summary and per-metric statistics. */
const runSummary = (views: ViewContext, runId: string): Effect.Effect<RunSummaryView, RunNotFound | StoreError> =>
  Effect.gen(function*() {
    const { db } = views
    const { sql } = db
    const info = yield* views.runs.get(runId)
    const run = yield* runRow(views, info)
    const stats = yield* viewQuery(db, sql<{ metric: string; outcome: string; n: number; total: number; low: number | null; high: number | null }>`
      SELECT metric, outcome, COUNT(*) AS n, SUM(score) AS total, MIN(score) AS low, MAX(score) AS high
      FROM view_case_metrics WHERE run_id = ${runId} GROUP BY metric, outcome ORDER BY metric`)
    const buckets = yield* viewQuery(db, sql<{ metric: string; bucket: number; n: number }>`SELECT metric, bucket, COUNT(*) AS n
      FROM view_case_metrics WHERE run_id = ${runId} AND bucket IS NOT NULL GROUP BY metric, bucket`)
    const metrics: ReadonlyArray<MetricStats> = statsOf(stats, buckets)
    return { run, metrics, options: info.options, hyperparameters: info.hyperparameters }
  })

/** How far a run has come (the live endpoint polls this). */
const runProgress = (views: ViewContext, runId: string): Effect.Effect<RunProgress, RunNotFound | StoreError> =>
  Effect.map(views.runs.get(runId), (info) => ({
    id: info.runId,
    status: info.status,
    finished: info.finishedCases,
    total: Math.max(info.caseCount ?? 0, info.finishedCases)
  }))

/**
 * The viewer's reads; see the module doc.
 *
 * @example
 * ```ts
 * Effect.flatMap(RunViews, (views) => views.list(100))
 * ```
 */
export class RunViews extends Effect.Service<RunViews>()("assay/store/RunViews", {
  effect: Effect.gen(function*() {
    const db = yield* Database
    const runs = yield* RunStore
    const lock = yield* Effect.makeSemaphore(1)
    /** Bring a run's index up to date (one indexer at a time in this process). */
    const refresh = (runId: string) => lock.withPermits(1)(viewQuery(db, db.provided(indexRun(runId, validateResults))))
    const views: ViewContext = { db, runs, refresh }
    return {
      /** Runs, newest first, with their counts. */
      list: (limit = 200): Effect.Effect<ReadonlyArray<RunRowView>, StoreError> =>
        Effect.flatMap(runs.list(limit), (infos) => Effect.forEach(infos, (info) => runRow(views, info))),
      /** A run's summary and per-metric statistics. */
      summary: (runId: string) => runSummary(views, runId),
      /** A page of a run's cases matching `q`. */
      cases: (runId: string, q: CaseQuery) => casePage(views, runId, q),
      /** One case in full: only the batch that holds it is decoded. */
      case: (runId: string, index: number) => caseDetail(views, runId, index),
      /** How far a run has come (the live endpoint polls this). */
      progress: (runId: string) => runProgress(views, runId),
      refresh
    } as const
  }),
  dependencies: []
}) {}
