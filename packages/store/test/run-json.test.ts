import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Stream } from "effect"
import { type CaseResult, evaluate, LLMTestCase, Metric } from "@assay/core"
import { Database, RunStore, type StoredResultJson } from "@assay/store"
import { afterAll } from "vitest"
import { deflateSync } from "node:zlib"
import { backends } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

const exact = Metric.make({
  name: "exact",
  inline: true,
  measure: (c) => Effect.succeed({ score: c._tag === "LLMTestCase" && c.actualOutput === c.expectedOutput ? 1 : 0, reason: "line\nbreak \"quoted\" \\ tab\t" })
})

/** Text that JSON escapes or that is not ASCII: line breaks, quotes, control characters, U+2028, emoji, a lone surrogate. */
const tricky = ["naïve café", "line\nbreak,\n{\"index\":9}", "quote \" backslash \\ tab \t nul \u0000", "sep \u2028 para \u2029", "emoji 🎉 日本語", "lone \ud800 surrogate", "]", ",\n"]
const cases = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    LLMTestCase.make({ input: tricky[i % tricky.length]!, actualOutput: `a${i} ${tricky[(i + 3) % tricky.length]}`, expectedOutput: i % 3 === 0 ? "x" : `a${i} ${tricky[(i + 3) % tricky.length]}` }))

const collect = <A>(stream: Stream.Stream<A, unknown>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** A stored result's JSON as text. */
const asText = (item: StoredResultJson) => ({ index: item.index, json: Buffer.from(item.json).toString() })

/** The `--out` lines as the parsed read-back writes them. */
const parsedLines = (results: ReadonlyArray<CaseResult>) => results.map((r) => ({ index: r.index, json: JSON.stringify(r) }))

describe.each(backends)("a run's results as JSON text on $name", (backend) => {
  it.scoped("are, byte for byte, the stringified parsed results, in index order, the latest of a case stored twice", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const runs = yield* RunStore
        const reference = yield* evaluate(cases(40), [exact])
        const run = yield* runs.start({ datasetFingerprint: "d", metricsFingerprint: "m", caseCount: 40 })
        const order = [...reference.cases].reverse()
        for (let i = 0; i < order.length; i += 7) yield* runs.sinkMany(run.runId)(order.slice(i, i + 7))
        yield* runs.sinkMany(run.runId)([{ ...reference.cases[5]!, success: !reference.cases[5]!.success }])
        const texts = (yield* collect(runs.streamJson(run.runId))).map(asText)
        const parsed = yield* collect(runs.stream(run.runId))
        assert.deepStrictEqual(texts, parsedLines(parsed))
        assert.strictEqual(texts.length, 40)
        assert.strictEqual(JSON.parse(texts[5]!.json).success, !reference.cases[5]!.success)
      }).pipe(Effect.provide(context))
    }))
})

describe("a run's results as JSON text, from batches written before one result per line", () => {
  const batch = (rs: ReadonlyArray<unknown>) => deflateSync(JSON.stringify(rs), { level: 1 })
  const insert = (rows: ReadonlyArray<readonly [ReadonlyArray<number>, Uint8Array]>) =>
    Effect.gen(function*() {
      const { sql } = yield* Database
      yield* sql`INSERT INTO runs (run_id, identifier, status, started_at, finished_at, case_count, options, hyperparameters,
          settings, dataset_fingerprint, metrics_fingerprint) VALUES ('old', NULL, 'completed', 1, 2, 6, '{}', '{}', '{}', 'd', 'm')`
      for (const [indices, blob] of rows) {
        yield* sql`INSERT INTO run_batches (run_id, cases, indices, batch, first_index)
          VALUES ('old', ${indices.length}, ${JSON.stringify(indices)}, ${blob}, ${Math.min(...indices)})`
      }
    })
  const [sqlite] = backends

  it.scoped("are read by parsing them, with the same text", () =>
    Effect.gen(function*() {
      const at = yield* sqlite!.fresh
      const context = yield* Layer.build(at.store())
      const reference = (yield* evaluate(cases(6), [exact])).cases
      yield* Effect.gen(function*() {
        yield* insert([[[3, 4, 5], batch(reference.slice(3))], [[2, 0, 1], batch([reference[2], reference[0], reference[1]])]])
        const runs = yield* RunStore
        assert.deepStrictEqual((yield* collect(runs.streamJson("old"))).map(asText), parsedLines(reference))
      }).pipe(Effect.provide(context))
    }))

  it.scoped("a batch whose lines are not results fails as a corrupt database, as the parsed read-back does", () =>
    Effect.gen(function*() {
      const at = yield* sqlite!.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const damaged = deflateSync(`[{"index":0,"nope":1},\n{"index":1,"nope":2}]`, { level: 1 })
        yield* insert([[[0, 1], damaged]])
        const runs = yield* RunStore
        const error = yield* Effect.flip(Stream.runCollect(runs.streamJson("old")))
        const parsedError = yield* Effect.flip(Stream.runCollect(runs.stream("old")))
        assert.strictEqual(error._tag, "StoreError")
        assert.strictEqual((error as { reason?: string }).reason, "corrupt")
        assert.strictEqual(error.message, parsedError.message)
      }).pipe(Effect.provide(context))
    }))
})

describe.each(backends)("remembered dataset checks on $name", (backend) => {
  it.scoped("are found by their key only, and a later check of the same key replaces the earlier", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const runs = yield* RunStore
        assert.isTrue(Option.isNone(yield* runs.datasetCheck("k1")))
        yield* runs.rememberDatasetCheck("k1", { fingerprint: "f1", count: 3 })
        yield* runs.rememberDatasetCheck("k1", { fingerprint: "f2", count: 4 })
        assert.deepStrictEqual(yield* runs.datasetCheck("k1"), Option.some({ fingerprint: "f2", count: 4 }))
        assert.isTrue(Option.isNone(yield* runs.datasetCheck("k2")))
      }).pipe(Effect.provide(context))
    }))
})
