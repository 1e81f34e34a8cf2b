/**
 * Reuse marks (`runs.reuse_key`): only a completed run is marked; the newest marked run with a key is found;
 * clearing or pruning the cache, or `forgetReusable`, unmarks every run.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, TestClock } from "effect"
import { Maintenance, RunStore } from "@assay/store"
import { afterAll } from "vitest"
import { backends } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

describe.each(backends)("run reuse marks on $name", (backend) => {
  it.scoped("mark completed runs, find the newest, and forget them all when the cache is cleared or pruned", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const runs = yield* RunStore
        const maintenance = yield* Maintenance
        const start = Effect.map(runs.start({ datasetFingerprint: "d", metricsFingerprint: "m", caseCount: 1 }), (r) => r.runId)
        const [older, newer, cancelled] = [yield* start, yield* TestClock.adjust("1 second").pipe(Effect.zipRight(start)), yield* start]
        for (const id of [older, newer]) yield* runs.finish(id, "completed", 1)
        yield* runs.finish(cancelled, "cancelled", 1)
        for (const id of [older, newer, cancelled]) yield* runs.markReusable(id, "k")
        assert.deepStrictEqual(yield* runs.findReusable("k"), Option.some(newer), "the newest completed run")
        assert.deepStrictEqual(yield* runs.findReusable("other"), Option.none())

        yield* runs.forgetReusable
        assert.deepStrictEqual(yield* runs.findReusable("k"), Option.none())
        yield* runs.markReusable(older, "k")
        yield* maintenance.clear({ cache: true, responses: false, runs: false })
        assert.deepStrictEqual(yield* runs.findReusable("k"), Option.none(), "clearing the cache unmarks")
        yield* runs.markReusable(older, "k")
        yield* maintenance.clear({ cache: false, responses: true, runs: false })
        assert.deepStrictEqual(yield* runs.findReusable("k"), Option.some(older), "clearing only responses keeps the mark")
        yield* maintenance.prune({ olderThan: "30 days" })
        assert.deepStrictEqual(yield* runs.findReusable("k"), Option.none(), "pruning unmarks")
      }).pipe(Effect.provide(context))
    }))
})
