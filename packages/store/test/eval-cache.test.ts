import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { type CachedOutcomes, EvalCache, evaluate, LLMTestCase, Metric, MetricError } from "@assay/core"
import { afterAll } from "vitest"
import { Database, Maintenance, makeSqliteEvalCache, SqliteEvalCache } from "@assay/store"
import { backends } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

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

describe.each(backends)("EvalCache on $name", (backend) => {
  it.scoped("stores successes only, survives reopening, and serves a rerun from the cache", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const run = evaluate(cases, [exact, flaky], { ignoreErrors: true, concurrency: 4 })
      const first = yield* Effect.provide(run, at.store())
      assert.strictEqual(countCached(first), 0)
      // 12 exact results + 6 flaky successes; the 6 flaky errors are never stored.
      assert.strictEqual(yield* Effect.provide(cacheRows, at.store()), 18)

      const second = yield* Effect.provide(run, at.store())
      assert.strictEqual(countCached(second), 18)
      const errored = second.cases.flatMap((c) => c.metrics).filter((m) => m.error !== null)
      assert.strictEqual(errored.length, 6, "errors are measured again, not replayed")
      assert.isTrue(errored.every((m) => !m.cached))
      const strip = (r: typeof first) => r.cases.map((c) => c.metrics.map((m) => ({ ...m, durationMs: 0, cached: false })))
      assert.deepStrictEqual(strip(second), strip(first), "cached outcomes equal fresh ones (reason, tokens, verbose)")
    }))

  it.scoped("a second run on the same layer is served from what the first one stored", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const layer = yield* Layer.build(at.store())
      const run = Effect.provide(evaluate(cases, [exact], { concurrency: 4 }), layer)
      assert.strictEqual(countCached(yield* run), 0)
      assert.strictEqual(countCached(yield* run), cases.length)
    }))

  it.scoped("a fresh layer answers lookupMany from what earlier runs stored", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const db = yield* Layer.build(at.database)
      yield* Effect.provide(evaluate(cases, [exact]), SqliteEvalCache.layer().pipe(Layer.provide(Layer.succeedContext(db))))
      const cache = yield* Effect.provide(makeSqliteEvalCache(), db)
      const rerun = yield* Effect.provide(evaluate(cases, [exact]), Layer.succeed(EvalCache, cache))
      assert.strictEqual(countCached(rerun), cases.length)
      yield* cache.beginRun
      assert.deepStrictEqual(yield* cache.lookupMany(["missing", "also missing"], ["t"]), [undefined, undefined])
    }))

  it.scoped("a run sees the batches logged before it began (by any process); the log is compacted into the table", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const db = yield* Layer.build(at.database)
      const { sql } = yield* Effect.provide(Database, db)
      const count = (table: string) => Effect.map(sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)}`, (r) => Number(r[0]!.n))
      const tags = [{ tag: "t", name: "m" }, { tag: "u", name: "other" }]
      const both = ["t", "u"]
      const scoreOf = (found: ReadonlyArray<CachedOutcomes | undefined>, tag: string) => found.map((o) => o?.[tag]?.score)
      const writer = yield* Effect.provide(makeSqliteEvalCache(), db)
      yield* writer.store([{ caseKey: "k1", outcomes: { t: { score: 0.25 } } }, { caseKey: "k2", outcomes: { t: { score: 1 } } }], tags)
      assert.deepStrictEqual([yield* count("eval_cache_batches"), yield* count("eval_cache")], [1, 0], "logged, not merged")

      // Another process (another connection) reads the log when its run begins.
      const other = yield* Effect.provide(makeSqliteEvalCache(), yield* Layer.build(at.database))
      yield* other.beginRun
      assert.deepStrictEqual(scoreOf(yield* other.lookupMany(["k1", "k2", "k3"], ["t"]), "t"), [0.25, 1, undefined])

      // A newer outcome of one metric replaces the older one whole; other metrics of the case stay.
      yield* writer.store([{ caseKey: "k1", outcomes: { t: { score: 0.5, reason: "newer", tokens: { input: 3, output: 4 } } } }], tags)
      yield* writer.store([{ caseKey: "k1", outcomes: { u: { score: 0.75, verbose: ["step"] } } }], tags)
      yield* writer.beginRun
      assert.deepStrictEqual((yield* writer.lookupMany(["k1"], both))[0], {
        t: { score: 0.5, reason: "newer", tokens: { input: 3, output: 4 } },
        u: { score: 0.75, verbose: ["step"] }
      })
      yield* writer.store([{ caseKey: "k1", outcomes: { t: { score: 0.1 } } }], tags)
      yield* writer.beginRun
      const expected = { t: { score: 0.1 }, u: { score: 0.75, verbose: ["step"] } }
      assert.deepStrictEqual((yield* writer.lookupMany(["k1"], both))[0], expected, "no stale reason or tokens")

      // Past `compactAt`, a beginning run merges the log into the keyed table, with the same result.
      const compacting = yield* Effect.provide(makeSqliteEvalCache({ compactAt: 3 }), db)
      yield* compacting.beginRun
      assert.deepStrictEqual([yield* count("eval_cache_batches"), yield* count("eval_cache")], [0, 2], "compacted")
      assert.deepStrictEqual((yield* compacting.lookupMany(["k1", "k2"], both)), [expected, { t: { score: 1 } }])
      // A layer that had indexed the log still answers, now partly from the table.
      yield* other.beginRun
      assert.deepStrictEqual((yield* other.lookupMany(["k1"], both))[0], expected)
      const named = yield* sql<{ name: string }>`SELECT name FROM eval_cache_metrics ORDER BY name`
      assert.deepStrictEqual(named.map((r) => r.name), ["m", "other"])
    }))

  it.scoped("two connections appending at once lose nothing, and a third sees every batch", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const open = Effect.flatMap(Layer.build(at.database), (db) => Effect.provide(makeSqliteEvalCache(), db))
      const [a, b, reader] = [yield* open, yield* open, yield* open]
      const tags = [{ tag: "t", name: "m" }]
      const writes = (cache: typeof a, prefix: string) =>
        Effect.forEach(Array.from({ length: 20 }, (_, i) => i), (i) =>
          cache.store([{ caseKey: `${prefix}${i}`, outcomes: { t: { score: i / 20 } } }], tags))
      yield* Effect.all([writes(a, "a"), writes(b, "b")], { concurrency: 2 })
      yield* reader.beginRun
      const keys = ["a", "b"].flatMap((p) => Array.from({ length: 20 }, (_, i) => `${p}${i}`))
      const found = yield* reader.lookupMany(keys, ["t"])
      assert.deepStrictEqual(found.map((o) => o?.t?.score), keys.map((k) => Number(k.slice(1)) / 20))
    }))

  it.scoped("a run without an EvalCache writes nothing", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      // The database is open (run store, maintenance) but no EvalCache is provided to the run.
      const layer = Maintenance.Default.pipe(Layer.provide(at.database))
      const result = yield* Effect.provide(Effect.zipLeft(evaluate(cases, [exact]), cacheRows), layer)
      assert.strictEqual(result.cases.length, cases.length)
      assert.strictEqual(yield* Effect.provide(cacheRows, layer), 0)
      // Control: the same run with the cache provided does write.
      yield* Effect.provide(evaluate(cases, [exact]), at.store())
      assert.strictEqual(yield* Effect.provide(cacheRows, layer), cases.length)
    }))
})
