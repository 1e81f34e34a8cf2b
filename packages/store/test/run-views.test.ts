import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { evaluate, LLMTestCase, Metric } from "@assay/core"
import { RunStore, RunViews } from "@assay/store"
import { afterAll } from "vitest"
import { backends } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

const exact = Metric.make({
  name: "exact",
  inline: true,
  measure: (c) => Effect.succeed({ score: c._tag === "LLMTestCase" && c.actualOutput === c.expectedOutput ? 1 : 0 })
})
const length = Metric.make({
  name: "length",
  inline: true,
  threshold: 0.5,
  measure: (c) => Effect.succeed({ score: c._tag === "LLMTestCase" ? Math.min(1, String(c.actualOutput).length / 10) : 0 })
})
/** 120 cases; every third fails `exact`; case 5 carries a searchable word and LIKE metacharacters. */
const cases = Array.from({ length: 120 }, (_, i) =>
  LLMTestCase.make({
    name: `case-${i}`,
    input: i === 5 ? "Where is Zanzibar? 100%_sure" : `question ${i}`,
    actualOutput: `answer ${i}`,
    expectedOutput: i % 3 === 0 ? "something else" : `answer ${i}`
  }))

describe.each(backends)("the run viewer's reads on $name", (backend) => {
  it.scoped("pages, filters, searches, sorts and counts a run in SQL, and follows batches as they arrive", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(RunViews.Default.pipe(Layer.provideMerge(at.store())))
      yield* Effect.gen(function*() {
        const runs = yield* RunStore
        const views = yield* RunViews
        const reference = yield* evaluate(cases, [exact, length])
        const run = yield* runs.start({ identifier: "nightly", datasetFingerprint: "d", metricsFingerprint: "m", caseCount: 120 })
        yield* runs.sinkMany(run.runId)(reference.cases.slice(0, 60))

        const early = yield* views.cases(run.runId, {})
        assert.strictEqual(early.total, 60, "only the stored cases are indexed")
        yield* runs.sinkMany(run.runId)(reference.cases.slice(60))
        const page = yield* views.cases(run.runId, { limit: 10, offset: 20 })
        assert.strictEqual(page.total, 120, "the second batch was indexed on the next read")
        assert.deepStrictEqual(page.items.map((c) => c.index), [20, 21, 22, 23, 24, 25, 26, 27, 28, 29])
        assert.deepStrictEqual(page.items[2]!.scores, { exact: 1, length: 0.9 })
        assert.deepStrictEqual(page.items[1]!.scores, { exact: 0, length: 0.9 })
        assert.strictEqual(page.items[1]!.input, "question 21")

        const failed = yield* views.cases(run.runId, { status: "failed", limit: 500 })
        assert.strictEqual(failed.total, 40)
        assert.isTrue(failed.items.every((c) => c.index % 3 === 0 && c.status === "failed"))

        const found = yield* views.cases(run.runId, { q: "zanZIBAR" })
        assert.deepStrictEqual(found.items.map((c) => c.index), [5], "search is case-insensitive")
        const literal = yield* views.cases(run.runId, { q: "0%_s" })
        assert.deepStrictEqual(literal.items.map((c) => c.index), [5], "% and _ are searched literally")
        assert.strictEqual((yield* views.cases(run.runId, { q: "%" })).total, 1)

        const byScore = yield* views.cases(run.runId, { metric: "length", sort: "score", order: "asc", limit: 3 })
        assert.deepStrictEqual(byScore.items.map((c) => c.index), [0, 1, 2], "ties sort by index")
        const low = yield* views.cases(run.runId, { metric: "exact", metricStatus: "failed" })
        assert.strictEqual(low.total, 40)
        const range = yield* views.cases(run.runId, { metric: "length", minScore: 0.95, maxScore: 1 })
        assert.strictEqual(range.total, 20, "scores of at least 0.95: answers of 10 characters, cases 100 to 119")
        const named = yield* views.cases(run.runId, { sort: "name", order: "desc", limit: 1 })
        assert.strictEqual(named.items[0]!.name, "case-99")

        const summary = yield* views.summary(run.runId)
        assert.include(summary.run, { id: run.runId, identifier: "nightly", total: 120, finished: 120, passed: 80, failed: 40, errored: 0 })
        const exactStats = summary.metrics.find((m) => m.name === "exact")!
        assert.include(exactStats, { count: 120, passed: 80, failed: 40, mean: 80 / 120, min: 0, max: 1 })
        assert.deepStrictEqual(exactStats.histogram, [40, 0, 0, 0, 0, 0, 0, 0, 0, 80])

        const detail = yield* views.case(run.runId, 5)
        assert.strictEqual(detail.result.testCase?.input, "Where is Zanzibar? 100%_sure")
        assert.strictEqual(detail.status, "passed")
        const changed = { ...reference.cases[7]!, success: false, name: "case-7 again" }
        yield* runs.sinkMany(run.runId)([changed])
        assert.strictEqual((yield* views.case(run.runId, 7)).result.name, "case-7 again", "a case stored again reads as its latest")
        assert.strictEqual((yield* views.cases(run.runId, {})).total, 120)

        const missing = yield* Effect.exit(views.case(run.runId, 999))
        assert.isTrue(Exit.isFailure(missing))
        const unknown = yield* Effect.flip(views.summary("no-such-run"))
        assert.strictEqual(unknown._tag, "RunNotFound")

        const list = yield* views.list()
        assert.deepStrictEqual(list.map((r) => r.id), [run.runId])
        assert.strictEqual(list[0]!.passRate, 79 / 120, "case 7 now fails")
      }).pipe(Effect.provide(context))
    }), 120_000)
})
