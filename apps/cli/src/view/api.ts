/**
 * The viewer's JSON API as an @effect/platform HttpApi: every path, parameter, result and error is a Schema,
 * so requests are decoded (a bad parameter is a 400 naming it) and results encoded by the same definitions
 * the browser code imports the types of.
 *
 * | method | path | result |
 * | --- | --- | --- |
 * | GET | /api/runs | runs, newest first |
 * | GET | /api/runs/:id | summary and per-metric statistics |
 * | GET | /api/runs/:id/cases?status&metric&metricStatus&minScore&maxScore&q&sort&order&offset&limit | a page of cases |
 * | GET | /api/runs/:id/cases/:index | one case in full |
 * | GET | /api/compare/:a/:b?section&offset&limit | the comparison: per-metric statistics, a page of each section |
 *
 * @example
 * ```ts
 * import { ViewerApi } from "./api.js"
 * HttpLayerRouter.addHttpApi(ViewerApi)
 * ```
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
import { CaseDetail, CasePage, CaseQuery, RunRowView, RunSummaryView } from "@assay/store"
import { Schema } from "effect"

/**
 * A run or case that is not stored (404).
 *
 * @example
 * ```ts
 * new NotFound({ message: "no run r1 in assay.db" })
 * ```
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { message: Schema.String }, HttpApiSchema.annotations({ status: 404 })) {}

/**
 * The store could not be read (500); the message names the database, never a secret.
 *
 * @example
 * ```ts
 * new StoreFailed({ message: "cache database a.db: database is locked" })
 * ```
 */
export class StoreFailed extends Schema.TaggedError<StoreFailed>()("StoreFailed", { message: Schema.String }, HttpApiSchema.annotations({ status: 500 })) {}

const MetricDelta = Schema.Struct({
  name: Schema.String,
  before: Schema.NullOr(Schema.Number),
  after: Schema.NullOr(Schema.Number),
  delta: Schema.NullOr(Schema.Number)
})
const CaseChange = Schema.Struct({
  index: Schema.Number,
  name: Schema.NullOr(Schema.String),
  before: Schema.Boolean,
  after: Schema.Boolean,
  metrics: Schema.Array(MetricDelta)
})
const CaseRef = Schema.Struct({ index: Schema.Number, name: Schema.NullOr(Schema.String) })

/**
 * One metric compared over the cases both runs share (@assay/store's `MetricComparison`): both means, the
 * mean paired difference with its seeded bootstrap 95 % interval, the pass↔fail flips with McNemar's exact p
 * and the Holm-adjusted p across the compared metrics.
 *
 * @example
 * ```ts
 * const m: MetricComparisonView = page.metrics[0]!; m.adjustedP < 0.05 && m.passToFail > m.failToPass
 * ```
 */
export const MetricComparisonView = Schema.Struct({
  name: Schema.String,
  paired: Schema.Number,
  meanBefore: Schema.NullOr(Schema.Number),
  meanAfter: Schema.NullOr(Schema.Number),
  meanDiff: Schema.NullOr(Schema.Number),
  diffCI: Schema.NullOr(Schema.Struct({ low: Schema.Number, high: Schema.Number })),
  verdicts: Schema.Number,
  passRateBefore: Schema.NullOr(Schema.Number),
  passRateAfter: Schema.NullOr(Schema.Number),
  passToFail: Schema.Number,
  failToPass: Schema.Number,
  pValue: Schema.Number,
  adjustedP: Schema.Number
})
export type MetricComparisonView = typeof MetricComparisonView.Type

/**
 * The sections of a comparison, in the order the viewer shows them.
 *
 * @example
 * ```ts
 * const s: CompareSection = "regressed"
 * ```
 */
export const CompareSection = Schema.Literal("regressed", "improved", "changed", "onlyBefore", "onlyAfter")
export type CompareSection = typeof CompareSection.Type

const Paged = <A, I>(item: Schema.Schema<A, I>) => Schema.Struct({ total: Schema.Number, offset: Schema.Number, items: Schema.Array(item) })

/**
 * A page of a comparison: every section's total and one page of its cases (of one section only when the
 * query names it), and the per-metric statistics.
 *
 * @example
 * ```ts
 * page.regressed.total
 * ```
 */
export const ComparePage = Schema.Struct({
  before: Schema.NullOr(Schema.String),
  after: Schema.NullOr(Schema.String),
  unchanged: Schema.Number,
  regressed: Paged(CaseChange),
  improved: Paged(CaseChange),
  changed: Paged(CaseChange),
  onlyBefore: Paged(CaseRef),
  onlyAfter: Paged(CaseRef),
  /** Per-metric paired statistics over the matched cases, in order of first appearance. */
  metrics: Schema.Array(MetricComparisonView),
  /** How `adjustedP` corrects for comparing several metrics. */
  adjustment: Schema.Literal("holm")
})
export type ComparePage = typeof ComparePage.Type

const Count = (max: number) => Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, max))

/**
 * The query of a comparison page.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(CompareQuery)({ section: "regressed", offset: "100" })
 * ```
 */
export const CompareQuery = Schema.Struct({
  section: Schema.optional(CompareSection),
  offset: Schema.optional(Count(1_000_000_000)),
  limit: Schema.optional(Count(1000))
})
export type CompareQuery = typeof CompareQuery.Type

const RunId = Schema.Struct({ id: Schema.String })

const runs = HttpApiGroup.make("runs")
  .add(HttpApiEndpoint.get("list", "/runs").addSuccess(Schema.Array(RunRowView)))
  .add(HttpApiEndpoint.get("summary", "/runs/:id").setPath(RunId).addSuccess(RunSummaryView).addError(NotFound))
  .add(HttpApiEndpoint.get("cases", "/runs/:id/cases").setPath(RunId).setUrlParams(CaseQuery).addSuccess(CasePage).addError(NotFound))
  .add(
    HttpApiEndpoint.get("case", "/runs/:id/cases/:index")
      .setPath(Schema.Struct({ id: Schema.String, index: Count(1_000_000_000) }))
      .addSuccess(CaseDetail)
      .addError(NotFound)
  )
  .add(
    HttpApiEndpoint.get("compare", "/compare/:a/:b")
      .setPath(Schema.Struct({ a: Schema.String, b: Schema.String }))
      .setUrlParams(CompareQuery)
      .addSuccess(ComparePage)
      .addError(NotFound)
  )
  .addError(StoreFailed)

/**
 * The viewer's API, under `/api`.
 *
 * @example
 * ```ts
 * HttpApiBuilder.group(ViewerApi, "runs", (handlers) => handlers.handle("list", () => views.list()))
 * ```
 */
export class ViewerApi extends HttpApi.make("viewer").add(runs).prefix("/api") {}
