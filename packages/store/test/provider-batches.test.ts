/**
 * The batches of a run (batch mode) on SQLite and Postgres: recorded once even if recorded twice, read back
 * per run in submission order with their custom ids, and gone with their run.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { Database, ProviderBatches, RunStore } from "@assay/store"
import { afterAll } from "vitest"
import { backends } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

describe.each(backends)("ProviderBatches on $name", (backend) => {
  it.scoped("records each batch once, reads a run's batches in order, and forgets them with the run", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(Layer.provideMerge(ProviderBatches.Default, at.store()))
      yield* Effect.gen(function*() {
        const runs = yield* RunStore
        const batches = yield* ProviderBatches
        const a = yield* runs.start({ datasetFingerprint: "d", metricsFingerprint: "m" })
        const b = yield* runs.start({ datasetFingerprint: "d", metricsFingerprint: "m" })
        yield* batches.record(a.runId, { batchId: "batch_2", model: "openai:gpt-4o-mini", customIds: ["r-1", "r-2"] })
        yield* TestClock.adjust("1 second")
        yield* batches.record(a.runId, { batchId: "batch_1", model: "anthropic:claude-haiku-4-5", customIds: ["r-3"] })
        yield* batches.record(a.runId, { batchId: "batch_2", model: "openai:gpt-4o-mini", customIds: ["r-1", "r-2"] })
        yield* batches.record(b.runId, { batchId: "batch_9", model: "openai:gpt-4o-mini", customIds: ["r-9"] })
        assert.deepStrictEqual(yield* batches.ofRun(a.runId), [
          { batchId: "batch_2", model: "openai:gpt-4o-mini", customIds: ["r-1", "r-2"] },
          { batchId: "batch_1", model: "anthropic:claude-haiku-4-5", customIds: ["r-3"] }
        ])
        const { sql } = yield* Database
        yield* sql`DELETE FROM runs WHERE run_id = ${b.runId}`
        assert.deepStrictEqual(yield* batches.ofRun(b.runId), [])
      }).pipe(Effect.provide(context))
    }))
})
