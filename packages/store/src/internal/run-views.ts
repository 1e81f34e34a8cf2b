/**
 * The run viewer's reads: the runs list with counts, a run's summary with per-metric statistics and score
 * histograms, a page of cases (filtered, searched, sorted in SQL over the view index), one case in full (its
 * batch decoded, nothing else) and a running run's progress. Every read first brings the run's view index up
 * to date (`view-index.ts`), one run at a time.
 *
 * @example
 * ```ts
 * const views = yield* RunViews
 * const page = yield* views.cases("20261123-214501-k3f9", { status: "failed", limit: 50 })
 * ```
 */
import { CaseResult } from "@assay/core"
import { type SqlError } from "@effect/sql"
import { Clock, Effect, type ParseResult, Schema } from "effect"
import { batchEntries } from "./batch-codec.js"
import { classify } from "./classify.js"
import { Database } from "./database.js"
import { CaseNotFound, type RunNotFound, StoreError } from "./errors.js"
import { RunStore } from "./run-store.js"
import type { RunInfo } from "./run-info.js"
import { caseStatus, indexRun } from "./view-index.js"
import { caseWhere, orderBy, type StatusCount, statsOf, summing } from "./view-sql.js"
import type { CaseDetail, CasePage, CaseQuery, CaseRowView, MetricStats, RunProgress, RunRowView, RunSummaryView } from "./view-schema.js"

const isCaseResult = Schema.is(CaseResult)
const decodeResults = Schema.decodeUnknown(Schema.Array(CaseResult))
const validate = (values: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<CaseResult>, ParseResult.ParseError> =>
  values.every(isCaseResult) ? Effect.succeed(values as ReadonlyArray<CaseResult>) : decodeResults(values)

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
    const { sql } = db
    const lock = yield* Effect.makeSemaphore(1)
    const corrupt = (e: ParseResult.ParseError) =>
      new StoreError({ path: db.path, reason: "corrupt", detail: `a stored run does not decode: ${e.message}` })
    const query = <A>(effect: Effect.Effect<A, SqlError.SqlError | ParseResult.ParseError>): Effect.Effect<A, StoreError> =>
      Effect.mapError(effect, (e) => (e._tag === "ParseError" ? corrupt(e) : classify(db.path, e)))

    /** Bring a run's index up to date (one indexer at a time in this process). */
    const refresh = (runId: string) => lock.withPermits(1)(query(db.provided(indexRun(runId, validate))))

    const counts = (runId: string) =>
      query(sql<StatusCount>`SELECT status, COUNT(*) AS n, COALESCE(SUM(cost), 0) AS cost FROM view_cases
        WHERE run_id = ${runId} GROUP BY status`)

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

    const row = (info: RunInfo) =>
      Effect.zipWith(Effect.zipRight(refresh(info.runId), counts(info.runId)), Clock.currentTimeMillis, (n, now) => rowOf(info, n, now))

    /** Runs, newest first, with their counts. */
    const list = (limit = 200): Effect.Effect<ReadonlyArray<RunRowView>, StoreError> =>
      Effect.flatMap(runs.list(limit), (infos) => Effect.forEach(infos, row))

    /** A run's summary and per-metric statistics. */
    const summary = (runId: string): Effect.Effect<RunSummaryView, RunNotFound | StoreError> =>
      Effect.gen(function*() {
        const info = yield* runs.get(runId)
        const run = yield* row(info)
        const stats = yield* query(sql<{ metric: string; outcome: string; n: number; total: number; low: number | null; high: number | null }>`
          SELECT metric, outcome, COUNT(*) AS n, SUM(score) AS total, MIN(score) AS low, MAX(score) AS high
          FROM view_case_metrics WHERE run_id = ${runId} GROUP BY metric, outcome ORDER BY metric`)
        const buckets = yield* query(sql<{ metric: string; bucket: number; n: number }>`SELECT metric, bucket, COUNT(*) AS n
          FROM view_case_metrics WHERE run_id = ${runId} AND bucket IS NOT NULL GROUP BY metric, bucket`)
        const metrics: ReadonlyArray<MetricStats> = statsOf(stats, buckets)
        return { run, metrics, options: info.options, hyperparameters: info.hyperparameters }
      })

    /** A page of a run's cases matching `q`. */
    const cases = (runId: string, q: CaseQuery): Effect.Effect<CasePage, RunNotFound | StoreError> =>
      Effect.gen(function*() {
        yield* runs.get(runId)
        yield* refresh(runId)
        const offset = q.offset ?? 0
        const limit = q.limit ?? 50
        const join = q.metric === undefined
          ? sql``
          : sql`JOIN view_case_metrics m ON m.run_id = c.run_id AND m.case_index = c.case_index AND m.metric = ${q.metric}`
        const where = caseWhere(sql, runId, q)
        const total = yield* query(sql<{ n: number }>`SELECT COUNT(*) AS n FROM view_cases c ${join} WHERE ${where}`)
        const rows = yield* query(sql<{ case_index: number; name: string | null; status: CaseRowView["status"]; input: string; actual: string | null; cost: number; duration_ms: number }>`
          SELECT c.case_index, c.name, c.status, c.input, c.actual, c.cost, c.duration_ms FROM view_cases c ${join}
          WHERE ${where} ORDER BY ${orderBy(sql, q)} LIMIT ${limit} OFFSET ${offset}`)
        const indices = rows.map((r) => Number(r.case_index))
        const scores = indices.length === 0 ? [] : yield* query(sql<{ case_index: number; metric: string; score: number | null }>`
          SELECT case_index, metric, score FROM view_case_metrics WHERE run_id = ${runId} AND ${sql.in("case_index", indices)}`)
        const byCase = new Map<number, Record<string, number | null>>()
        for (const s of scores) {
          const known = byCase.get(Number(s.case_index)) ?? {}
          known[s.metric] = s.score
          byCase.set(Number(s.case_index), known)
        }
        const items = rows.map((r): CaseRowView => ({
          index: Number(r.case_index),
          name: r.name,
          status: r.status,
          input: r.input,
          actual: r.actual,
          cost: Number(r.cost),
          durationMs: Number(r.duration_ms),
          scores: byCase.get(Number(r.case_index)) ?? {}
        }))
        return { total: Number(total[0]?.n ?? 0), offset, items }
      })

    /** One case in full: only the batch that holds it is decoded. */
    const kase = (runId: string, index: number): Effect.Effect<CaseDetail, RunNotFound | CaseNotFound | StoreError> =>
      Effect.gen(function*() {
        yield* runs.get(runId)
        yield* refresh(runId)
        const located = yield* query(sql<{ batch_seq: number }>`SELECT batch_seq FROM view_cases WHERE run_id = ${runId} AND case_index = ${index}`)
        const seq = located[0]?.batch_seq
        if (seq === undefined) return yield* new CaseNotFound({ runId, index })
        const values = Number(seq) === 0
          ? yield* query(Effect.map(sql<{ result: string }>`SELECT result FROM run_cases WHERE run_id = ${runId} AND case_index = ${index}`, (rows) =>
            rows.map((r) => JSON.parse(r.result) as unknown)))
          : yield* query(Effect.flatMap(sql<{ seq: number; batch: string | Uint8Array }>`SELECT seq, batch FROM run_batches WHERE seq = ${seq}`, (rows) =>
            rows[0] === undefined ? Effect.succeed([]) : batchEntries<unknown>(rows[0], "run_batches")))
        const results = yield* query(validate(values))
        const result = [...results].reverse().find((r) => r.index === index)
        if (result === undefined) return yield* new CaseNotFound({ runId, index })
        return { runId, status: caseStatus(result), result }
      })

    /** How far a run has come (the live endpoint polls this). */
    const progress = (runId: string): Effect.Effect<RunProgress, RunNotFound | StoreError> =>
      Effect.map(runs.get(runId), (info) => ({
        id: info.runId,
        status: info.status,
        finished: info.finishedCases,
        total: Math.max(info.caseCount ?? 0, info.finishedCases)
      }))

    return { list, summary, cases, case: kase, progress, refresh } as const
  }),
  dependencies: []
}) {}
