import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { decodeTestCase, Metric, metricCacheKey } from "@assay/core"

const base = {
  input: "What is 2+2?",
  actual_output: "4",
  expected_output: "4",
  context: ["math"],
  retrieval_context: ["2+2=4"],
  tools_called: [{ name: "calc", input_parameters: { expr: "2+2" } }],
  expected_tools: [{ name: "calc" }],
  metadata: { source: "unit" }
}
const metric = Metric.make({
  name: "exact",
  threshold: 0.5,
  config: { version: 1, options: { ignoreCase: false } },
  measure: () => Effect.succeed({ score: 1 })
})
const keyOf = (raw: unknown, m = metric, hyper: Record<string, unknown> = { model: "m1" }) =>
  Effect.map(decodeTestCase(raw), (c) => metricCacheKey(c, m, hyper))

describe("metricCacheKey through decodeTestCase", () => {
  it.effect("is stable under key order, snake/camel spelling, case name and tags", () =>
    Effect.gen(function*() {
      const reference = yield* keyOf(base)
      const reordered = Object.fromEntries(Object.entries(base).reverse())
      assert.strictEqual(yield* keyOf(reordered), reference)
      assert.strictEqual(
        yield* keyOf({
          input: base.input,
          actualOutput: base.actual_output,
          expectedOutput: base.expected_output,
          context: base.context,
          retrievalContext: base.retrieval_context,
          toolsCalled: [{ name: "calc", inputParameters: { expr: "2+2" } }],
          expectedTools: base.expected_tools,
          metadata: base.metadata
        }),
        reference
      )
      assert.strictEqual(yield* keyOf({ ...base, name: "renamed case" }), reference)
      assert.strictEqual(yield* keyOf({ ...base, tags: ["smoke"] }), reference)
      assert.strictEqual(yield* keyOf(base, metric, { model: "m1" }), reference, "equal input, equal key")
    }))

  it.effect("changes with every case field", () =>
    Effect.gen(function*() {
      const reference = yield* keyOf(base)
      const variants: Record<string, unknown> = {
        input: "What is 3+3?",
        actual_output: "5",
        expected_output: "four",
        context: ["arithmetic"],
        retrieval_context: ["2+2 is 4"],
        tools_called: [{ name: "calc", input_parameters: { expr: "2 + 2" } }],
        expected_tools: [{ name: "search" }],
        metadata: { source: "other" }
      }
      const keys = new Set([reference])
      for (const [field, value] of Object.entries(variants)) {
        const key = yield* keyOf({ ...base, [field]: value })
        assert.notStrictEqual(key, reference, `changing ${field} must change the key`)
        keys.add(key)
      }
      assert.strictEqual(keys.size, Object.keys(variants).length + 1)
      // A field that was absent and is now present changes the key too.
      const { expected_output: _, ...withoutExpected } = base
      assert.notStrictEqual(yield* keyOf(withoutExpected), reference)
    }))

  it.effect("changes with conversational fields", () =>
    Effect.gen(function*() {
      const conv = { turns: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }], scenario: "greeting" }
      const reference = yield* keyOf(conv)
      for (const variant of [
        { ...conv, scenario: "farewell" },
        { ...conv, turns: [{ role: "user", content: "hi" }, { role: "assistant", content: "hey" }] },
        { ...conv, expected_outcome: "polite" },
        { ...conv, chatbot_role: "helper" },
        { ...conv, user_description: "a tester" }
      ]) assert.notStrictEqual(yield* keyOf(variant), reference)
    }))

  it.effect("changes with metric options, threshold, strict mode, name and every hyperparameter", () =>
    Effect.gen(function*() {
      const reference = yield* keyOf(base)
      const metrics = [
        Metric.make({ ...metric, config: { version: 1, options: { ignoreCase: true } } }),
        Metric.make({ ...metric, config: { version: 2, options: { ignoreCase: false } } }),
        Metric.make({ ...metric, threshold: 0.7 }),
        Metric.make({ ...metric, strict: true }),
        Metric.make({ ...metric, name: "exact-2" })
      ]
      for (const m of metrics) assert.notStrictEqual(yield* keyOf(base, m), reference, JSON.stringify(m))
      assert.notStrictEqual(yield* keyOf(base, metric, { model: "m2" }), reference)
      assert.notStrictEqual(yield* keyOf(base, metric, { model: "m1", prompt: "v2" }), reference)
      assert.notStrictEqual(yield* keyOf(base, metric, {}), reference)
      assert.strictEqual(yield* keyOf(base, metric, { model: "m1" }), reference)
    }))
})
