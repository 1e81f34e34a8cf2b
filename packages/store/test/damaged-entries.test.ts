/**
 * Damage to the cache costs only what is damaged: a stored case row that no longer decodes is measured again
 * (the other rows of its lookup are still served), and a log batch that cannot be read costs that batch, with
 * a warning naming it — on SQLite and Postgres.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { evaluate, LLMTestCase, Metric } from "@assay/core"
import { Database } from "@assay/store"
import { afterAll } from "vitest"
import { backends, captureWarnings } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

const N = 4000
const cases = Array.from({ length: N }, (_, i) => LLMTestCase.make({ input: `q${i}`, actualOutput: "a", expectedOutput: "a" }))
const exact = Metric.make({ name: "exact", inline: true, measure: () => Effect.succeed({ score: 1 }) })
const cachedCount = (result: { cases: ReadonlyArray<{ metrics: ReadonlyArray<{ cached: boolean }> }> }) =>
  result.cases.filter((c) => c.metrics.every((m) => m.cached)).length

const extras = Array.from({ length: 10 }, (_, i) => LLMTestCase.make({ input: `extra${i}`, actualOutput: "a", expectedOutput: "a" }))

describe.each(backends)("damaged cache entries on $name", (backend) => {
  it.scoped("one damaged row of the keyed table costs that case only, with a warning naming it", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      yield* Effect.provide(evaluate(cases, [exact], { concurrency: 8 }), at.store())
      const db = yield* Layer.build(at.database)
      const { sql } = yield* Effect.provide(Database, db)
      // A run that begins with compactAt 1 merges the log into the keyed table; then one row is damaged.
      const merged = yield* Effect.provide(evaluate(cases.slice(0, 1), [exact]), at.store({ compactAt: 1 }))
      assert.strictEqual(cachedCount(merged), 1)
      const [{ n } = { n: 0 }] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM eval_cache`
      assert.strictEqual(Number(n), N, "the log was merged into the keyed table")
      const [victim] = yield* sql<{ case_key: string }>`SELECT case_key FROM eval_cache ORDER BY case_key LIMIT 1 OFFSET 100`
      yield* sql`UPDATE eval_cache SET outcomes = '{"t": {"score": 1' WHERE case_key = ${victim!.case_key}`

      const { logger, warnings } = captureWarnings()
      const rerun = yield* Effect.provide(evaluate(cases, [exact], { concurrency: 8 }), at.store()).pipe(Effect.provide(logger))
      assert.strictEqual(rerun.summary.passed, N)
      assert.strictEqual(cachedCount(rerun), N - 1, "every other case is served from the cache")
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0], victim!.case_key)
      assert.include(warnings[0], "damaged cache entries skipped")
    }))

  it.scoped("one unreadable batch of the log costs that batch only, with a warning naming it; merging skips it", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const db = yield* Layer.build(at.database)
      const { sql } = yield* Effect.provide(Database, db)
      // Four runs of 1000 cases: four or more batches in the log.
      for (let part = 0; part < 4; part++) {
        yield* Effect.provide(evaluate(cases.slice(part * 1000, (part + 1) * 1000), [exact]), at.store())
      }
      const batches = yield* sql<{ seq: number; cases: number }>`SELECT seq, cases FROM eval_cache_batches ORDER BY seq`
      assert.isAtLeast(batches.length, 4)
      const victim = batches[1]!
      const damage = sql.onDialectOrElse({
        pg: () => sql`UPDATE eval_cache_batches SET batch = '[["k", {"t": ' WHERE seq = ${victim.seq}`,
        orElse: () => sql`UPDATE eval_cache_batches SET batch = X'789c0102030405' WHERE seq = ${victim.seq}`
      })
      yield* damage

      const { logger, warnings } = captureWarnings()
      const rerun = yield* Effect.provide(evaluate(cases, [exact], { concurrency: 8 }), at.store()).pipe(Effect.provide(logger))
      assert.strictEqual(cachedCount(rerun), N - Number(victim.cases), "only the damaged batch's cases are measured again")
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0], `batch ${victim.seq} of eval_cache_batches is damaged`)
    }))
})

describe.each(backends.slice(0, 1))("merging a damaged log on $name", (backend) => {
  it.scoped("compaction leaves out an undecompressable batch with a warning and replaces a damaged row", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const db = yield* Layer.build(at.database)
      const { sql } = yield* Effect.provide(Database, db)
      yield* Effect.provide(evaluate(cases, [exact], { concurrency: 8 }), at.store())
      yield* Effect.provide(evaluate(cases.slice(0, 1), [exact]), at.store({ compactAt: 1 })) // merged into the table
      const [victim] = yield* sql<{ case_key: string }>`SELECT case_key FROM eval_cache ORDER BY case_key LIMIT 1 OFFSET 7`
      yield* sql`UPDATE eval_cache SET outcomes = '{"t":' WHERE case_key = ${victim!.case_key}`
      yield* Effect.provide(evaluate(cases, [exact], { concurrency: 8 }), at.store()) // logs the damaged case anew
      yield* Effect.provide(evaluate(extras, [exact]), at.store())
      const [last] = yield* sql<{ seq: number }>`SELECT MAX(seq) AS seq FROM eval_cache_batches`
      yield* sql`UPDATE eval_cache_batches SET batch = X'789c0102030405' WHERE seq = ${last!.seq}`

      const { logger, warnings } = captureWarnings()
      const rerun = yield* Effect.provide(evaluate([...cases, ...extras], [exact], { concurrency: 8 }), at.store({ compactAt: 1 })).pipe(
        Effect.provide(logger)
      )
      assert.strictEqual(cachedCount(rerun), N, "the merge went through: every case but the extras is served from the table")
      assert.isTrue(warnings.some((w) => w.includes(`batch ${last!.seq} of eval_cache_batches is damaged`)))
      const [row] = yield* sql<{ outcomes: string }>`SELECT outcomes FROM eval_cache WHERE case_key = ${victim!.case_key}`
      assert.doesNotThrow(() => JSON.parse(row!.outcomes), "the damaged row was replaced by the logged outcome")
    }))
})
