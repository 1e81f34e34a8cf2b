import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { evaluate, exactMatch, LLMTestCase, Metric, type RunResult, type TestCase } from "@assay/core"
import { assertEval, judgeRun } from "@assay/vitest"

const cases: ReadonlyArray<TestCase> = [
  LLMTestCase.make({ name: "paris", input: "Capital of France?", actualOutput: "Paris", expectedOutput: "Paris" }),
  LLMTestCase.make({ name: "canberra", input: "Capital of Australia?", actualOutput: "Sydney", expectedOutput: "Canberra" }),
  LLMTestCase.make({ name: "multi", input: "Two lines?", actualOutput: "one\ntwo", expectedOutput: "one\ntwo" })
]
/** A metric scoring 0.6 with a reason, passing at its default threshold 0.5. */
const lenient = Metric.make({ name: "lenient", measure: () => Effect.succeed({ score: 0.6, reason: "mostly right" }) })

/** The message assertEval throws, or "" when it passes. */
const thrown = (result: RunResult, options: Parameters<typeof assertEval>[1]): string => {
  try {
    assertEval(result, options)
    return ""
  } catch (e) {
    assert.strictEqual((e as Error).name, "AssertionError")
    return (e as Error).message
  }
}

describe("assertEval", () => {
  it.effect("throws a table naming each failing case, its input, expected and actual output, and each failing metric", () =>
    Effect.gen(function*() {
      const result = yield* evaluate(cases, [exactMatch(), lenient])
      const message = thrown(result, { name: "capitals" })
      const lines = message.split("\n")
      assert.strictEqual(lines[0], 'eval "capitals": 1 of 3 cases failed — pass rate 66.7%, required 100.0%')
      assert.deepStrictEqual(lines[2]!.split("│").map((c) => c.trim()), ["case", "input", "expected", "actual", "metric", "score", "threshold", "reason"])
      const row = lines.find((l) => l.startsWith("#1 canberra"))!.split("│").map((c) => c.trim())
      assert.deepStrictEqual(row.slice(0, 7), ["#1 canberra", "Capital of Australia?", "Canberra", "Sydney", "exact-match", "0.000", "1.000"])
      assert.include(row[7], "Sydney")
      assert.notInclude(message, "lenient", "a passing metric of a failing case is not listed")
      assert.notInclude(message, "#0 paris")
    }))

  it.effect("passes at minPassRate; thresholds override a metric's own and fail what falls below", () =>
    Effect.gen(function*() {
      const result = yield* evaluate(cases, [exactMatch(), lenient])
      assert.strictEqual(thrown(result, { minPassRate: 0.6 }), "")
      const strict = thrown(result, { minPassRate: 0.6, thresholds: { lenient: 0.8 } })
      assert.include(strict, "3 of 3 cases failed")
      const multi = strict.split("\n").find((l) => l.startsWith("#2 multi"))!.split("│").map((c) => c.trim())
      assert.deepStrictEqual(multi.slice(1, 8), ["Two lines?", "one ⏎ two", "one ⏎ two", "lenient", "0.600", "0.800", "mostly right"])
    }))

  it.effect("a thresholds key naming no metric of the run, or a pass rate outside [0, 1], is an error", () =>
    Effect.gen(function*() {
      const result = yield* evaluate(cases, [exactMatch()])
      assert.throws(() => assertEval(result, { thresholds: { "exact_match": 1 } }), /thresholds: no metric named "exact_match" in this run \(metrics: exact-match\)/)
      assert.throws(() => assertEval(result, { minPassRate: 90 }), /minPassRate must be between 0 and 1, got 90/)
    }))

  it.effect("an errored metric fails its case with the error as the reason; skipped cases are not judged", () =>
    Effect.gen(function*() {
      const needsContext = Metric.make({ name: "needs-context", requires: ["context"], measure: () => Effect.succeed({ score: 1 }) })
      const result = yield* evaluate(cases.slice(0, 1), [exactMatch(), needsContext], { ignoreErrors: true })
      const message = thrown(result, {})
      assert.include(message, "needs-context │ -     │ 0.500     │ error: missing required field: context")
      const skipped = yield* evaluate(cases.slice(0, 1), [needsContext], { skipOnMissingParams: true })
      assert.deepInclude(judgeRun(skipped), { judged: 0, passRate: null, ok: false })
      assert.include(thrown(skipped, {}), "no case was scored")
    }))
})
