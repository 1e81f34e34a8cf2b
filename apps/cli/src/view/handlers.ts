/**
 * The viewer API's handlers over @assay/store's RunViews (paged, indexed reads) and RunStore's streamed results
 * (a comparison drains the first run into a compact map and streams the second: neither is loaded whole).
 * Store failures become the API's errors here: a missing run or case a 404 naming it, anything else a 500
 * whose message names the database (never a secret: a Postgres URL shows without credentials).
 *
 * @example
 * ```ts
 * HttpLayerRouter.addHttpApi(ViewerApi).pipe(Layer.provide(ViewerHandlers))
 * ```
 */
import { HttpApiBuilder } from "@effect/platform"
import { type CaseNotFound, compareStreams, type RunComparison, type RunNotFound, RunStore, RunViews, type StoreError } from "@assay/store"
import { Effect } from "effect"
import { type ComparePage, type CompareQuery, NotFound, StoreFailed, ViewerApi } from "./api.js"

const toApiError = (e: RunNotFound | CaseNotFound | StoreError): NotFound | StoreFailed =>
  e._tag === "StoreError" ? new StoreFailed({ message: e.message }) : new NotFound({ message: e.message })

/**
 * One page of each section of a comparison (only of `q.section` when given), with every metric's statistics.
 *
 * @example
 * ```ts
 * comparePage(diff, { section: "regressed", offset: 100, limit: 100 }).regressed.items
 * ```
 */
export const comparePage = (diff: RunComparison, q: CompareQuery): ComparePage => {
  const offset = q.offset ?? 0
  const limit = q.limit ?? 100
  const page = <A>(name: NonNullable<CompareQuery["section"]>, items: ReadonlyArray<A>) => {
    const shown = q.section === undefined || q.section === name
    return { total: items.length, offset: shown ? offset : 0, items: shown ? items.slice(offset, offset + limit) : [] }
  }
  return {
    before: diff.before,
    after: diff.after,
    unchanged: diff.unchanged,
    regressed: page("regressed", diff.regressed),
    improved: page("improved", diff.improved),
    changed: page("changed", diff.changed),
    onlyBefore: page("onlyBefore", diff.onlyBefore),
    onlyAfter: page("onlyAfter", diff.onlyAfter),
    metrics: diff.metrics,
    adjustment: diff.adjustment
  }
}

/**
 * The handlers of {@link ViewerApi}; needs RunViews and RunStore.
 *
 * @example
 * ```ts
 * ViewerHandlers.pipe(Layer.provide(RunViews.Default))
 * ```
 */
export const ViewerHandlers = HttpApiBuilder.group(ViewerApi, "runs", (handlers) =>
  Effect.gen(function*() {
    const views = yield* RunViews
    const runs = yield* RunStore
    return handlers
      .handle("list", () => Effect.mapError(views.list(), (e) => new StoreFailed({ message: e.message })))
      .handle("summary", ({ path }) => Effect.mapError(views.summary(path.id), toApiError))
      .handle("cases", ({ path, urlParams }) => Effect.mapError(views.cases(path.id, urlParams), toApiError))
      .handle("case", ({ path }) => Effect.mapError(views.case(path.id, path.index), toApiError))
      .handle("compare", ({ path, urlParams }) =>
        Effect.gen(function*() {
          const a = yield* runs.get(path.a)
          const b = yield* runs.get(path.b)
          return yield* compareStreams({ id: a.runId, results: runs.stream(a.runId) }, { id: b.runId, results: runs.stream(b.runId) })
        }).pipe(Effect.map((diff) => comparePage(diff, urlParams)), Effect.mapError(toApiError)))
  }))
