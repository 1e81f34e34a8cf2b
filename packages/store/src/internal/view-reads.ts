/**
 * The run viewer's reads of one run's cases: a page of cases (filtered, searched, sorted in SQL over the view
 * index, with their scores) and one case in full (its batch decoded, nothing else). Each first checks that the
 * run exists and brings its view index up to date.
 *
 * @example
 * ```ts
 * const page = yield* casePage(views, "20261123-214501-k3f9", { status: "failed", limit: 50 })
 * ```
 */
import type { SqlError } from "@effect/sql"
import { Effect, type ParseResult } from "effect"
import { batchEntries } from "./batch-codec.js"
import type { DatabaseApi } from "./database.js"
import { CaseNotFound, type RunNotFound, type StoreError } from "./errors.js"
import { readFailure, validateResults } from "./run-decode.js"
import type { RunStore } from "./run-store.js"
import { caseStatus } from "./view-index.js"
import type { CaseDetail, CasePage, CaseQuery, CaseRowView } from "./view-schema.js"
import { caseWhere, orderBy } from "./view-sql.js"

/**
 * What the viewer's reads share: the database, the run store, and the refresh of a run's view index.
 *
 * @example
 * ```ts
 * const views: ViewContext = { db, runs, refresh: (runId) => lock.withPermits(1)(indexing(runId)) }
 * ```
 */
export interface ViewContext {
  readonly db: DatabaseApi
  readonly runs: RunStore
  /** Bring a run's index up to date (one indexer at a time in this process). */
  readonly refresh: (runId: string) => Effect.Effect<void, StoreError>
}

/**
 * A read of the view tables, its failures as StoreErrors naming the database.
 *
 * @example
 * ```ts
 * yield* viewQuery(db, db.sql`SELECT 1`)
 * ```
 */
export const viewQuery = <A>(db: DatabaseApi, effect: Effect.Effect<A, SqlError.SqlError | ParseResult.ParseError>): Effect.Effect<A, StoreError> =>
  Effect.mapError(effect, readFailure(db.path))

/** A row of a case page as the query returns it. */
interface CaseRow {
  readonly case_index: number
  readonly name: string | null
  readonly status: CaseRowView["status"]
  readonly input: string
  readonly actual: string | null
  readonly cost: number
  readonly duration_ms: number
}

/** The scores of the cases at `indices`, by case index and metric name. */
const scoresOf = (db: DatabaseApi, runId: string, indices: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const { sql } = db
    const scores = indices.length === 0 ? [] : yield* viewQuery(db, sql<{ case_index: number; metric: string; score: number | null }>`
      SELECT case_index, metric, score FROM view_case_metrics WHERE run_id = ${runId} AND ${sql.in("case_index", indices)}`)
    const byCase = new Map<number, Record<string, number | null>>()
    for (const s of scores) {
      const known = byCase.get(Number(s.case_index)) ?? {}
      known[s.metric] = s.score
      byCase.set(Number(s.case_index), known)
    }
    return byCase
  })

/**
 * A page of a run's cases matching `q`.
 *
 * @example
 * ```ts
 * const page = yield* casePage(views, "r1", { q: "paris", sort: "score", metric: "bleu", limit: 50 })
 * ```
 */
export const casePage = (views: ViewContext, runId: string, q: CaseQuery): Effect.Effect<CasePage, RunNotFound | StoreError> =>
  Effect.gen(function*() {
    const { db } = views
    const { sql } = db
    yield* views.runs.get(runId)
    yield* views.refresh(runId)
    const offset = q.offset ?? 0
    const limit = q.limit ?? 50
    const join = q.metric === undefined
      ? sql``
      : sql`JOIN view_case_metrics m ON m.run_id = c.run_id AND m.case_index = c.case_index AND m.metric = ${q.metric}`
    const where = caseWhere(sql, runId, q)
    const total = yield* viewQuery(db, sql<{ n: number }>`SELECT COUNT(*) AS n FROM view_cases c ${join} WHERE ${where}`)
    const rows = yield* viewQuery(db, sql<CaseRow>`
      SELECT c.case_index, c.name, c.status, c.input, c.actual, c.cost, c.duration_ms FROM view_cases c ${join}
      WHERE ${where} ORDER BY ${orderBy(sql, q)} LIMIT ${limit} OFFSET ${offset}`)
    const byCase = yield* scoresOf(db, runId, rows.map((r) => Number(r.case_index)))
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

/** The stored values of the batch `seq` (0: the run's `run_cases` row of the case, from before batches). */
const batchValues = (db: DatabaseApi, runId: string, index: number, seq: number) =>
  Number(seq) === 0
    ? viewQuery(db, Effect.map(db.sql<{ result: string }>`SELECT result FROM run_cases WHERE run_id = ${runId} AND case_index = ${index}`, (rows) =>
      rows.map((r) => JSON.parse(r.result) as unknown)))
    : viewQuery(db, Effect.flatMap(db.sql<{ seq: number; batch: string | Uint8Array }>`SELECT seq, batch FROM run_batches WHERE seq = ${seq}`, (rows) =>
      rows[0] === undefined ? Effect.succeed([]) : batchEntries<unknown>(rows[0], "run_batches")))

/**
 * One case in full: only the batch that holds it is decoded (a case stored twice: its latest result).
 *
 * @example
 * ```ts
 * const detail = yield* caseDetail(views, "r1", 7)
 * ```
 */
export const caseDetail = (views: ViewContext, runId: string, index: number): Effect.Effect<CaseDetail, RunNotFound | CaseNotFound | StoreError> =>
  Effect.gen(function*() {
    const { db } = views
    yield* views.runs.get(runId)
    yield* views.refresh(runId)
    const located = yield* viewQuery(db, db.sql<{ batch_seq: number }>`SELECT batch_seq FROM view_cases WHERE run_id = ${runId} AND case_index = ${index}`)
    const seq = located[0]?.batch_seq
    if (seq === undefined) return yield* new CaseNotFound({ runId, index })
    const results = yield* viewQuery(db, validateResults(yield* batchValues(db, runId, index, seq)))
    const result = [...results].reverse().find((r) => r.index === index)
    if (result === undefined) return yield* new CaseNotFound({ runId, index })
    return { runId, status: caseStatus(result), result }
  })
