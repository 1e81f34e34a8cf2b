import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream, Supervisor, TestClock } from "effect"
import { evaluate, evaluateStream, Metric } from "@assay/core"
import { indexOf, makeCases, makeProbe } from "./helpers.js"

/** A supervisor that counts the fibers started under it. */
class StartCounter extends Supervisor.AbstractSupervisor<number> {
  started = 0
  get value() {
    return Effect.sync(() => this.started)
  }
  override onStart() {
    this.started++
  }
}

describe("engine concurrency", () => {
  for (const [label, source] of [["an array", () => makeCases(36)], ["a stream", () => Stream.fromIterable(makeCases(36))]] as const) {
    it.effect(`starts workers for the cases there are, not for a concurrency far above them (${label})`, () =>
      Effect.gen(function*() {
        const probe = makeProbe()
        const metrics = ["a", "b"].map((name) => probe.metric({ name, delay: () => "1 second" }))
        const counter = new StartCounter()
        const fiber = yield* Effect.fork(Effect.supervised(evaluate(source(), metrics, { concurrency: 10_000 }), counter))
        yield* TestClock.adjust("1 second")
        const result = yield* Fiber.join(fiber)
        assert.strictEqual(result.summary.passed, 36)
        assert.strictEqual(probe.state.maxCases, 36, "all cases still run at once")
        // 36 case workers + 36 metric workers + the sink, producer and timers: far below 10,000.
        assert.isAtMost(counter.started, 200)
      }))
  }


  it.effect("never runs more than `concurrency` cases at once, and uses all of them", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metrics = [probe.metric({ name: "a", delay: () => "1 second" }), probe.metric({ name: "b", delay: () => "2 seconds" })]
      const fiber = yield* Effect.fork(evaluate(makeCases(50), metrics, { concurrency: 5 }))
      for (let t = 0; t < 30; t++) yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(probe.state.maxCases, 5)
      assert.strictEqual(result.summary.total, 50)
      assert.strictEqual(result.summary.passed, 50)
      assert.strictEqual(probe.state.started, 100)
    }))

  it.effect("runs a case's metrics concurrently: a case with 3 one-second metrics takes one second", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metrics = ["a", "b", "c"].map((name) => probe.metric({ name, delay: () => "1 second" }))
      const fiber = yield* Effect.fork(evaluate(makeCases(4), metrics, { concurrency: 4 }))
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.summary.passed, 4)
      assert.deepStrictEqual(result.cases.map((c) => c.durationMs), [1000, 1000, 1000, 1000])
    }))

  it.effect("inline metrics run in the case's worker, one after another; the bound still holds", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const inline = ["a", "b"].map((name) => ({ ...probe.metric({ name, delay: () => "1 second" }), inline: true }))
      const io = probe.metric({ name: "io", delay: () => "1 second" })
      const fiber = yield* Effect.fork(evaluate(makeCases(6), [...inline, io], { concurrency: 3 }))
      yield* TestClock.adjust("10 seconds")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(probe.state.maxCases, 3)
      // per case: io (1 s) overlaps the two inline metrics (1 s + 1 s) → 2 s; two waves of 3 cases
      assert.deepStrictEqual(result.cases.map((c) => c.durationMs), [2000, 2000, 2000, 2000, 2000, 2000])
      assert.strictEqual(result.summary.passed, 6)
    }))

  it.effect("throttle spaces case starts", () =>
    Effect.gen(function*() {
      const starts: Array<number> = []
      const probe = makeProbe()
      const base = probe.metric({ delay: () => "10 millis" })
      const metric = { ...base, measure: (c: Parameters<typeof base.measure>[0]) =>
        Effect.flatMap(TestClock.currentTimeMillis, (t) => Effect.zipRight(Effect.sync(() => starts.push(t)), base.measure(c))) }
      const fiber = yield* Effect.fork(evaluate(makeCases(5), [metric], { concurrency: 10, throttle: "100 millis" }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(starts, [0, 100, 200, 300, 400])
    }))

  it.effect("evaluate returns input order; evaluateStream emits completion order", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metric = probe.metric({ delay: (i) => `${10 - i} seconds` })
      const gathered = yield* Effect.fork(evaluate(makeCases(6), [metric], { concurrency: 6 }))
      const streamed = yield* Effect.fork(Stream.runCollect(evaluateStream(makeCases(6), [metric], { concurrency: 6 })))
      yield* TestClock.adjust("20 seconds")
      const all = yield* Fiber.join(gathered)
      const completion = Chunk.toReadonlyArray(yield* Fiber.join(streamed))
      assert.deepStrictEqual(all.cases.map((c) => c.index), [0, 1, 2, 3, 4, 5])
      assert.deepStrictEqual(completion.map((c) => c.index), [5, 4, 3, 2, 1, 0])
    }))

  it.effect("accepts a Stream source and keeps input indices", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metric = probe.metric({ delay: (i) => `${i % 3} seconds` })
      const fiber = yield* Effect.fork(evaluate(Stream.fromIterable(makeCases(9)), [metric], { concurrency: 3 }))
      yield* TestClock.adjust("30 seconds")
      const result = yield* Fiber.join(fiber)
      assert.deepStrictEqual(result.cases.map((c) => c.name), makeCases(9).map((c) => c.name ?? null))
      assert.strictEqual(probe.state.maxCases, 3)
    }))

  it.effect("pulls a generator source a slice at a time instead of materializing it", () =>
    Effect.gen(function*() {
      const all = makeCases(2000)
      let pulled = 0
      const generate = function*() {
        for (const c of all) {
          pulled++
          yield c
        }
      }
      const pulledAtFirstResult: Array<number> = []
      const result = yield* evaluate(generate(), [Metric.make({ name: "m", inline: true, measure: () => Effect.succeed({ score: 1 }) })], {
        concurrency: 4,
        onResult: () => Effect.sync(() => void (pulledAtFirstResult.length === 0 && pulledAtFirstResult.push(pulled)))
      })
      assert.strictEqual(result.cases.length, 2000)
      assert.deepStrictEqual(result.cases.map((c) => c.index), all.map((_, i) => i))
      assert.isBelow(pulledAtFirstResult[0]!, 2000, "the first result arrived before the generator was drained")
    }))

  it.effect("replies that arrive together each restart their worker before any result is delivered", () =>
    Effect.gen(function*() {
      // Each measure completes from its own I/O-like callback (setImmediate: one event-loop callback each, with
      // microtasks in between, as replies on separate connections arrive). Ordering only, no wall-clock time.
      const events: Array<string> = []
      const reply = (i: number) =>
        Effect.async<{ score: number }>((resume) => {
          const handle = setImmediate(() => {
            events.push(`reply ${i}`)
            resume(Effect.succeed({ score: 1 }))
          })
          return Effect.sync(() => clearImmediate(handle))
        })
      const metric = Metric.make({
        name: "io",
        measure: (c) => Effect.zipRight(Effect.sync(() => events.push(`start ${c.name}`)), reply(indexOf(c)))
      })
      const result = yield* evaluate(makeCases(8), [metric], {
        concurrency: 4,
        onResult: (r) => Effect.sync(() => void events.push(`deliver ${r.index}`))
      })
      assert.strictEqual(result.summary.passed, 8)
      // The first wave's four replies arrive in one turn of the event loop: every worker starts its next case
      // before the first delivery.
      const firstDelivery = events.findIndex((e) => e.startsWith("deliver"))
      assert.strictEqual(events.slice(0, firstDelivery).filter((e) => e.startsWith("start")).length, 8)
      assert.strictEqual(events.filter((e) => e.startsWith("deliver")).length, 8)
    }))
})
