import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Context, Effect, Layer, Stream } from "effect"
import { Eval, exactMatch, isEval, Metric, runEval, TaskCache } from "@assay/core"

class Atlas extends Context.Tag("test/Atlas")<Atlas, { readonly capital: (country: string) => Effect.Effect<string> }>() {}
class Style extends Context.Tag("test/Style")<Style, { readonly shout: boolean }>() {}

const AtlasLive = Layer.succeed(Atlas, { capital: (country) => Effect.succeed(country === "France" ? "Paris" : "Rome") })
const StyleLive = Layer.succeed(Style, { shout: false })

/** A custom metric that needs a service. */
const quiet = Metric.make({
  name: "quiet",
  measure: (c) =>
    Effect.map(Style, (style) => ({ score: style.shout || (c._tag === "LLMTestCase" && String(c.actualOutput) === String(c.actualOutput).toUpperCase()) ? 0 : 1 }))
})

const capitals = Eval.make({
  name: "capitals",
  data: [{ input: "France", expected_output: "Paris" }, { input: "Spain", expectedOutput: "Madrid" }],
  task: (testCase) => Effect.flatMap(Atlas, (atlas) => atlas.capital(String(testCase.input))),
  metrics: [exactMatch(), quiet],
  layer: Layer.merge(AtlasLive, StyleLive)
})

describe("Eval", () => {
  it("carries the union of task and metric requirements until a layer provides them", () => {
    expectTypeOf(capitals).toEqualTypeOf<Eval.Eval<never, never>>()
    const open = Eval.make({
      name: "open",
      data: [{ input: "France" }],
      task: (c) => Effect.flatMap(Atlas, (a) => a.capital(String(c.input))),
      metrics: [exactMatch(), quiet]
    })
    expectTypeOf(open).toEqualTypeOf<Eval.Eval<Atlas | Style, never>>()
    expectTypeOf(runEval(open)).toEqualTypeOf<Effect.Effect<import("@assay/core").RunResult, import("@assay/core").EvalError | import("@assay/core").InvalidTestCase, Atlas | Style>>()
    // @ts-expect-error the layer does not provide Style, which `quiet` needs
    Eval.make({
      name: "missing",
      data: [],
      task: (c) => Effect.flatMap(Atlas, (a) => a.capital(String(c.input))),
      metrics: [quiet],
      layer: AtlasLive
    })
    Eval.make({
      name: "needs-input",
      data: [],
      metrics: [exactMatch()],
      // @ts-expect-error a layer that itself requires a service cannot run the eval
      layer: Layer.effect(Style, Effect.map(Atlas, () => ({ shout: false })))
    })
  })

  it.effect("runs the task under its layer and merges its output into the case", () =>
    Effect.gen(function*() {
      const result = yield* runEval(capitals)
      assert.strictEqual(result.summary.total, 2)
      assert.strictEqual(result.summary.passed, 1)
      const failed = result.cases[1]!
      assert.isFalse(failed.success)
      assert.isTrue(isEval(capitals))
      assert.isFalse(isEval({ name: "x" }))
    }))

  it.effect("an object result fills fields and metadata; options override the eval's", () =>
    Effect.gen(function*() {
      const rich = Eval.make({
        name: "rich",
        data: Stream.make({ input: "q", metadata: { keep: 1 } }),
        task: () => Effect.succeed({ actualOutput: "a", retrievalContext: ["ctx"], metadata: { added: 2 }, cost: 0.5 }),
        metrics: [Metric.make({
          name: "sees-fields",
          measure: (c) =>
            Effect.succeed({
              score: c._tag === "LLMTestCase" && c.retrievalContext?.[0] === "ctx" && c.metadata?.["keep"] === 1 && c.metadata?.["added"] === 2 ? 1 : 0
            })
        })],
        options: { concurrency: 0 } // invalid on purpose: the caller's option wins
      })
      const result = yield* runEval(rich, { concurrency: 2 })
      assert.strictEqual(result.summary.passed, 1)
      assert.strictEqual(result.summary.cost, 0.5)
    }))

  it.effect("an invalid item fails with its index and the path of the field", () =>
    Effect.gen(function*() {
      const bad = Eval.make({ name: "bad", data: [{ input: "ok" }, { input: "x", expected_output: 3 }], metrics: [exactMatch()] })
      const error = yield* Effect.flip(runEval(bad))
      assert.strictEqual(error._tag, "InvalidTestCase")
      assert.include(error.message, "case #1")
      assert.include(error.message, "expectedOutput")
    }))

  it.effect("a task returning a malformed field is an error on that case, naming the field", () =>
    Effect.gen(function*() {
      const wrong = Eval.make({
        name: "wrong",
        data: [{ input: "q" }],
        task: () => Effect.succeed({ actualOutput: 42 as unknown as string }),
        metrics: [exactMatch()]
      })
      const result = yield* runEval(wrong, { ignoreErrors: true })
      assert.strictEqual(result.summary.errored, 1)
      const error = yield* Effect.flip(runEval(wrong))
      assert.include(error.message, "task output: actualOutput")
    }))
})

describe("a versioned Eval task", () => {
  it.effect("is served from a TaskCache for an unchanged case; unversioned, it runs every time", () =>
    Effect.gen(function*() {
      let calls = 0
      const spec = {
        name: "counted",
        data: [{ input: "France", expectedOutput: "Paris" }],
        task: () => Effect.sync(() => { calls++; return "Paris" }),
        metrics: [exactMatch()]
      }
      const versioned = Eval.make({ ...spec, version: 1 })
      const twice = Effect.zipRight(runEval(versioned), runEval(versioned)).pipe(Effect.provide(TaskCache.memory))
      assert.strictEqual((yield* twice).summary.passed, 1)
      assert.strictEqual(calls, 1)
      const plain = Eval.make(spec)
      yield* Effect.zipRight(runEval(plain), runEval(plain)).pipe(Effect.provide(TaskCache.memory))
      assert.strictEqual(calls, 3)
      const bumped = Eval.make({ ...spec, version: 2 })
      yield* Effect.zipRight(runEval(versioned), runEval(bumped)).pipe(Effect.provide(TaskCache.memory))
      assert.strictEqual(calls, 5) // a new version is a new key
    }))
})
