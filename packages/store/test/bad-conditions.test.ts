import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { CacheError, EvalCache, evaluate, LLMTestCase, Metric } from "@assay/core"
import { Database, Maintenance, makeSqliteEvalCache, SCHEMA_VERSION, SqliteStore } from "@assay/store"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { captureWarnings, tempDb, tempDir } from "./helpers.js"

const cases = [LLMTestCase.make({ input: "q", actualOutput: "a", expectedOutput: "a" })]
const exact = Metric.make({ name: "exact", inline: true, measure: () => Effect.succeed({ score: 1 }) })

describe("bad database files", () => {
  it.scoped("a corrupt file fails with a StoreError naming the path and the remedy", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      writeFileSync(path, "this is not a database, just some text that happens to be long enough ".repeat(100))
      const error = yield* Effect.flip(Layer.build(SqliteStore.layer({ path })))
      assert.strictEqual(error._tag, "StoreError")
      assert.strictEqual(error._tag === "StoreError" && error.reason, "corrupt")
      assert.include(error.message, path)
      assert.include(error.message, "delete it")
    }))

  it.scoped("an unwritable location fails with reason unwritable; cacheOrUncached runs uncached with a warning", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const blocker = join(dir, "not-a-directory")
      writeFileSync(blocker, "x")
      const path = join(blocker, "assay.db") // its parent is a file: it can never be created
      const error = yield* Effect.flip(Layer.build(SqliteStore.layer({ path })))
      assert.strictEqual(error._tag === "StoreError" && error.reason, "unwritable")
      assert.include(error.message, path)

      const { logger, warnings: logs } = captureWarnings()
      const result = yield* evaluate(cases, [exact]).pipe(
        Effect.provide(SqliteStore.cacheOrUncached({ path })),
        Effect.provide(logger)
      )
      assert.strictEqual(result.summary.passed, 1, "the run continues")
      assert.isTrue(result.cases[0]!.metrics.every((m) => !m.cached))
      assert.strictEqual(logs.length, 1)
      assert.include(logs[0], path)
      assert.include(logs[0], "without the cache")
    }))

  it.scoped("a corrupt file is not silently skipped by cacheOrUncached", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      writeFileSync(path, "garbage ".repeat(1000))
      const error = yield* Effect.flip(Layer.build(SqliteStore.cacheOrUncached({ path })))
      assert.strictEqual(error.reason, "corrupt")
    }))

  it.scoped("a database migrated by a newer assay is refused, naming the path and the versions", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      yield* Effect.scoped(Effect.flatMap(Layer.build(Database.layer({ path })), (db) =>
        Effect.provide(Effect.flatMap(Database, ({ sql }) => sql`INSERT INTO assay_migrations (migration_id, name) VALUES (99, 'future')`), db)))
      const error = yield* Effect.flip(Layer.build(SqliteStore.layer({ path })))
      assert.strictEqual(error._tag === "StoreError" && error.reason, "newer")
      assert.include(error.message, path)
      assert.include(error.message, `schema version 99; this version of assay reads up to ${SCHEMA_VERSION}`)
      assert.include(error.message, "upgrade assay")
    }))

  it.scoped("a file locked by another writer fails with reason locked after the busy timeout", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      // Another connection (another process, in real life) holds the write lock.
      const holder = yield* Layer.build(Database.layer({ path }))
      const { sql } = yield* Effect.provide(Database, holder)
      yield* sql`BEGIN IMMEDIATE`
      const store = yield* Layer.build(SqliteStore.layer({ path, busyTimeoutMs: 50 }))
      const cache = yield* Effect.provide(EvalCache, store)
      const entry = [{ caseKey: "k", outcomes: { t: { score: 1 } } }]
      const error = yield* Effect.flip(cache.store(entry, [{ tag: "t", name: "m" }]))
      assert.instanceOf(error, CacheError)
      assert.include(error.message, path)
      assert.include(error.message, "locked")
      yield* sql`COMMIT`
      yield* cache.store(entry, [{ tag: "t", name: "m" }])
    }))
})

describe("the SQLite cache log", () => {
  const tags = [{ tag: "t", name: "m" }, { tag: "u", name: "other" }]
  const reason = "BLEU-4 0.5170: precisions 5/8, 4/7, 3/6, 2/5, brevity penalty 1.0000 (8 vs 8 tokens)"

  it.scoped("stores batches compressed and still reads (and merges) batches written as JSON text", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      const db = yield* Layer.build(Database.layer({ path }))
      const { sql } = yield* Effect.provide(Database, db)
      const writer = yield* Effect.provide(makeSqliteEvalCache(), db)
      const entries = Array.from({ length: 50 }, (_, i) => ({ caseKey: `k${i}`, outcomes: { t: { score: i / 50, reason } } }))
      yield* writer.store(entries, tags)
      const [stored] = yield* sql<{ kind: string; bytes: number }>`SELECT typeof(batch) AS kind, length(batch) AS bytes FROM eval_cache_batches`
      assert.strictEqual(stored?.kind, "blob")
      assert.isBelow(stored!.bytes, JSON.stringify(entries.map((e) => [e.caseKey, e.outcomes])).length / 4, "compressed")

      // A batch as earlier versions wrote it (JSON text), then a newer compressed one: the newest outcome wins.
      yield* sql`INSERT INTO eval_cache_batches (batch, cases, created_at)
        VALUES ('[["k1",{"t":{"score":0.5,"reason":"from text"}}],["old",{"u":{"score":1}}]]', 2, 0)`
      yield* writer.store([{ caseKey: "old", outcomes: { t: { score: 0.25 } } }], tags)
      const expected = [{ t: { score: 0.5, reason: "from text" } }, { t: { score: 0.25 }, u: { score: 1 } }, { t: { score: 0.04, reason } }]
      const reader = yield* Effect.provide(makeSqliteEvalCache(), db)
      yield* reader.beginRun
      assert.deepStrictEqual(yield* reader.lookupMany(["k1", "old", "k2"], ["t", "u"]), expected)

      const compacting = yield* Effect.provide(makeSqliteEvalCache({ compactAt: 1 }), db)
      yield* compacting.beginRun
      const [left] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM eval_cache_batches`
      assert.strictEqual(left?.n, 0, "merged into the table")
      assert.deepStrictEqual(yield* compacting.lookupMany(["k1", "old", "k2"], ["t", "u"]), expected)
    }))

  it.scoped("a damaged batch costs its own cases, with a warning naming the file and the batch (reading and merging)", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      const db = yield* Layer.build(Database.layer({ path }))
      const { sql } = yield* Effect.provide(Database, db)
      yield* Effect.provide(evaluate(cases, [exact]), SqliteStore.layer({ path }))
      yield* sql`UPDATE eval_cache_batches SET batch = X'789c0102030405'`

      const { logger, warnings: logs } = captureWarnings()
      yield* Effect.flatMap(Effect.provide(makeSqliteEvalCache(), db), (c) => c.beginRun).pipe(Effect.provide(logger))
      assert.include(logs[0], path)
      assert.include(logs[0], "batch 1 of eval_cache_batches is damaged")
      const rerun = yield* evaluate(cases, [exact]).pipe(Effect.provide(SqliteStore.layer({ path })), Effect.provide(logger))
      assert.strictEqual(rerun.summary.passed, 1)
      assert.isTrue(rerun.cases[0]!.metrics.every((m) => !m.cached), "nothing served from the damaged batch")
      const stats = yield* Effect.provide(Effect.flatMap(Maintenance, (m) => m.stats), Maintenance.Default.pipe(Layer.provide(Layer.succeedContext(db)))).pipe(
        Effect.provide(logger)
      )
      assert.strictEqual(stats.cacheRows, 1, "the merge skipped the damaged batch and kept the rerun's")
      assert.isTrue(logs.some((w) => w.includes("batch 1 of eval_cache_batches is damaged") && w.includes("dropped")))
    }))
})
