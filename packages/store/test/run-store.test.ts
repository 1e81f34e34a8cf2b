import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Layer, Redacted, Stream, TestClock } from "effect"
import { evaluate, LLMTestCase, Metric, type RunResult } from "@assay/core"
import { compareRuns, Database, datasetFingerprint, Maintenance, metricsFingerprint, resumeRun, RunStore, startRun } from "@assay/store"
import { afterAll } from "vitest"
import { backends } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

const cases = Array.from({ length: 10 }, (_, i) =>
  LLMTestCase.make({ input: `q${i}`, actualOutput: `a${i}`, expectedOutput: i % 2 === 0 ? `a${i}` : "other", name: `c${i}` }))
const exact = Metric.make({
  name: "exact",
  inline: true,
  measure: (c) => Effect.succeed({ score: c._tag === "LLMTestCase" && c.actualOutput === c.expectedOutput ? 1 : 0 })
})
/** Takes one second per case (virtual time under TestClock). */
const slow = Metric.make({ name: "slow", measure: () => Effect.as(Effect.sleep("1 second"), { score: 0.5 }) })

const withoutTimes = (r: RunResult) =>
  r.cases.map((c) => ({ ...c, durationMs: 0, metrics: c.metrics.map((m) => ({ ...m, durationMs: 0, cached: false })) }))

/**
 * Advance virtual time a second at a time until `progress()` reaches `target` (at most 30 steps); each second
 * finishes `perStep` cases. After a step, wait (real time, at most 2 s) until they have been delivered: a
 * server database's writes are real I/O, and advancing again before they land would finish more cases than
 * the test wants. With SQLite every step is synchronous and this is `TestClock.adjust` alone.
 */
const advanceUntil = (progress: () => number, target: number, perStep: number) =>
  Effect.gen(function*() {
    for (let step = 0; step < 30 && progress() < target; step++) {
      const expected = Math.min(target, progress() + perStep)
      yield* TestClock.adjust("1 second")
      for (let wait = 0; wait < 80 && progress() < expected; wait++) {
        yield* Effect.sleep("25 millis").pipe(Effect.withClock(Clock.make()))
      }
    }
    assert.isAtLeast(progress(), target, "the run made progress")
  })

describe.each(backends)("RunStore on $name", (backend) => {
  it.scoped("records a run, writes results through, lists, shows and scrubs secrets", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const runs = yield* RunStore
        const ds = yield* datasetFingerprint(cases)
        const run = yield* runs.start({
          identifier: "nightly",
          options: { concurrency: 3 },
          hyperparameters: { model: "m1" },
          settings: { judge: { model: "gpt-4o", apiKey: "sk-secret", headers: { Authorization: "Bearer x" } }, token: Redacted.make("t") },
          datasetFingerprint: ds.fingerprint,
          metricsFingerprint: metricsFingerprint([exact], { model: "m1" }),
          caseCount: ds.count
        })
        assert.strictEqual(run.status, "running")
        assert.strictEqual(run.caseCount, 10)
        assert.notInclude(JSON.stringify(run.settings), "sk-secret")
        assert.notInclude(JSON.stringify(run.settings), "Bearer")
        assert.strictEqual((run.settings as { judge: { model: string } }).judge.model, "gpt-4o")

        const result = yield* evaluate(cases, [exact], { runId: run.runId, onResult: runs.sink(run.runId) })
        yield* runs.finish(run.runId, result.status)
        const shown = yield* runs.show(run.runId)
        assert.deepStrictEqual(shown.cases, result.cases, "results read back exactly")
        assert.deepStrictEqual({ ...shown.summary, durationMs: 0 }, { ...result.summary, durationMs: 0 })
        assert.strictEqual(shown.status, "completed")
        const [listed] = yield* runs.list()
        assert.strictEqual(listed?.runId, run.runId)
        assert.strictEqual(listed?.status, "completed")
        assert.strictEqual(listed?.finishedCases, 10)
        const missing = yield* Effect.flip(runs.show("nope"))
        assert.strictEqual(missing._tag, "RunNotFound")
        assert.include(missing.message, (yield* Database).path)
      }).pipe(Effect.provide(context))
    }))

  it.scoped("stores a batch per commit; reads results stored a row per case by earlier versions alongside", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      yield* Effect.gen(function*() {
        const runs = yield* RunStore
        const { sql } = yield* Database
        const run = yield* runs.start({ datasetFingerprint: "d", metricsFingerprint: "m", caseCount: cases.length })
        const reference = yield* evaluate(cases, [exact])
        // Cases 0–3 as earlier versions stored them (a row of JSON per case), the others in two commits.
        for (const r of reference.cases.slice(0, 4)) {
          yield* sql`INSERT INTO run_cases (run_id, case_index, result) VALUES (${run.runId}, ${r.index}, ${JSON.stringify(r)})`
        }
        yield* runs.sinkMany(run.runId)(reference.cases.slice(4, 7))
        yield* runs.sinkMany(run.runId)(reference.cases.slice(7))
        const batches = yield* sql<{ kind: string }>`SELECT ${sql.literal(backend.name === "SQLite" ? "typeof(batch)" : "'text'")} AS kind
          FROM run_batches`
        assert.deepStrictEqual(batches.map((b) => b.kind), backend.name === "SQLite" ? ["blob", "blob"] : ["text", "text"])

        assert.deepStrictEqual((yield* runs.show(run.runId)).cases, reference.cases, "both tables, in input order")
        assert.strictEqual((yield* runs.get(run.runId)).finishedCases, cases.length)
        assert.deepStrictEqual([...yield* runs.finishedIndices(run.runId)].sort((a, b) => a - b), cases.map((_, i) => i))
        const m = yield* Maintenance
        assert.strictEqual((yield* m.stats).caseResults, cases.length)

        const changed = { ...reference.cases[5]!, success: !reference.cases[5]!.success }
        yield* runs.sinkMany(run.runId)([changed])
        assert.deepStrictEqual((yield* runs.show(run.runId)).cases[5], changed, "a case stored again reads as its latest result")
        yield* sql`INSERT INTO run_batches (run_id, cases, indices, batch) VALUES (${run.runId}, 1, '[3]', '[{"index":3,"success":"yes"}]')`
        const malformed = yield* Effect.flip(runs.show(run.runId))
        assert.strictEqual(malformed._tag === "StoreError" && malformed.reason, "corrupt")
        assert.include(malformed.message, "a stored run does not decode")
        assert.include(malformed.message, "success")
        const streamed = yield* Effect.flip(Stream.runCollect(runs.stream(run.runId)))
        assert.strictEqual(streamed._tag === "StoreError" && streamed.reason, "corrupt", "a batch read as a stream is checked too")
        const cleared = yield* m.clear({ cache: false, responses: false, runs: true })
        assert.strictEqual(cleared.runs, 1)
        assert.strictEqual((yield* m.stats).caseResults, 0)
      }).pipe(Effect.provide(context))
    }))

  it.scoped("resumes an interrupted run: the final result equals an uninterrupted run's", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      const ds = yield* datasetFingerprint(cases)
      const fingerprints = { datasetFingerprint: ds.fingerprint, metricsFingerprint: metricsFingerprint([exact, slow]) }
      const options = { concurrency: 2 }

      const handle = yield* Effect.provide(startRun({ ...fingerprints, caseCount: ds.count }), context)
      const delivered: Array<number> = []
      const fiber = yield* handle.track(evaluate(cases, [exact, slow], {
        ...options,
        onResult: (r) => Effect.zipRight(handle.onResult(r), Effect.sync(() => delivered.push(r.index)))
      })).pipe(Effect.provide(context), Effect.fork)
      // Two virtual seconds: 4 of 10 cases finish (2 at a time) and are delivered.
      yield* advanceUntil(() => delivered.length, 4, options.concurrency)
      yield* Fiber.interrupt(fiber)
      const interrupted = yield* Effect.provide(Effect.flatMap(RunStore, (s) => s.get(handle.run.runId)), context)
      assert.strictEqual(interrupted.status, "cancelled")
      assert.strictEqual(delivered.length, 4)
      assert.strictEqual(interrupted.finishedCases, 4, "every delivered result is stored")

      const resumed = yield* Effect.provide(resumeRun(handle.run.runId, fingerprints), context)
      const firstRun = delivered.sort((a, b) => a - b)
      assert.deepStrictEqual([...resumed.finished].sort((a, b) => a - b), firstRun)
      const seen: Array<number> = []
      const rest = yield* resumed.track(evaluate(cases, [exact, slow], {
        ...options,
        skipIndex: resumed.skipIndex,
        onResult: (r) => Effect.zipRight(Effect.sync(() => seen.push(r.index)), resumed.onResult(r))
      })).pipe(Effect.provide(context), Effect.fork)
      yield* advanceUntil(() => seen.length, cases.length - firstRun.length, options.concurrency)
      const final = yield* Fiber.join(rest)
      const others = cases.map((_, i) => i).filter((i) => !firstRun.includes(i))
      assert.deepStrictEqual(seen.sort((a, b) => a - b), others, "finished cases are not measured again")

      const uninterrupted = yield* Effect.fork(evaluate(cases, [exact, slow], options))
      yield* TestClock.adjust("10 seconds")
      const reference = yield* Fiber.join(uninterrupted)
      assert.deepStrictEqual(final.cases.map((c) => c.index), reference.cases.map((c) => c.index), "0 lost, 0 duplicated, input order")
      assert.deepStrictEqual(withoutTimes(final), withoutTimes(reference))
      assert.strictEqual(final.status, "completed")
      assert.deepStrictEqual({ ...final.summary, durationMs: 0 }, { ...reference.summary, durationMs: 0 })
    }))

  it.scoped("refuses to resume when the dataset or the metric configuration changed", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      const ds = yield* datasetFingerprint(cases)
      const mf = metricsFingerprint([exact])
      const handle = yield* Effect.provide(startRun({ datasetFingerprint: ds.fingerprint, metricsFingerprint: mf }), context)
      const changedData = yield* datasetFingerprint([...cases.slice(0, 9), LLMTestCase.make({ input: "new" })])
      const e1 = yield* Effect.flip(Effect.provide(resumeRun(handle.run.runId, { datasetFingerprint: changedData.fingerprint, metricsFingerprint: mf }), context))
      assert.strictEqual(e1._tag === "ResumeMismatch" && e1.what, "dataset")
      const stricter = metricsFingerprint([Metric.make({ ...exact, threshold: 0.9 })])
      const e2 = yield* Effect.flip(Effect.provide(resumeRun(handle.run.runId, { datasetFingerprint: ds.fingerprint, metricsFingerprint: stricter }), context))
      assert.strictEqual(e2._tag === "ResumeMismatch" && e2.what, "metrics")
      assert.include(e2.message, handle.run.runId)
      assert.notStrictEqual(metricsFingerprint([exact], { model: "a" }), metricsFingerprint([exact], { model: "b" }))
      const renamed = yield* datasetFingerprint(cases.map((c) => ({ ...c, name: "renamed" })))
      assert.strictEqual(renamed.fingerprint, ds.fingerprint, "labels are not part of the dataset fingerprint")
      const e3 = yield* Effect.flip(Effect.provide(resumeRun("unknown", { datasetFingerprint: ds.fingerprint, metricsFingerprint: mf }), context))
      assert.strictEqual(e3._tag, "RunNotFound")
    }))

  it.scoped("marks a failed run as failed", () =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      const handle = yield* Effect.provide(startRun({ datasetFingerprint: "d", metricsFingerprint: "m" }), context)
      const exit = yield* Effect.exit(Effect.provide(handle.track(Effect.fail("boom" as const)), context))
      assert.isTrue(Exit.isFailure(exit))
      const info = yield* Effect.provide(Effect.flatMap(RunStore, (s) => s.get(handle.run.runId)), context)
      assert.strictEqual(info.status, "failed")
    }))
})

describe("compareRuns", () => {
  const metricResult = (name: string, score: number | null) => ({
    name, score, threshold: 0.5, strict: false, success: score !== null && score >= 0.5, reason: null, error: null,
    skipped: false, cached: false, cost: 0, tokens: { input: 0, output: 0 }, durationMs: 0
  })
  const caseResult = (index: number, score: number) => ({
    index, name: `c${index}`, success: score >= 0.5, skipped: false, errored: false, metrics: [metricResult("m", score)],
    durationMs: 0, cost: 0, tokens: { input: 0, output: 0 }
  })
  const run = (id: string, scores: Record<number, number>): RunResult => ({
    runId: id, identifier: null, status: "completed", unfinished: [],
    summary: { total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, passRate: null, durationMs: 0, cost: 0, tokens: { input: 0, output: 0 }, metrics: [] },
    cases: Object.entries(scores).map(([i, s]) => caseResult(Number(i), s))
  })

  it("classifies regressed, improved, changed, unchanged and one-sided cases", () => {
    const diff = compareRuns(run("a", { 0: 1, 1: 0.2, 2: 0.8, 3: 0.6, 4: 1 }), run("b", { 0: 0.1, 1: 0.9, 2: 0.7, 3: 0.6, 5: 1 }))
    assert.deepStrictEqual(diff.regressed.map((c) => c.index), [0])
    assert.deepStrictEqual(diff.improved.map((c) => c.index), [1])
    assert.deepStrictEqual(diff.changed.map((c) => c.index), [2])
    assert.closeTo(diff.changed[0]!.metrics[0]!.delta!, -0.1, 1e-9)
    assert.strictEqual(diff.unchanged, 1)
    assert.deepStrictEqual(diff.onlyBefore.map((c) => c.index), [4])
    assert.deepStrictEqual(diff.onlyAfter.map((c) => c.index), [5])
    assert.deepStrictEqual([diff.before, diff.after], ["a", "b"])
  })

  const unnamed = (index: number, input: string, actual: string, score: number) => ({
    ...caseResult(index, score), name: null, testCase: { input, actualOutput: actual, expectedOutput: "x" }
  })
  const runOf = (id: string, cases: RunResult["cases"]): RunResult => ({ ...run(id, {}), cases })

  it("matches unnamed cases by their input side, not their position or output", () => {
    const before = runOf("a", [unnamed(0, "q1", "x", 1), unnamed(1, "q2", "x", 1), unnamed(2, "q3", "y", 0)])
    // A case inserted first shifts every index; q2's output changed (a regression, not removed + added).
    const after = runOf("b", [unnamed(0, "new", "x", 1), unnamed(1, "q1", "x", 1), unnamed(2, "q2", "z", 0), unnamed(3, "q3", "y", 0)])
    const diff = compareRuns(before, after)
    assert.deepStrictEqual(diff.regressed.map((c) => [c.beforeIndex, c.index]), [[1, 2]])
    assert.strictEqual(diff.unchanged, 2)
    assert.deepStrictEqual(diff.onlyAfter.map((c) => c.index), [0])
    assert.deepStrictEqual(diff.onlyBefore, [])
    assert.isTrue(diff.regressed[0]!.key.startsWith("hash:"))
  })

  it("tells duplicate inputs apart by order and reports per-metric paired statistics", () => {
    const before = runOf("a", Array.from({ length: 12 }, (_, i) => unnamed(i, i < 2 ? "dup" : `q${i}`, "x", 1)))
    const after = runOf("b", Array.from({ length: 12 }, (_, i) => unnamed(i, i < 2 ? "dup" : `q${i}`, "x", i < 10 ? 0 : 1)))
    const diff = compareRuns(before, after, { seed: 3 })
    assert.strictEqual(diff.regressed.length, 10)
    assert.strictEqual(diff.unchanged, 2)
    assert.deepStrictEqual(diff.onlyAfter.length + diff.onlyBefore.length, 0)
    const m = diff.metrics[0]!
    assert.strictEqual(m.name, "m")
    assert.deepStrictEqual([m.paired, m.verdicts, m.passToFail, m.failToPass], [12, 12, 10, 0])
    assert.closeTo(m.meanDiff!, -10 / 12, 1e-12)
    assert.closeTo(m.pValue, 2 / 1024, 1e-12)
    assert.closeTo(m.adjustedP, 2 / 1024, 1e-12) // one metric: Holm leaves it
    assert.isTrue(m.diffCI!.high < 0 && m.diffCI!.low >= -1)
    assert.deepStrictEqual(compareRuns(before, after, { seed: 3 }).metrics, diff.metrics) // seeded: deterministic
    assert.strictEqual(diff.adjustment, "holm")
  })
})
