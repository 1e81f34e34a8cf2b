import { assert, describe, it } from "@effect/vitest"
import { Data, Effect, FiberRef, Fiber, Option, TestClock } from "effect"
import { CurrentCase, currentRepetition, EvalCache, evaluate, exactMatch, LLMTestCase, Metric, type RepeatReducer, type Task, type TestCase } from "@assay/core"

class Refused extends Data.TaggedError("Refused")<{ readonly message: string }> {}

/**
 * A flaky app: the n-th call for a case answers `answers[n % answers.length]` after 1 s (virtual), costing
 * 0.01 and 2+1 tokens; it refuses a call whose answer is "!". `calls` counts its invocations per case index.
 */
const flakyTask = (answers: ReadonlyArray<string>) => {
  const calls = new Map<number, number>()
  const repetitions: Array<number> = []
  const task: Task = (testCase: TestCase, index: number) =>
    Effect.gen(function*() {
      const n = calls.get(index) ?? 0
      calls.set(index, n + 1)
      repetitions.push(yield* FiberRef.get(currentRepetition))
      yield* Effect.sleep("1 second")
      const answer = answers[n % answers.length]!
      if (answer === "!") return yield* new Refused({ message: "503: the app is down" })
      return { testCase: { ...testCase, actualOutput: answer } as TestCase, cost: 0.01, tokens: { input: 2, output: 1 } }
    })
  return { task, calls, repetitions }
}

const paris = (n: number) => Array.from({ length: n }, (_, i) => LLMTestCase.make({ name: `c${i}`, input: `q${i}`, expectedOutput: "Paris" }))

/** Run with a task under TestClock: fork, move virtual time past every epoch, join. */
const runWith = (task: Task, options: { readonly repeat: number; readonly repeatReducer?: RepeatReducer; readonly ignoreErrors?: boolean }, cases = paris(1)) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(evaluate(cases, [exactMatch()], { task, concurrency: 4, ...options }))
    yield* TestClock.adjust(`${options.repeat * cases.length} seconds`)
    return yield* Fiber.join(fiber)
  })

describe("epochs with a task", () => {
  it.effect("the task runs once per epoch, and the case's time, cost and tokens include every epoch", () =>
    Effect.gen(function*() {
      const { calls, task } = flakyTask(["Paris"])
      const result = yield* runWith(task, { repeat: 3 }, paris(5))
      assert.deepStrictEqual([...calls.values()], [3, 3, 3, 3, 3])
      const first = result.cases[0]!
      assert.strictEqual(first.durationMs, 3000)
      assert.closeTo(first.cost, 0.03, 1e-9)
      assert.deepStrictEqual(first.tokens, { input: 6, output: 3 })
      assert.deepStrictEqual(first.metrics[0]!.epochScores, [1, 1, 1])
      assert.strictEqual(result.summary.passed, 5)
    }))

  it.effect("mean, min, pass@k and pass^k reduce each metric's epoch scores", () =>
    Effect.gen(function*() {
      const answers = ["Lyon", "Paris", "Lyon"] // scores 0, 1, 0
      const outcome = (reducer: RepeatReducer) =>
        Effect.map(runWith(flakyTask(answers).task, { repeat: 3, repeatReducer: reducer }), (r) => {
          const m = r.cases[0]!.metrics[0]!
          return [m.score, m.success, r.cases[0]!.success]
        })
      const mean = yield* outcome("mean")
      assert.closeTo(mean[0] as number, 1 / 3, 1e-9)
      assert.deepStrictEqual(mean.slice(1), [false, false])
      assert.deepStrictEqual(yield* outcome("min"), [0, false, false])
      assert.deepStrictEqual(yield* outcome("pass@k"), [1, true, true])
      assert.deepStrictEqual(yield* outcome("pass^k"), [0, false, false])
      const allPass = yield* runWith(flakyTask(["Paris"]).task, { repeat: 2, repeatReducer: "pass^k" })
      assert.strictEqual(allPass.cases[0]!.success, true)
    }))

  it.effect("a failing case keeps the output of an epoch that failed, and the reason names the deciding epoch", () =>
    Effect.gen(function*() {
      const result = yield* runWith(flakyTask(["Paris", "Lyon", "Paris"]).task, { repeat: 3, repeatReducer: "pass^k" })
      const metric = result.cases[0]!.metrics[0]!
      assert.deepStrictEqual(metric.epochScores, [1, 0, 1])
      assert.match(metric.reason ?? "", /^pass\^k of 3 epochs \(1\.000, 0\.000, 1\.000\); epoch 2: /)
    }))

  it.effect("each epoch runs with its index in currentRepetition and CurrentCase, in the task and in pooled metrics", () =>
    Effect.gen(function*() {
      const { repetitions, task } = flakyTask(["Paris"])
      const seen: Array<number> = []
      const epochOf = Effect.zipWith(FiberRef.get(currentRepetition), FiberRef.get(CurrentCase), (r, c) =>
        Option.match(c, { onNone: () => -1, onSome: (ref) => (ref.repetition === r ? r : -1) }))
      const probe = (name: string) => Metric.make({ name, measure: () => Effect.map(epochOf, (i) => (seen.push(i), { score: 1 })) })
      const fiber = yield* Effect.fork(evaluate(paris(1), [probe("a"), probe("b"), probe("c")], { task, repeat: 3 }))
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(repetitions, [0, 1, 2])
      assert.deepStrictEqual(seen.sort(), [0, 0, 0, 1, 1, 1, 2, 2, 2])
    }))

  it.effect("a task failing in an epoch errors the case naming the epoch, and the later epochs do not run", () =>
    Effect.gen(function*() {
      const { calls, task } = flakyTask(["Paris", "!", "Paris"])
      const result = yield* runWith(task, { repeat: 3, ignoreErrors: true })
      assert.deepInclude(result.cases[0]!, { errored: true, error: "epoch 2 of 3: 503: the app is down" })
      assert.closeTo(result.cases[0]!.cost, 0.01, 1e-9)
      assert.strictEqual(calls.get(0), 2)
    }))

  it.effect("runs with epochs neither read nor write the metric cache", () =>
    Effect.gen(function*() {
      let lookups = 0
      let stores = 0
      const counting = EvalCache.of({
        beginRun: Effect.void,
        lookupMany: (keys) => Effect.sync(() => (lookups++, keys.map(() => undefined))),
        store: () => Effect.sync(() => void stores++)
      })
      const cases = paris(2).map((c) => LLMTestCase.make({ ...c, actualOutput: "Paris" }))
      yield* evaluate(cases, [exactMatch()], { repeat: 2 }).pipe(Effect.provideService(EvalCache, counting))
      assert.deepStrictEqual([lookups, stores], [0, 0])
      yield* evaluate(cases, [exactMatch()]).pipe(Effect.provideService(EvalCache, counting))
      assert.isAbove(lookups + stores, 0)
    }))
})

describe("repeats without a task", () => {
  it.effect("each metric is measured k times on the case as given, with its epoch scores kept", () =>
    Effect.gen(function*() {
      const scores = [0.9, 0.2, 0.7]
      let n = 0
      const varying = Metric.make({ name: "varying", threshold: 0.5, measure: () => Effect.sync(() => ({ score: scores[n++ % 3]!, cost: 0.5 })) })
      const result = yield* evaluate([LLMTestCase.make({ input: "q" })], [varying], { repeat: 3, repeatReducer: "pass^k" })
      const m = result.cases[0]!.metrics[0]!
      assert.deepStrictEqual([m.score, m.success, m.epochScores, m.cost], [0.2, false, [0.9, 0.2, 0.7], 1.5])
      assert.strictEqual(n, 3)
    }))

  it("an unknown reducer is refused", () => {
    assert.throws(() => Effect.runSync(evaluate([], [], { repeatReducer: "max" as RepeatReducer })), /repeatReducer must be one of mean, min, pass@k, pass\^k, got max/)
  })
})
