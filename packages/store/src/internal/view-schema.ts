/**
 * What the run viewer reads from the store (`assay view`'s JSON API and the `--html` page): a run's row in
 * the runs list, its summary with per-metric statistics, a page of its cases, one case in full, and the query
 * a case page answers. Schemas, so the server encodes exactly these shapes and the browser code imports their
 * types.
 *
 * @example
 * ```ts
 * import { CaseQuery } from "@assay/store"
 * Schema.decodeUnknownSync(CaseQuery)({ status: "failed", limit: "50" })
 * ```
 */
import { CaseResult, MetricSummary } from "@assay/core"
import { Schema, Struct } from "effect"
import { RunStatus } from "./run-info.js"

/**
 * A case's status in the viewer: skipped, errored (its task failed), passed or failed.
 *
 * @example
 * ```ts
 * const s: CaseStatus = "failed"
 * ```
 */
export const CaseStatus = Schema.Literal("passed", "failed", "errored", "skipped")
export type CaseStatus = typeof CaseStatus.Type

/**
 * A run as the runs list shows it. Counts come from the view index (see `view-index.ts`).
 *
 * @example
 * ```ts
 * const row: RunRowView = { id: "r1", identifier: null, startedAt: 0, status: "completed", total: 3, finished: 3, passed: 2, failed: 1, errored: 0, skipped: 0, passRate: 2 / 3, cost: 0, durationMs: 12 }
 * ```
 */
export const RunRowView = Schema.Struct({
  id: Schema.String,
  identifier: Schema.NullOr(Schema.String),
  startedAt: Schema.Number,
  status: RunStatus,
  /** Cases in the dataset (the stored count when known, else the finished cases). */
  total: Schema.Number,
  finished: Schema.Number,
  passed: Schema.Number,
  failed: Schema.Number,
  errored: Schema.Number,
  skipped: Schema.Number,
  /** passed ÷ (passed + failed + errored); null when nothing was scored. */
  passRate: Schema.NullOr(Schema.Number),
  cost: Schema.Number,
  /** Finished runs: finish − start; running ones: until now. */
  durationMs: Schema.Number
})
export type RunRowView = typeof RunRowView.Type

/**
 * One metric over a run: counts, score statistics and a ten-bucket histogram of scores on [0, 1]
 * (scores below 0 count in the first bucket, 1 and above in the last).
 *
 * @example
 * ```ts
 * stats.histogram.length // 10
 * ```
 */
export const MetricStats = Schema.Struct({
  ...Struct.omit(MetricSummary.fields, "meanCI", "passRateCI"),
  failed: Schema.Number,
  histogram: Schema.Array(Schema.Number)
})
export type MetricStats = typeof MetricStats.Type

/**
 * A run's page header: its row, per-metric statistics and where it stands.
 *
 * @example
 * ```ts
 * summary.metrics.map((m) => m.name)
 * ```
 */
export const RunSummaryView = Schema.Struct({
  run: RunRowView,
  metrics: Schema.Array(MetricStats),
  /** The run options, hyperparameters and (secret-free) settings it recorded. */
  options: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  hyperparameters: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})
export type RunSummaryView = typeof RunSummaryView.Type

/**
 * One row of the case table: previews of the input and the actual output (the first few hundred characters)
 * and every metric's score.
 *
 * @example
 * ```ts
 * row.scores["exact-match"] // 1
 * ```
 */
export const CaseRowView = Schema.Struct({
  index: Schema.Number,
  name: Schema.NullOr(Schema.String),
  status: CaseStatus,
  input: Schema.String,
  actual: Schema.NullOr(Schema.String),
  cost: Schema.Number,
  durationMs: Schema.Number,
  scores: Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.Number) })
})
export type CaseRowView = typeof CaseRowView.Type

/**
 * A page of cases: the rows and how many cases match the query in all.
 *
 * @example
 * ```ts
 * page.total // 100000
 * ```
 */
export const CasePage = Schema.Struct({
  total: Schema.Number,
  offset: Schema.Number,
  items: Schema.Array(CaseRowView)
})
export type CasePage = typeof CasePage.Type

/**
 * Columns the case table sorts by (`score` needs `metric`).
 *
 * @example
 * ```ts
 * const by: CaseSort = "score"
 * ```
 */
export const CaseSort = Schema.Literal("index", "name", "status", "score", "cost", "duration")
export type CaseSort = typeof CaseSort.Type

const Count = (max: number) => Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, max))
const Score = Schema.NumberFromString.pipe(Schema.finite())

/**
 * The query of a case page, as URL search parameters: `status` (comma-separated statuses), `metric` with
 * `metricStatus` and a score range `minScore`/`maxScore` (on that metric), `q` (text searched in the name,
 * input, actual and expected output), `sort` and `order`, `offset` and `limit` (at most 500).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(CaseQuery)({ q: "paris", sort: "score", metric: "bleu", order: "desc" })
 * ```
 */
export const CaseQuery = Schema.Struct({
  status: Schema.optional(Schema.String.pipe(Schema.pattern(/^(passed|failed|errored|skipped)(,(passed|failed|errored|skipped))*$/, {
    message: () => "status: expected passed, failed, errored or skipped (comma-separated)"
  }))),
  metric: Schema.optional(Schema.String),
  metricStatus: Schema.optional(CaseStatus),
  minScore: Schema.optional(Score),
  maxScore: Schema.optional(Score),
  q: Schema.optional(Schema.String),
  sort: Schema.optional(CaseSort),
  order: Schema.optional(Schema.Literal("asc", "desc")),
  offset: Schema.optional(Count(1_000_000_000)),
  limit: Schema.optional(Count(500))
})
export type CaseQuery = typeof CaseQuery.Type

/**
 * One case in full: the stored result (test case, every metric's score, threshold, reason, error, verbose
 * steps, cost), with the run it belongs to.
 *
 * @example
 * ```ts
 * detail.result.metrics[0]?.reason
 * ```
 */
export const CaseDetail = Schema.Struct({
  runId: Schema.String,
  status: CaseStatus,
  result: CaseResult
})
export type CaseDetail = typeof CaseDetail.Type

/**
 * A running run's progress, as the live endpoint sends it.
 *
 * @example
 * ```ts
 * progress.finished / progress.total
 * ```
 */
export const RunProgress = Schema.Struct({
  id: Schema.String,
  status: RunStatus,
  finished: Schema.Number,
  total: Schema.Number
})
export type RunProgress = typeof RunProgress.Type
