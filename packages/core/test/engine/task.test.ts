import { assert, describe, it } from "@effect/vitest"
import { Cause, Data, Effect, Exit, Fiber, TestClock } from "effect"
import { EvalCache, evaluate, exactMatch, LLMTestCase, type Task, type TestCase } from "@assay/core"

/** n cases without an output: the task produces `String(i)`, the expected output is `String(i)`. */
const unanswered = (n: number): Array<LLMTestCase> =>
  Array.from({ length: n }, (_, i) => LLMTestCase.make({ name: `c${i}`, input: `q${i}`, expectedOutput: String(i) }))

class Refused extends Data.TaggedError("Refused")<{ readonly message: string }> {}

/** A task that takes 1 s per case (virtual), costs 0.01 and 3+1 tokens, and refuses the cases in `refused`. */
const makeTask = (refused: ReadonlySet<number>) => {
  const state = { calls: 0, inFlight: 0, maxInFlight: 0 }
  const task: Task = (testCase: TestCase, index: number) =>
    Effect.gen(function*() {
      state.calls++
      state.inFlight++
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
      yield* Effect.sleep("1 second").pipe(Effect.ensuring(Effect.sync(() => state.inFlight--)))
      if (refused.has(index)) return yield* new Refused({ message: `400: refused input ${index}` })
      return { testCase: { ...testCase, actualOutput: String(index) } as TestCase, cost: 0.01, tokens: { input: 3, output: 1 } }
    })
  return { task, state }
}

describe("the engine's task stage", () => {
  it.effect("runs in the case workers (at most `concurrency` at once) and its spend counts in the case's totals", () =>
    Effect.gen(function*() {
      const { state, task } = makeTask(new Set())
      const fiber = yield* Effect.fork(evaluate(unanswered(10), [exactMatch()], { concurrency: 3, task }))
      yield* TestClock.adjust("4 seconds")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(state.maxInFlight, 3)
      assert.strictEqual(result.summary.passed, 10)
      assert.deepStrictEqual(result.cases.map((c) => c.durationMs), Array(10).fill(1000))
      assert.closeTo(result.summary.cost, 0.1, 1e-9)
      assert.deepStrictEqual(result.summary.tokens, { input: 30, output: 10 })
    }))

  it.effect("fail-fast by default: a failed task fails the run with TaskFailed naming the case", () =>
    Effect.gen(function*() {
      const { task } = makeTask(new Set([2]))
      const fiber = yield* Effect.fork(evaluate(unanswered(6), [exactMatch()], { concurrency: 6, task }))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
      assert.strictEqual(error?._tag === "Some" ? error.value.message : "", "task failed on case #2 (c2): 400: refused input 2")
    }))

  it.effect("ignoreErrors: a failed task is an error on its case, the others are scored", () =>
    Effect.gen(function*() {
      const { task } = makeTask(new Set([1, 4]))
      const fiber = yield* Effect.fork(evaluate(unanswered(6), [exactMatch()], { concurrency: 2, task, ignoreErrors: true }))
      yield* TestClock.adjust("3 seconds")
      const result = yield* Fiber.join(fiber)
      assert.deepInclude(result.summary, { passed: 4, errored: 2, failed: 0 })
      const refused = result.cases[1]!
      assert.deepInclude(refused, { errored: true, success: false, skipped: false, error: "400: refused input 1", metrics: [] })
      assert.isUndefined(result.cases[0]!.error)
    }))

  it.effect("maxErrors: within the budget the run completes, beyond it the run fails", () =>
    Effect.gen(function*() {
      const within = yield* Effect.fork(evaluate(unanswered(6), [exactMatch()], { concurrency: 6, task: makeTask(new Set([0, 3])).task, maxErrors: 2 }))
      const beyond = yield* Effect.fork(evaluate(unanswered(6), [exactMatch()], { concurrency: 6, task: makeTask(new Set([0, 3, 5])).task, maxErrors: 2 }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(within)).summary.errored, 2)
      const failed = yield* Fiber.await(beyond)
      assert.isTrue(Exit.isFailure(failed) && Cause.pretty(failed.cause).includes("ErrorBudgetExceeded"))
    }))

  it.effect("a defect or a timeout in the task is the case's error too", () =>
    Effect.gen(function*() {
      const task: Task = (testCase, index) =>
        index === 0 ? Effect.die(new Error("bug in the app")) : index === 1 ? Effect.never : Effect.succeed({ testCase: { ...testCase, actualOutput: String(index) } as TestCase })
      const fiber = yield* Effect.fork(evaluate(unanswered(3), [exactMatch()], { task, ignoreErrors: true, timeout: "5 seconds" }))
      yield* TestClock.adjust("5 seconds")
      const result = yield* Fiber.join(fiber)
      assert.deepStrictEqual(result.cases.map((c) => c.error), ["bug in the app", "timed out after 5s", undefined])
    }))

  it.effect("with a cache, the produced case is looked up: a rerun re-runs the task but serves the metric from the cache", () =>
    Effect.gen(function*() {
      const first = makeTask(new Set())
      const run1 = yield* Effect.fork(evaluate(unanswered(4), [exactMatch()], { concurrency: 4, task: first.task }))
      yield* TestClock.adjust("1 second")
      assert.isTrue((yield* Fiber.join(run1)).cases.every((c) => !c.metrics[0]!.cached))
      const second = makeTask(new Set())
      const run2 = yield* Effect.fork(evaluate(unanswered(4), [exactMatch()], { concurrency: 4, task: second.task }))
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(run2)
      assert.strictEqual(second.state.calls, 4)
      assert.isTrue(result.cases.every((c) => c.metrics[0]!.cached && c.success))
    }).pipe(Effect.provide(EvalCache.memory)))
})
