import { assert, describe, it } from "@effect/vitest"
import { Effect, FiberRef, Layer, Option } from "effect"
import {
  CacheError,
  cachedTask,
  CurrentCase,
  describeCase,
  EvalCache,
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

  it.effect("names the case in a pooled metric, workers running several cases at once, and is none after the run", () =>
    Effect.gen(function*() {
      const inPool: Array<string> = []
      const pooled: Metric.Metric = {
        ...exactMatch(),
        name: "pooled",
        inline: false,
        measure: (testCase) =>
          Effect.map(FiberRef.get(CurrentCase), (current) => {
            inPool.push(`${testCase._tag === "LLMTestCase" ? String(testCase.input) : "?"} ${Option.match(current, { onNone: () => "none", onSome: describeCase })}`)
            return { score: 1 }
          })
      }
      const many = Array.from({ length: 6 }, (_, i) => LLMTestCase.make({ input: `q${i}`, actualOutput: "a", expectedOutput: "a" }))
      yield* evaluate(many, [exactMatch(), pooled], { concurrency: 3 })
      assert.deepStrictEqual(inPool.sort(), many.map((_, i) => `q${i} #${i}`))
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
      const failing = Layer.succeed(TaskCache, { getMany: () => Effect.fail(down), setMany: () => Effect.fail(down) })
      const result = yield* evaluate(cases, [exactMatch()], { task: wrapped }).pipe(Effect.provide(failing))
      assert.strictEqual(seen.length, 6)
      assert.strictEqual(result.summary.errored, 0)
    }))

  it.effect("reads a slice of cases in one round trip and keeps a delivered batch in one", () =>
    Effect.gen(function*() {
      const { seen, task } = counting()
      const calls = { getMany: [] as Array<number>, setMany: [] as Array<number> }
      const rows = new Map<string, unknown>()
      const counted = Layer.succeed(TaskCache, {
        getMany: (keys) => Effect.sync(() => (calls.getMany.push(keys.length), keys.map((k) => Option.fromNullable(rows.get(k))))),
        setMany: (entries) => Effect.sync(() => (calls.setMany.push(entries.length), entries.forEach((e) => rows.set(e.key, e.output))))
      })
      const many = Array.from({ length: 600 }, (_, i) => LLMTestCase.make({ input: `q${i}`, expectedOutput: "Paris" }))
      const wrapped = cachedTask(task, { name: "capitals" })
      const first = yield* evaluate(many, [exactMatch()], { task: wrapped, concurrency: 600 }).pipe(Effect.provide(counted))
      assert.strictEqual(first.summary.passed, 600)
      assert.deepStrictEqual(calls.getMany, [256, 256, 88])
      assert.strictEqual(calls.setMany.reduce((a, b) => a + b, 0), 600)
      assert.isAtMost(calls.setMany.length, 600 / 32)
      const second = yield* evaluate(many, [exactMatch()], { task: wrapped, concurrency: 600 }).pipe(Effect.provide(counted))
      assert.strictEqual(seen.length, 600)
      assert.strictEqual(second.summary.passed, 600)
      assert.strictEqual(second.summary.cost, 0)
    }))

  it.effect("keeps one output per epoch: k epochs stay k samples, and a rerun runs none", () =>
    Effect.gen(function*() {
      const { seen, task } = counting()
      const wrapped = cachedTask(task, { name: "capitals" })
      yield* evaluate(cases, [exactMatch()], { task: wrapped, repeat: 3 })
      assert.strictEqual(seen.length, 6)
      const again = yield* evaluate(cases, [exactMatch()], { task: wrapped, repeat: 3 })
      assert.strictEqual(seen.length, 6)
      assert.strictEqual(again.summary.cost, 0)
      yield* evaluate(cases, [exactMatch()], { task: wrapped, repeat: 4 })
      assert.strictEqual(seen.length, 8)
    }).pipe(Effect.provide(TaskCache.memory)))

  it.effect("serves a rerun whose outputs and scores are both kept without running the task or the metric", () =>
    Effect.gen(function*() {
      const { seen, task } = counting()
      let measured = 0
      const metric: Metric.Metric = { ...exactMatch(), measure: (c) => Effect.sync(() => (measured++, { score: "actualOutput" in c && c.actualOutput === c.expectedOutput ? 1 : 0 })) }
      const wrapped = cachedTask(task, { name: "capitals" })
      const first = yield* evaluate(cases, [metric], { task: wrapped })
      const second = yield* evaluate(cases, [metric], { task: wrapped })
      assert.strictEqual(seen.length, 2)
      assert.strictEqual(measured, 2)
      assert.deepStrictEqual(second.cases.map((c) => [c.name, c.success, c.testCase?.actualOutput]), first.cases.map((c) => [c.name, c.success, "Paris"]))
      assert.isTrue(second.cases.every((c) => c.metrics[0]!.cached))
    }).pipe(Effect.provide(Layer.merge(TaskCache.memory, EvalCache.memory))))
})
