import { assert, describe, it } from "@effect/vitest"
import { Effect, FiberRef, Layer, Option } from "effect"
import {
  CacheError,
  cachedTask,
  CurrentCase,
  describeCase,
  evaluate,
  exactMatch,
  LLMTestCase,
  type Metric,
  type Task,
  TaskCache,
  type TestCase
} from "@assay/core"

const cases = [
  LLMTestCase.make({ name: "paris", input: "France", expectedOutput: "Paris" }),
  LLMTestCase.make({ input: "Italy", expectedOutput: "Rome" })
]

/** A task answering "Paris" for every case, counting its calls and the case each call saw in CurrentCase. */
const counting = () => {
  const seen: Array<string> = []
  const task: Task = (testCase) =>
    Effect.map(FiberRef.get(CurrentCase), (current) => {
      seen.push(Option.match(current, { onNone: () => "none", onSome: describeCase }))
      return { testCase: { ...testCase, actualOutput: "Paris" } as TestCase, cost: 0.5 }
    })
  return { seen, task }
}

describe("CurrentCase", () => {
  it.effect("names the case inside its task and its metrics", () =>
    Effect.gen(function*() {
      const { seen, task } = counting()
      const inMetric: Array<string> = []
      const probe: Metric.Metric = {
        ...exactMatch(),
        name: "probe",
        measure: () =>
          Effect.map(FiberRef.get(CurrentCase), (current) => {
            inMetric.push(Option.match(current, { onNone: () => "none", onSome: describeCase }))
            return { score: 1 }
          })
      }
      yield* evaluate(cases, [probe], { task, concurrency: 1 })
      assert.deepStrictEqual(seen, ['#0 "paris"', "#1"])
      assert.deepStrictEqual(inMetric, ['#0 "paris"', "#1"])
      assert.isTrue(Option.isNone(yield* FiberRef.get(CurrentCase)))
    }))
})

describe("cachedTask", () => {
  it.effect("serves an unchanged case from the cache at no cost; a new version or read: false runs the task again", () =>
    Effect.gen(function*() {
      const { seen, task } = counting()
      const first = yield* evaluate(cases, [exactMatch()], { task: cachedTask(task, { name: "capitals", version: "1" }) })
      assert.strictEqual(seen.length, 2)
      assert.strictEqual(first.summary.cost, 1)
      const second = yield* evaluate(cases, [exactMatch()], { task: cachedTask(task, { name: "capitals", version: "1" }) })
      assert.strictEqual(seen.length, 2)
      assert.strictEqual(second.summary.cost, 0)
      assert.deepStrictEqual(second.cases.map((c) => [c.name, c.success]), first.cases.map((c) => [c.name, c.success]))
      yield* evaluate(cases, [exactMatch()], { task: cachedTask(task, { name: "capitals", version: "2" }) })
      assert.strictEqual(seen.length, 4)
      yield* evaluate(cases, [exactMatch()], { task: cachedTask(task, { name: "capitals", version: "2" }, { read: false }) })
      assert.strictEqual(seen.length, 6)
      yield* evaluate(cases, [exactMatch()], { task: cachedTask(task, { name: "capitals", version: "2", hyperparameters: { t: 1 } }) })
      assert.strictEqual(seen.length, 8)
    }).pipe(Effect.provide(TaskCache.memory)))

  it.effect("keeps the case's own name: labels are not part of the key", () =>
    Effect.gen(function*() {
      const { task } = counting()
      const wrapped = cachedTask(task, { name: "capitals" })
      yield* evaluate([LLMTestCase.make({ name: "a", input: "France", expectedOutput: "Paris" })], [exactMatch()], { task: wrapped })
      const again = yield* evaluate([LLMTestCase.make({ name: "b", input: "France", expectedOutput: "Paris" })], [exactMatch()], { task: wrapped })
      assert.strictEqual(again.cases[0]!.name, "b")
    }).pipe(Effect.provide(TaskCache.memory)))

  it.effect("runs the task every time without a TaskCache, and when the cache fails", () =>
    Effect.gen(function*() {
      const { seen, task } = counting()
      const wrapped = cachedTask(task, { name: "capitals" })
      yield* evaluate(cases, [exactMatch()], { task: wrapped })
      yield* evaluate(cases, [exactMatch()], { task: wrapped })
      assert.strictEqual(seen.length, 4)
      const down = new CacheError({ message: "down" })
      const failing = Layer.succeed(TaskCache, { get: () => Effect.fail(down), set: () => Effect.fail(down) })
      const result = yield* evaluate(cases, [exactMatch()], { task: wrapped }).pipe(Effect.provide(failing))
      assert.strictEqual(seen.length, 6)
      assert.strictEqual(result.summary.errored, 0)
    }))
})
