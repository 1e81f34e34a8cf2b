import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, TestClock } from "effect"
import { type CaseResult, evaluate, LLMTestCase, Metric } from "@assay/core"
import { indexOf, makeCases, makeProbe } from "./helpers.js"

describe("engine failure semantics", () => {
  it.effect("fail-fast: a metric error fails the run and interrupts every sibling in flight", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metric = probe.metric({ delay: (i) => (i === 2 ? "1 second" : "10 seconds"), fails: (i) => i === 2 })
      const fiber = yield* Effect.fork(evaluate(makeCases(20), [metric], { concurrency: 5 }))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
      assert.strictEqual(error?._tag === "Some" ? error.value._tag : "none", "MetricFailed")
      assert.strictEqual(probe.state.interrupted, 4, "the 4 siblings in flight were interrupted")
      assert.strictEqual(probe.state.finished, 1, "only the failing metric finished")
      assert.strictEqual(probe.state.inFlightCases.size, 0)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(probe.state.started, 5, "nothing started after the failure")
    }))

  it.effect("ignoreErrors records the error on the metric and keeps going", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metric = probe.metric({ delay: () => "1 second", fails: (i) => i % 2 === 0 })
      const fiber = yield* Effect.fork(evaluate(makeCases(6), [metric], { concurrency: 6, ignoreErrors: true }))
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.summary.errored, 3)
      assert.strictEqual(result.summary.passed, 3)
      const first = result.cases[0]!.metrics[0]!
      assert.deepStrictEqual([first.success, first.score, first.error], [false, null, "boom 0"])
    }))

  it.effect("error budget: within maxErrors the run completes, beyond it the run fails", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metric = probe.metric({ delay: () => "1 second", fails: (i) => i < 3 })
      const within = yield* Effect.fork(evaluate(makeCases(10), [metric], { concurrency: 10, maxErrors: 3 }))
      const beyond = yield* Effect.fork(evaluate(makeCases(10), [metric], { concurrency: 10, maxErrors: 2 }))
      const fraction = yield* Effect.fork(evaluate(makeCases(10), [metric], { concurrency: 10, maxErrors: 0.2 }))
      yield* TestClock.adjust("1 second")
      const ok = yield* Fiber.join(within)
      assert.strictEqual(ok.summary.errored, 3)
      const failed = yield* Fiber.await(beyond)
      const failedFraction = yield* Fiber.await(fraction)
      for (const exit of [failed, failedFraction]) {
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), "ErrorBudgetExceeded")
      }
    }))

  it.effect("a per-metric timeout is a metric error", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metric = probe.metric({ delay: (i) => (i === 0 ? "1 minute" : "1 second") })
      const fiber = yield* Effect.fork(evaluate(makeCases(2), [metric], { timeout: "5 seconds", ignoreErrors: true }))
      yield* TestClock.adjust("5 seconds")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.cases[0]!.metrics[0]!.error, "timed out after 5s")
      assert.strictEqual(result.cases[1]!.success, true)
      assert.strictEqual(probe.state.interrupted, 1)
    }))

  it.effect("deadline: returns exactly the finished cases and lists the unfinished ones", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const metric = probe.metric({ delay: (i) => `${i + 1} seconds` })
      const fiber = yield* Effect.fork(evaluate(makeCases(10), [metric], { concurrency: 4, deadline: "5500 millis" }))
      yield* TestClock.adjust("6 seconds")
      const result = yield* Fiber.join(fiber)
      // concurrency 4: c0..c3 start at 0 and end at 1,2,3,4 s; c4 starts at 1 s and ends at 6 s (too late);
      // c5 starts at 2 s → 8 s; so exactly c0..c3 finished by 5.5 s.
      assert.strictEqual(result.status, "deadline")
      assert.deepStrictEqual(result.cases.map((c) => c.index), [0, 1, 2, 3])
      assert.deepStrictEqual(result.unfinished.map((c) => c.index), [4, 5, 6, 7, 8, 9])
      assert.strictEqual(probe.state.inFlightCases.size, 0, "in-flight metrics were interrupted")
    }))

  it.effect("caller interruption interrupts everything the run started and loses no finished result", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      const seen: Array<CaseResult> = []
      const metric = probe.metric({ delay: (i) => `${i + 1} seconds` })
      const fiber = yield* Effect.fork(evaluate(makeCases(8), [metric], {
        concurrency: 3,
        onResult: (r) => Effect.sync(() => void seen.push(r))
      }))
      yield* TestClock.adjust("2500 millis")
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(seen.map((r) => r.index), [0, 1])
      assert.strictEqual(probe.state.inFlightCases.size, 0)
      const startedAtInterrupt = probe.state.started
      assert.strictEqual(probe.state.interrupted, startedAtInterrupt - 2)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(probe.state.started, startedAtInterrupt, "no fiber kept running")
    }))
  it.effect("a case the sink holds while it waits for due I/O is still delivered when the run is interrupted", () =>
    Effect.gen(function*() {
      // Case 0's reply comes from an I/O-like callback (setImmediate); case 1 never finishes. The caller
      // interrupts after that callback, while the sink holds case 0 and waits for the I/O callbacks due.
      // Event-loop ordering only: setImmediate callbacks run in the order they were queued.
      const seen: Array<number> = []
      const started = yield* Deferred.make<void>()
      const metric = Metric.make({
        name: "io",
        measure: (c) =>
          indexOf(c) === 0
            ? Effect.zipRight(
              Deferred.succeed(started, undefined),
              Effect.async<{ score: number }>((resume) => {
                const handle = setImmediate(() => resume(Effect.succeed({ score: 1 })))
                return Effect.sync(() => clearImmediate(handle))
              })
            )
            : Effect.never
      })
      const fiber = yield* Effect.fork(evaluate(makeCases(2), [metric], {
        concurrency: 2,
        onResult: (r) => Effect.sync(() => void seen.push(r.index))
      }))
      yield* Deferred.await(started)
      // Queued after case 0's reply: runs once that reply has finished case 0 and woken the sink.
      yield* Effect.async<void>((resume) => {
        const handle = setImmediate(() => resume(Effect.void))
        return Effect.sync(() => clearImmediate(handle))
      })
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(seen, [0])
    }))
})

describe("missing parameters and skipping", () => {
  const needsContext = Metric.make({
    name: "needs-context",
    requires: ["retrievalContext"],
    measure: () => Effect.succeed({ score: 1 })
  })
  const always = Metric.make({ name: "always", measure: () => Effect.succeed({ score: 1 }) })
  const cases = [
    LLMTestCase.make({ input: "q", retrievalContext: ["ctx"] }),
    LLMTestCase.make({ input: "q" })
  ]

  it.effect("skipOnMissingParams skips the metric; a case whose every metric skipped is skipped, not passed", () =>
    Effect.gen(function*() {
      const result = yield* evaluate(cases, [needsContext], { skipOnMissingParams: true })
      assert.deepStrictEqual(result.cases.map((c) => [c.success, c.skipped]), [[true, false], [false, true]])
      assert.deepStrictEqual([result.summary.passed, result.summary.skipped, result.summary.passRate], [1, 1, 1])
      const mixed = yield* evaluate(cases, [needsContext, always], { skipOnMissingParams: true })
      assert.deepStrictEqual(mixed.cases.map((c) => [c.success, c.skipped]), [[true, false], [true, false]])
    }))

  it.effect("without it, a missing field is a MissingParams-style error that fails the run", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(evaluate(cases, [needsContext]))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), "missing required field: retrievalContext")
      const ignored = yield* evaluate(cases, [needsContext], { ignoreErrors: true })
      assert.strictEqual(ignored.cases[1]!.metrics[0]!.error, "missing required field: retrievalContext")
      assert.strictEqual(ignored.summary.errored, 1)
    }))

  it.effect("onResults: every delivered result once, in batches, before its onResult; none past the error budget", () =>
    Effect.gen(function*() {
      const probe = makeProbe()
      // 30 cases finishing together, 5 of them errored, budget 2: the third errored case fails the run.
      const metric = probe.metric({ delay: () => "1 second", fails: (i) => i % 6 === 5 })
      const events: Array<string> = []
      const batched: Array<CaseResult> = []
      const fiber = yield* Effect.fork(evaluate(makeCases(30), [metric], {
        concurrency: 30,
        maxErrors: 2,
        onResults: (results) =>
          Effect.sync(() => {
            batched.push(...results)
            for (const r of results) events.push(`batch ${r.index}`)
          }),
        onResult: (r) => Effect.sync(() => void events.push(`one ${r.index}`))
      }))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.await(fiber)
      assert.include(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "", "ErrorBudgetExceeded")
      const delivered = events.filter((e) => e.startsWith("one ")).map((e) => Number(e.slice(4)))
      assert.deepStrictEqual(batched.map((r) => r.index), delivered, "onResults saw exactly the delivered results, in order")
      assert.strictEqual(new Set(delivered).size, delivered.length, "each once")
      assert.strictEqual(batched.filter((r) => r.errored).length, 2, "the errored cases within the budget, not the third")
      assert.isAbove(delivered.length, 2)
      for (const index of delivered) {
        assert.isBelow(events.indexOf(`batch ${index}`), events.indexOf(`one ${index}`), `case ${index}: onResults first`)
      }
    }))
})
