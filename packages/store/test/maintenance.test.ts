import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, TestClock } from "effect"
import { EvalCache, evaluate, LLMTestCase, Metric } from "@assay/core"
import { Database, Maintenance, ResponseCache, responseKey, SCHEMA_VERSION } from "@assay/store"
import { afterAll } from "vitest"
import { backends } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

const cases = Array.from({ length: 20 }, (_, i) => LLMTestCase.make({ input: `q${i}`, actualOutput: "a", expectedOutput: "a" }))
const metric = (name: string) => Metric.make({ name, inline: true, measure: () => Effect.succeed({ score: 1, reason: "x".repeat(200) }) })

describe.each(backends)("Maintenance on $name", (backend) => {
  it.scoped("reports rows per metric, schema version and size; prunes by age and size; clears", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const m = yield* Maintenance
        yield* evaluate(cases.slice(0, 10), [metric("a"), metric("b")])
        yield* TestClock.adjust("10 days")
        yield* evaluate(cases.slice(10), [metric("a")])
        const stats = yield* m.stats
        assert.strictEqual(stats.schemaVersion, SCHEMA_VERSION)
        assert.strictEqual(stats.cacheRows, 30)
        assert.deepStrictEqual(stats.perMetric, [{ metric: "a", rows: 20 }, { metric: "b", rows: 10 }])
        assert.isAbove(stats.sizeBytes, 4096)
        assert.strictEqual(stats.path, (yield* Database).path)

        const aged = yield* m.prune({ olderThan: "5 days" })
        assert.strictEqual(aged.cacheRows, 20, "the 10 cases (20 results) last written 10 days ago go")
        assert.strictEqual((yield* m.stats).cacheRows, 10)

        // A case row here is ~260 bytes (key + one outcome with a 200-character reason + 16 of overhead; the
        // JSON's spacing differs between SQLite and Postgres): as many whole rows as fit in 1400 bytes stay.
        const { sql } = yield* Database
        const [row] = yield* sql<{ b: number }>`SELECT MAX(LENGTH(case_key) + LENGTH(outcomes) + 16) AS b FROM eval_cache`
        const rowBytes = Number(row!.b)
        assert.isTrue(rowBytes > 230 && rowBytes < 300, `row size ${rowBytes}`)
        const sized = yield* m.prune({ maxBytes: 1400 })
        assert.isAbove(sized.cacheRows, 0)
        const left = (yield* m.stats).cacheRows
        assert.strictEqual(left, Math.floor(1400 / rowBytes), "the newest rows that fit in 1400 bytes stay")

        const cleared = yield* m.clear()
        assert.strictEqual(cleared.cacheRows, left)
        assert.strictEqual((yield* m.stats).cacheRows, 0)
        const cache = yield* EvalCache
        assert.deepStrictEqual(yield* cache.lookupMany(["anything"], ["t"]), [undefined])
      }).pipe(Effect.provide(context))
    }))
})

describe.each(backends)("ResponseCache on $name", (backend) => {
  const request = { model: "gpt-4o", baseUrl: "http://127.0.0.1:1/v1", body: { messages: [{ role: "user", content: "hi" }], temperature: 0 } }

  it.scoped("returns stored responses until their TTL passes; keys ignore member order", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const cache = yield* ResponseCache
        assert.isTrue(Option.isNone(yield* cache.get(request)))
        yield* cache.set(request, { choices: [{ message: { content: "hello" } }] }, "1 hour")
        const reordered = { ...request, body: { temperature: 0, messages: request.body.messages } }
        assert.strictEqual(responseKey(reordered), responseKey(request))
        assert.deepStrictEqual(yield* cache.get(reordered), Option.some({ choices: [{ message: { content: "hello" } }] }))
        assert.isTrue(Option.isNone(yield* cache.get({ ...request, model: "gpt-4o-mini" })))
        assert.isTrue(Option.isNone(yield* cache.get({ ...request, baseUrl: "http://127.0.0.1:2/v1" })))
        yield* TestClock.adjust("61 minutes")
        assert.isTrue(Option.isNone(yield* cache.get(request)), "expired")
        const pruned = yield* Effect.flatMap(Maintenance, (m) => m.prune({}))
        assert.strictEqual(pruned.responseRows, 1, "expired responses are pruned")
      }).pipe(Effect.provide(context))
    }))

  it.scoped("reads and writes many at once, in order, past one statement's chunk; a later entry for a key wins", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const cache = yield* ResponseCache
        const requests = Array.from({ length: 1203 }, (_, i) => ({ ...request, body: { n: i } }))
        const entries = requests.filter((_, i) => i % 2 === 0).map((r) => ({ request: r, response: { n: r.body.n } }))
        yield* cache.setMany([...entries, { request: requests[0]!, response: { n: "last" } }], "1 hour")
        const found = yield* cache.getMany(requests)
        assert.strictEqual(found.length, 1203)
        assert.deepStrictEqual(found[0], Option.some({ n: "last" }))
        assert.deepStrictEqual(found[1202], Option.some({ n: 1202 }))
        assert.isTrue(found.every((f, i) => (i % 2 === 0) === Option.isSome(f)))
        assert.deepStrictEqual(yield* cache.get(requests[600]!), Option.some({ n: 600 }))
        yield* TestClock.adjust("61 minutes")
        assert.isTrue((yield* cache.getMany(requests.slice(0, 10))).every(Option.isNone), "expired")
      }).pipe(Effect.provide(context))
    }))
})

