/**
 * SQL pieces of the viewer's case queries (the WHERE and ORDER BY of a case page) and the folding of grouped
 * counts into totals and per-metric statistics. Standard SQL: the same on SQLite and Postgres.
 *
 * @example
 * ```ts
 * sql`SELECT c.case_index FROM view_cases c WHERE ${caseWhere(sql, runId, q)} ORDER BY ${orderBy(sql, q)}`
 * ```
 */
import type { SqlClient, Statement } from "@effect/sql"
import type { CaseQuery, MetricStats } from "./view-schema.js"

/**
 * `%`, `_` and `\` taken literally in a LIKE pattern (with `ESCAPE '\'`).
 *
 * @example
 * ```ts
 * likeLiteral("50%_off") // "50\\%\\_off"
 * ```
 */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * The WHERE clause of a case page (`view_cases c`, joined with `view_case_metrics m` when `q.metric` is set).
 *
 * @example
 * ```ts
 * caseWhere(sql, "r1", { status: "failed,errored", q: "paris" })
 * ```
 */
export const caseWhere = (sql: SqlClient.SqlClient, runId: string, q: CaseQuery) => {
  const clauses: Array<Statement.Fragment> = [sql`c.run_id = ${runId}`]
  if (q.status !== undefined) clauses.push(sql.in("c.status", q.status.split(",")))
  const text = q.q?.trim().toLowerCase() ?? ""
  if (text !== "") clauses.push(sql`c.search LIKE ${`%${likeLiteral(text)}%`} ESCAPE '\\'`)
  if (q.metric !== undefined) {
    if (q.metricStatus !== undefined) clauses.push(sql`m.outcome = ${q.metricStatus}`)
    if (q.minScore !== undefined) clauses.push(sql`m.score >= ${q.minScore}`)
    if (q.maxScore !== undefined) clauses.push(sql`m.score <= ${q.maxScore}`)
  }
  return sql.and(clauses)
}

const COLUMNS = {
  index: "c.case_index",
  name: "c.name",
  status: "c.status",
  cost: "c.cost",
  duration: "c.duration_ms",
  score: "m.score"
} as const

/**
 * The ORDER BY of a case page: the chosen column (nulls last in either order, on both databases), then the
 * case index. Sorting by score without a metric sorts by index.
 *
 * @example
 * ```ts
 * orderBy(sql, { sort: "score", metric: "bleu", order: "desc" })
 * ```
 */
export const orderBy = (sql: SqlClient.SqlClient, q: CaseQuery) => {
  const sort = q.sort === "score" && q.metric === undefined ? "index" : q.sort ?? "index"
  const column = COLUMNS[sort]
  const direction = q.order === "desc" ? "DESC" : "ASC"
  return sort === "index"
    ? sql.literal(`c.case_index ${direction}`)
    : sql.literal(`(${column} IS NULL), ${column} ${direction}, c.case_index ASC`)
}

/**
 * A row of a run's cases counted by status.
 *
 * @example
 * ```ts
 * const row: StatusCount = { status: "passed", n: 3, cost: 0.01 }
 * ```
 */
export interface StatusCount {
  readonly status: string
  readonly n: number
  readonly cost: number
}

/**
 * Totals from counts by status.
 *
 * @example
 * ```ts
 * summing([{ status: "passed", n: 2, cost: 0 }]).passed // 2
 * ```
 */
export const summing = (rows: ReadonlyArray<StatusCount>) => {
  const t = { passed: 0, failed: 0, errored: 0, skipped: 0, finished: 0, cost: 0 }
  for (const r of rows) {
    const n = Number(r.n)
    if (r.status === "passed" || r.status === "failed" || r.status === "errored" || r.status === "skipped") t[r.status] += n
    t.finished += n
    t.cost += Number(r.cost)
  }
  return t
}

interface OutcomeRow {
  readonly metric: string
  readonly outcome: string
  readonly n: number
  readonly total: number | null
  readonly low: number | null
  readonly high: number | null
}

/**
 * Per-metric statistics from counts grouped by metric and outcome, and histogram counts by bucket. Mean, min
 * and max are over the scored results (passed and failed).
 *
 * @example
 * ```ts
 * statsOf(outcomes, buckets)[0]?.histogram
 * ```
 */
export const statsOf = (
  outcomes: ReadonlyArray<OutcomeRow>,
  buckets: ReadonlyArray<{ readonly metric: string; readonly bucket: number; readonly n: number }>
): ReadonlyArray<MetricStats> => {
  const byName = new Map<string, { -readonly [K in keyof MetricStats]: MetricStats[K] } & { sum: number; scored: number; histogram: Array<number> }>()
  for (const r of outcomes) {
    const s = byName.get(r.metric) ?? {
      name: r.metric, count: 0, passed: 0, failed: 0, errored: 0, skipped: 0, mean: null, min: null, max: null, passRate: null,
      histogram: Array.from({ length: 10 }, () => 0), sum: 0, scored: 0
    }
    const n = Number(r.n)
    s.count += n
    if (r.outcome === "passed" || r.outcome === "failed" || r.outcome === "errored" || r.outcome === "skipped") s[r.outcome] += n
    if ((r.outcome === "passed" || r.outcome === "failed") && r.total !== null) {
      s.sum += Number(r.total)
      s.scored += n
      s.min = s.min === null ? Number(r.low) : Math.min(s.min, Number(r.low))
      s.max = s.max === null ? Number(r.high) : Math.max(s.max, Number(r.high))
    }
    byName.set(r.metric, s)
  }
  for (const b of buckets) {
    const s = byName.get(b.metric)
    if (s !== undefined) s.histogram[Number(b.bucket)] = (s.histogram[Number(b.bucket)] ?? 0) + Number(b.n)
  }
  return [...byName.values()].map(({ scored, sum, ...s }) => {
    const judged = s.passed + s.failed + s.errored
    return { ...s, mean: scored === 0 ? null : sum / scored, passRate: judged === 0 ? null : s.passed / judged }
  })
}
