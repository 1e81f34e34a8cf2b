import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import { type CaseResult, evaluate, LLMTestCase, Metric } from "@assay/core"
import { Database, migrations, MIGRATIONS_TABLE, RunStore, SCHEMA_VERSION, SqliteStore } from "@assay/store"
import * as Migrator from "@effect/sql/Migrator"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { afterAll } from "vitest"
import { deflateSync } from "node:zlib"
import { backends, tempDb } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

const exact = Metric.make({
  name: "exact",
  inline: true,
  measure: (c) => Effect.succeed({ score: c._tag === "LLMTestCase" && c.actualOutput === c.expectedOutput ? 1 : 0 })
})
const cases = (n: number) =>
  Array.from({ length: n }, (_, i) => LLMTestCase.make({ input: `q${i}`, actualOutput: `a${i}`, expectedOutput: i % 3 === 0 ? "x" : `a${i}` }))

/** A deterministic shuffle (results finish out of order under concurrency). */
const shuffled = <A>(items: ReadonlyArray<A>): Array<A> => {
  const out = [...items]
  let seed = 7
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    const j = seed % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const collect = (stream: Stream.Stream<CaseResult, unknown>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

describe.each(backends)("reading a run back in case order on $name", (backend) => {
  it.scoped("streams results stored out of order, over many batches, in index order; a case stored again reads as its latest", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const runs = yield* RunStore
        const reference = yield* evaluate(cases(300), [exact])
        const run = yield* runs.start({ datasetFingerprint: "d", metricsFingerprint: "m", caseCount: 300 })
        // 30 batches of 10, in a shuffled order: more batches than one page of the reader.
        const order = shuffled(reference.cases)
        for (let i = 0; i < order.length; i += 10) yield* runs.sinkMany(run.runId)(order.slice(i, i + 10))
        const changed = { ...reference.cases[42]!, success: !reference.cases[42]!.success }
        yield* runs.sinkMany(run.runId)([changed])

        const read = yield* collect(runs.stream(run.runId))
        assert.deepStrictEqual(read.map((c) => c.index), reference.cases.map((c) => c.index))
        assert.deepStrictEqual(read[42], changed)
        assert.deepStrictEqual(read[7], reference.cases[7])
        assert.deepStrictEqual(read[7]!.testCase, { input: "q7", actualOutput: "a7", expectedOutput: "a7" }, "the test case is kept")

        const outline = yield* runs.outline(run.runId)
        assert.strictEqual(outline.summary.total, 300)
        assert.deepStrictEqual(outline.unfinished, [])
      }).pipe(Effect.provide(context))
    }))
})

describe("a database created by the previous schema (v5)", () => {
  it.scoped("migrates, and its runs — stored without test cases — still read in order", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      const reference = yield* evaluate(cases(6), [exact])
      const old = reference.cases.map(({ testCase: _, ...rest }) => rest)
      // Build the file exactly as the previous version left it: migrations 1–5, a run, two batches.
      yield* Effect.gen(function*() {
        const sql = yield* SqliteClient.SqliteClient
        const upToV5 = Effect.map(migrations, (all) => all.filter(([id]) => id <= 5))
        yield* Migrator.make({})({ loader: upToV5, table: MIGRATIONS_TABLE })
        yield* sql`INSERT INTO runs (run_id, identifier, status, started_at, finished_at, case_count, options, hyperparameters,
          settings, dataset_fingerprint, metrics_fingerprint) VALUES ('old', NULL, 'completed', 1, 2, 6, '{}', '{}', '{}', 'd', 'm')`
        const batch = (rs: ReadonlyArray<unknown>) => deflateSync(JSON.stringify(rs), { level: 1 })
        yield* sql`INSERT INTO run_batches (run_id, cases, indices, batch) VALUES ('old', 3, '[3,4,5]', ${batch(old.slice(3))})`
        yield* sql`INSERT INTO run_batches (run_id, cases, indices, batch) VALUES ('old', 3, '[2,0,1]', ${batch([old[2], old[0], old[1]])})`
      }).pipe(Effect.provide(SqliteClient.layer({ filename: path })), Effect.scoped)

      const context = yield* Layer.build(SqliteStore.layer({ path }))
      yield* Effect.gen(function*() {
        const { sql } = yield* Database
        const version = yield* sql<{ v: number }>`SELECT MAX(migration_id) AS v FROM ${sql(MIGRATIONS_TABLE)}`
        assert.strictEqual(Number(version[0]!.v), SCHEMA_VERSION)
        const filled = yield* sql<{ f: number }>`SELECT first_index AS f FROM run_batches ORDER BY seq`
        assert.deepStrictEqual(filled.map((r) => Number(r.f)), [3, 0], "the migration fills in each batch's smallest index")
        const runs = yield* RunStore
        const read = yield* collect(runs.stream("old"))
        assert.deepStrictEqual(read, old, "in index order, without testCase")
        assert.strictEqual((yield* runs.get("old")).passRate, null)
        assert.strictEqual((yield* runs.outline("old")).summary.total, 6)
      }).pipe(Effect.provide(context))
    }))
})
