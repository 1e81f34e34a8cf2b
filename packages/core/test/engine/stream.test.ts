import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Schema, Stream, TestClock } from "effect"
import { evaluate, evaluateStream, RunResult } from "@assay/core"
import { makeCases, makeProbe } from "./helpers.js"

describe("evaluateStream", () => {
  it.effect("taking the first results stops the run and interrupts the rest", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metric = probe.metric({ delay: (i) => `${i + 1} seconds` })
      const fiber = yield* Effect.fork(Stream.runCollect(Stream.take(evaluateStream(makeCases(10), [metric], { concurrency: 4 }), 2)))
      yield* TestClock.adjust("2 seconds")
      const firstTwo = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      assert.deepStrictEqual(firstTwo.map((r) => r.index), [0, 1])
      assert.strictEqual(probe.state.inFlightCases.size, 0)
      const started = probe.state.started
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(probe.state.started, started, "nothing runs after the consumer stopped")
    }))

  it.effect("a streamed source with a deadline lists the cases it had started", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metric = probe.metric({ delay: (i) => `${i + 1} seconds` })
      const fiber = yield* Effect.fork(evaluate(Stream.fromIterable(makeCases(6)), [metric], { concurrency: 2, deadline: "2500 millis" }))
      yield* TestClock.adjust("3 seconds")
      const result = yield* Fiber.join(fiber)
      // c0 ends at 1 s, c1 at 2 s; c2 started at 1 s (ends 4 s), c3 at 2 s (ends 6 s)
      assert.deepStrictEqual(result.cases.map((c) => c.index), [0, 1])
      assert.deepStrictEqual(result.unfinished.map((c) => c.index), [2, 3])
    }))

  it.effect("the RunResult round-trips through its JSON Schema", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const fiber = yield* Effect.fork(evaluate(makeCases(3), [probe.metric({ delay: () => "1 second", score: (i) => i / 2 })]))
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      const json = JSON.parse(JSON.stringify(Schema.encodeSync(RunResult)(result)))
      assert.deepStrictEqual(Schema.decodeUnknownSync(RunResult)(json), result)
      assert.deepStrictEqual([result.summary.passed, result.summary.failed], [2, 1])
      const { meanCI, passRateCI, ...stats } = result.summary.metrics[0]!
      assert.deepStrictEqual(stats, {
        name: "probe", count: 3, passed: 2, errored: 0, skipped: 0, mean: 0.5, min: 0, max: 1, passRate: 2 / 3
      })
      // 95% intervals: the mean's straddles 0.5, the pass rate's (Wilson) straddles 2/3 inside [0, 1].
      assert.ok(meanCI!.low < 0.5 && meanCI!.high > 0.5)
      assert.ok(passRateCI!.low > 0 && passRateCI!.low < 2 / 3 && passRateCI!.high > 2 / 3 && passRateCI!.high < 1)
    }))
})
