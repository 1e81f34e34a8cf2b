import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { containsAll, evaluate, exactMatch, jsonSchema, levenshtein, toolCorrectness } from "@assay/core"
import { llmCase } from "./helpers.js"

describe("deterministic metrics in the engine", () => {
  it.effect("score, pass/fail, and missing required fields", () =>
    Effect.gen(function*() {
      const cases = [
        llmCase({ actualOutput: "Paris", expectedOutput: "Paris", expectedTools: [{ name: "search" }], toolsCalled: [{ name: "search" }] }),
        llmCase({ actualOutput: "Lyon", expectedOutput: "Paris" })
      ]
      const metrics = [exactMatch(), levenshtein({ threshold: 0.9 }), containsAll({ values: ["Paris"] }), jsonSchema({ schema: { type: "string" } }), toolCorrectness()]
      expect(metrics.every((m) => m.inline)).toBe(true)
      const run = yield* evaluate(cases, metrics, { skipOnMissingParams: true })
      const [first, second] = run.cases
      expect(first!.metrics.map((m) => [m.name, m.score, m.success])).toEqual([
        ["exact-match", 1, true],
        ["levenshtein", 1, true],
        ["contains-all", 1, true],
        ["json-schema", 0, false], // "Paris" is not JSON
        ["tool-correctness", 1, true]
      ])
      expect(second!.metrics.find((m) => m.name === "levenshtein")).toMatchObject({ score: 0, success: false })
      // The second case has no expected tools: skipped, not scored.
      expect(second!.metrics.find((m) => m.name === "tool-correctness")).toMatchObject({ skipped: true, score: null })
    }))
})
