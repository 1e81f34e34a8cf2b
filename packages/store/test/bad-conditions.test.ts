import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { CacheError, EvalCache, evaluate, LLMTestCase, Metric } from "@assay/core"
import { Database, SqliteStore } from "@assay/store"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { tempDb, tempDir } from "./helpers.js"

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

      const logs: Array<string> = []
      const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ logLevel, message }) => {
        if (logLevel === LogLevel.Warning) logs.push(String(message))
      }))
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
