import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, FiberRef, Layer } from "effect"
import { CacheError, caseCacheKey, currentRepetition, EvalCache, type EvalCacheApi, evaluate, hyperparameterSuffix, LLMTestCase, Metric, MetricError } from "@assay/core"
import { makePlan } from "../../src/engine/plan.js"
import { makeCases } from "./helpers.js"

/** A metric counting its real executions; fails on case c1 when `failOn1` is set. */
const counting = (failOn1: boolean) => {
  let calls = 0
  const metric = Metric.make({
    name: "counting",
    config: { version: 1 },
    measure: (c) =>
      Effect.suspend(() => {
        calls++
        return failOn1 && c.name === "c1"
          ? Effect.fail(new MetricError({ metric: "counting", message: "flaky" }))
          : Effect.succeed({ score: 0.75, reason: "ok", cost: 0.01 })
      })
  })
  return { metric, calls: () => calls }
}

const exactMatchLike = Metric.make({ name: "same", config: {}, measure: () => Effect.succeed({ score: 1 }) })

describe("engine with a cache", () => {
  it.effect("EvalCache.none is no cache: the plan keys nothing, and a rerun measures again", () =>
    Effect.gen(function*() {
      const withNone = yield* makePlan([exactMatchLike], {}).pipe(Effect.provide(EvalCache.none))
      assert.isUndefined(withNone.cache)
      assert.deepStrictEqual(withNone.tags, [])
      const withMemory = yield* makePlan([exactMatchLike], {}).pipe(Effect.provide(EvalCache.memory))
      assert.isDefined(withMemory.cache)
      const m = counting(false)
      yield* evaluate(makeCases(2), [m.metric]).pipe(Effect.zipRight(evaluate(makeCases(2), [m.metric])), Effect.provide(EvalCache.none))
      assert.strictEqual(m.calls(), 4)
    }))

  it.effect("a rerun is served from the cache, marked cached, and costs nothing; errors are never cached", () =>
    Effect.gen(function*() {
      const first = counting(true)
      const run1 = yield* evaluate(makeCases(3), [first.metric], { ignoreErrors: true })
      assert.strictEqual(first.calls(), 3)
      assert.closeTo(run1.summary.cost, 0.02, 1e-9)
      const second = counting(false)
      const run2 = yield* evaluate(makeCases(3), [second.metric], { ignoreErrors: true })
      assert.strictEqual(second.calls(), 1, "only the errored case is measured again")
      assert.deepStrictEqual(run2.cases.map((c) => c.metrics[0]!.cached), [true, false, true])
      assert.closeTo(run2.summary.cost, 0.01, 1e-9)
      assert.deepStrictEqual(run2.cases.map((c) => c.metrics[0]!.score), [0.75, 0.75, 0.75])
    }).pipe(Effect.provide(EvalCache.memory)))

  it.effect("hyperparameters are part of the key", () =>
    Effect.gen(function*() {
      const m = counting(false)
      yield* evaluate(makeCases(2), [m.metric], { hyperparameters: { prompt: "v1" } })
      yield* evaluate(makeCases(2), [m.metric], { hyperparameters: { prompt: "v2" } })
      yield* evaluate(makeCases(2), [m.metric], { hyperparameters: { prompt: "v1" } })
      assert.strictEqual(m.calls(), 4)
    }).pipe(Effect.provide(EvalCache.memory)))

  it.effect("without a cache service the engine neither reads nor writes", () =>
    Effect.gen(function*() {
      const m = counting(false)
      yield* evaluate(makeCases(2), [m.metric])
      yield* evaluate(makeCases(2), [m.metric])
      assert.strictEqual(m.calls(), 4)
    }))

  it.effect("a result is delivered only after its cache entries are stored, in batches, not one store per case", () =>
    Effect.gen(function*() {
      const stored = new Set<string>()
      let stores = 0
      const recording: EvalCacheApi = {
        beginRun: Effect.void,
        lookupMany: (keys) => Effect.succeed(keys.map(() => undefined)),
        store: (entries) =>
          Effect.sync(() => {
            stores++
            for (const e of entries) stored.add(e.caseKey)
          })
      }
      const delivered: Array<boolean> = []
      const cases = makeCases(500)
      const inline = Metric.make({ name: "inline", inline: true, measure: () => Effect.succeed({ score: 1 }) })
      yield* evaluate(cases, [inline], {
        concurrency: 8,
        onResult: (r) => Effect.sync(() => void delivered.push(stored.has(caseCacheKey(cases[r.index]!, hyperparameterSuffix({})))))
      }).pipe(Effect.provideService(EvalCache, recording))
      assert.strictEqual(delivered.length, 500)
      assert.isTrue(delivered.every((ok) => ok), "every result was durable in the cache before it was delivered")
      assert.isBelow(stores, 100, `finished cases are stored in batches (${stores} stores for 500 cases)`)
    }))

  it.effect("a fully cached rerun measures nothing, skips the throttle, and still announces every case", () =>
    Effect.gen(function*() {
      const m = counting(false)
      yield* evaluate(makeCases(5), [m.metric])
      const started: Array<number> = []
      const rerun = yield* evaluate(makeCases(5), [m.metric], {
        throttle: "1 hour",
        onCaseStart: (i) => Effect.sync(() => void started.push(i))
      })
      assert.strictEqual(m.calls(), 5, "measured on the first run only")
      assert.deepStrictEqual(rerun.cases.map((c) => c.metrics[0]!.cached), [true, true, true, true, true])
      assert.deepStrictEqual(started, [0, 1, 2, 3, 4])
    }).pipe(Effect.provide(EvalCache.memory)))

  it.effect("a failing cache degrades to uncached scoring", () =>
    Effect.gen(function*() {
      const failing: EvalCacheApi = {
        beginRun: Effect.fail(new CacheError({ message: "disk I/O error" })),
        lookupMany: () => Effect.fail(new CacheError({ message: "disk I/O error" })),
        store: () => Effect.fail(new CacheError({ message: "disk I/O error" }))
      }
      const m = counting(false)
      const result = yield* evaluate(makeCases(2), [m.metric]).pipe(Effect.provideService(EvalCache, failing))
      assert.strictEqual(result.summary.passed, 2)
      assert.strictEqual(m.calls(), 2)
    }))
})

describe("repeat", () => {
  const scores = [0.2, 0.9, 0.4]
  const varying = () => {
    let n = 0
    return Metric.make({ name: "varying", threshold: 0.5, measure: () => Effect.sync(() => ({ score: scores[n++ % 3]! })) })
  }
  it.effect("each repetition runs with its index in currentRepetition (0 outside repeats)", () =>
    Effect.gen(function*() {
      const seen: Array<number> = []
      const probe = Metric.make({
        name: "probe",
        measure: () => Effect.map(FiberRef.get(currentRepetition), (i) => (seen.push(i), { score: 1 }))
      })
      yield* evaluate([LLMTestCase.make({ input: "q" })], [probe], { repeat: 3 })
      yield* evaluate([LLMTestCase.make({ input: "q" })], [probe])
      assert.deepStrictEqual(seen, [0, 1, 2, 0])
    }))

  it.effect("mean, min and pass@k reduce k measurements", () =>
    Effect.gen(function*() {
      const one = [LLMTestCase.make({ input: "q" })]
      const mean = yield* evaluate(one, [varying()], { repeat: 3 })
      const min = yield* evaluate(one, [varying()], { repeat: 3, repeatReducer: "min" })
      const passAtK = yield* evaluate(one, [varying()], { repeat: 3, repeatReducer: "pass@k" })
      assert.closeTo(mean.cases[0]!.metrics[0]!.score!, 0.5, 1e-9)
      assert.strictEqual(mean.cases[0]!.success, true)
      assert.strictEqual(min.cases[0]!.metrics[0]!.score, 0.2)
      assert.strictEqual(min.cases[0]!.success, false)
      assert.strictEqual(passAtK.cases[0]!.metrics[0]!.score, 0.9)
      assert.strictEqual(passAtK.cases[0]!.success, true)
    }))
})

describe("score normalization", () => {
  it.effect("scores outside [0, 1] are clamped; NaN is a metric error", () =>
    Effect.gen(function*() {
      const scoring = (name: string, score: number) => Metric.make({ name, measure: () => Effect.succeed({ score }) })
      const result = yield* evaluate([LLMTestCase.make({ input: "q" })], [scoring("high", 1.7), scoring("low", -2), scoring("nan", NaN)], { ignoreErrors: true })
      assert.deepStrictEqual(result.cases[0]!.metrics.map((m) => [m.score, m.error]), [[1, null], [0, null], [null, "score is not a number"]])
    }))
})

describe("custom metrics", () => {
  /** A metric implemented by a service: the Layer decides how similarity is computed. */
  class Similarity extends Context.Tag("test/Similarity")<Similarity, {
    readonly score: (a: string, b: string) => Effect.Effect<number>
  }>() {}
  const similarity = Metric.make({
    name: "similarity",
    requires: ["actualOutput", "expectedOutput"],
    measure: (c) =>
      Effect.flatMap(Similarity, (s) =>
        c._tag === "LLMTestCase"
          ? Effect.map(s.score(String(c.actualOutput), String(c.expectedOutput)), (score) => ({ score }))
          : Effect.succeed({ score: 0 }))
  })
  const lengthRatio = Layer.succeed(Similarity, {
    score: (a, b) => Effect.succeed(Math.min(a.length, b.length) / Math.max(a.length, b.length))
  })
  const plainValue = Metric.make({
    name: "shouty",
    measure: (c) => Effect.succeed({ score: c._tag === "LLMTestCase" && String(c.actualOutput).endsWith("!") ? 1 : 0 })
  })

  it.effect("a plain-value metric and a service-backed metric run side by side", () =>
    Effect.gen(function*() {
      const cases = [LLMTestCase.make({ input: "q", actualOutput: "hello!", expectedOutput: "hello" })]
      const result = yield* evaluate(cases, [similarity, plainValue]).pipe(Effect.provide(lengthRatio))
      assert.deepStrictEqual(result.cases[0]!.metrics.map((m) => m.score), [5 / 6, 1])
    }))
})
