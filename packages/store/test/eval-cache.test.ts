import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { EvalCache, evaluate, LLMTestCase, Metric, MetricError } from "@assay/core"
import { Database, Maintenance, makeSqliteEvalCache, SqliteEvalCache, SqliteStore } from "@assay/store"
import { tempDb } from "./helpers.js"

const cases = Array.from({ length: 12 }, (_, i) =>
  LLMTestCase.make({ input: `q${i}`, actualOutput: `a${i % 3}`, expectedOutput: "a0", name: `case ${i}` }))

const exact = Metric.make({
  name: "exact",
  inline: true,
  measure: (c) => Effect.succeed({ score: c._tag === "LLMTestCase" && c.actualOutput === c.expectedOutput ? 1 : 0, reason: "compared" })
})
/** Errors on every odd case. */
const flaky = Metric.make({
  name: "flaky",
  measure: (c) =>
    Number(c._tag === "LLMTestCase" ? c.input.toString().slice(1) : 0) % 2 === 1
      ? Effect.fail(new MetricError({ metric: "flaky", message: "boom" }))
      : Effect.succeed({ score: 0.75, tokens: { input: 3, output: 4 }, verbose: ["step 1", "step 2"] })
})

const cacheRows = Effect.flatMap(Maintenance, (m) => Effect.map(m.stats, (s) => s.cacheRows))
const countCached = (result: { cases: ReadonlyArray<{ metrics: ReadonlyArray<{ cached: boolean }> }> }) =>
  result.cases.reduce((n, c) => n + c.metrics.filter((m) => m.cached).length, 0)

describe("SQLite EvalCache", () => {
  it.scoped("stores successes only, survives reopening, and serves a rerun from the cache", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      const run = evaluate(cases, [exact, flaky], { ignoreErrors: true, concurrency: 4 })
      const first = yield* Effect.provide(run, SqliteStore.layer({ path }))
      assert.strictEqual(countCached(first), 0)
      // 12 exact results + 6 flaky successes; the 6 flaky errors are never stored.
      assert.strictEqual(yield* Effect.provide(cacheRows, SqliteStore.layer({ path })), 18)

      const second = yield* Effect.provide(run, SqliteStore.layer({ path }))
      assert.strictEqual(countCached(second), 18)
      const errored = second.cases.flatMap((c) => c.metrics).filter((m) => m.error !== null)
      assert.strictEqual(errored.length, 6, "errors are measured again, not replayed")
      assert.isTrue(errored.every((m) => !m.cached))
      const strip = (r: typeof first) => r.cases.map((c) => c.metrics.map((m) => ({ ...m, durationMs: 0, cached: false })))
      assert.deepStrictEqual(strip(second), strip(first), "cached outcomes equal fresh ones (reason, tokens, verbose)")
    }))

  it.scoped("per-key queries (no preload) and lookupMany agree with the stored rows", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      const db = yield* Layer.build(Database.layer({ path }))
      yield* Effect.provide(evaluate(cases, [exact]), SqliteEvalCache.layer().pipe(Layer.provide(Layer.succeedContext(db))))
      const cache = yield* Effect.provide(makeSqliteEvalCache({ preloadLimit: 0 }), db)
      const rerun = yield* Effect.provide(evaluate(cases, [exact]), Layer.succeed(EvalCache, cache))
      assert.strictEqual(countCached(rerun), cases.length)
      const found = yield* cache.lookupMany(["missing", "also missing"])
      assert.isTrue(found.every(Option.isNone))
    }))

  it.scoped("staged rows are merged past the threshold and visible to another connection before any merge", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      const db = yield* Layer.build(Database.layer({ path }))
      const { sql } = yield* Effect.provide(Database, db)
      const count = (table: string) => Effect.map(sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)}`, (r) => Number(r[0]!.n))
      const writer = yield* Effect.provide(makeSqliteEvalCache({ mergeThreshold: 1_000 }), db)
      yield* writer.store([{ key: "k1", metric: "m", outcome: { score: 0.25 } }, { key: "k2", metric: "m", outcome: { score: 1 } }])
      assert.deepStrictEqual([yield* count("eval_cache_staging"), yield* count("eval_cache")], [2, 0], "staged, not merged yet")
      // Another process (another connection) sees the staged rows: preloaded, or merged before per-key reads.
      for (const preloadLimit of [10, 0]) {
        const other = yield* Effect.provide(makeSqliteEvalCache({ preloadLimit }), yield* Layer.build(Database.layer({ path })))
        assert.deepStrictEqual((yield* other.lookupMany(["k1", "k2", "k3"])).map(Option.map((o) => o.score)), [Option.some(0.25), Option.some(1), Option.none()])
      }
      assert.deepStrictEqual([yield* count("eval_cache_staging"), yield* count("eval_cache")], [0, 2], "merged by the per-key reader")
      const small = yield* Effect.provide(makeSqliteEvalCache({ mergeThreshold: 3 }), db)
      yield* small.store([{ key: "k1", metric: "m", outcome: { score: 0.5 } }, { key: "k4", metric: "m", outcome: { score: 0 } }])
      assert.strictEqual(yield* count("eval_cache_staging"), 2)
      yield* small.store([{ key: "k5", metric: "m", outcome: { score: 0 } }])
      assert.deepStrictEqual([yield* count("eval_cache_staging"), yield* count("eval_cache")], [0, 4], "threshold reached: merged, newest k1 wins")
      const [k1] = yield* sql<{ score: number }>`SELECT score FROM eval_cache WHERE cache_key = 'k1'`
      assert.strictEqual(k1!.score, 0.5)
    }))

  it.scoped("a run without an EvalCache writes nothing", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      // The database is open (run store, maintenance) but no EvalCache is provided to the run.
      const layer = Maintenance.Default.pipe(Layer.provide(Database.layer({ path })))
      const result = yield* Effect.provide(Effect.zipLeft(evaluate(cases, [exact]), cacheRows), layer)
      assert.strictEqual(result.cases.length, cases.length)
      assert.strictEqual(yield* Effect.provide(cacheRows, layer), 0)
      // Control: the same run with the cache provided does write.
      yield* Effect.provide(evaluate(cases, [exact]), SqliteStore.layer({ path }))
      assert.strictEqual(yield* Effect.provide(cacheRows, layer), cases.length)
    }))

  it.scoped("store refuses a non-successful outcome (an engine bug) as a defect", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      const cache = yield* Effect.provide(makeSqliteEvalCache(), yield* Layer.build(Database.layer({ path })))
      const exit = yield* Effect.exit(cache.store([{ key: "k", metric: "m", outcome: { score: Number.NaN } }]))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      yield* cache.store([{ key: "k", metric: "m", outcome: { score: 1 } }])
      assert.deepStrictEqual(Option.map(yield* cache.lookup("k"), (o) => o.score), Option.some(1))
    }))
})
