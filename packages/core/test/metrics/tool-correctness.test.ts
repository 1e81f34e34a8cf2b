import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type ToolCall, toolCorrectness } from "@assay/core"
import { llmCase } from "./helpers.js"

const call = (name: string, inputParameters?: Record<string, unknown>, output?: unknown): ToolCall => ({
  name,
  ...(inputParameters === undefined ? {} : { inputParameters }),
  ...(output === undefined ? {} : { output })
})
const measure = (m: ReturnType<typeof toolCorrectness>, expectedTools: ReadonlyArray<ToolCall>, toolsCalled?: ReadonlyArray<ToolCall>) =>
  m.measure(llmCase(toolsCalled === undefined ? { expectedTools } : { expectedTools, toolsCalled }))

describe("toolCorrectness", () => {
  it.effect("score = matched / expected; extra calls are named but not penalised", () =>
    Effect.gen(function*() {
      const o = yield* measure(toolCorrectness(), [call("search"), call("fetch"), call("summarize")], [call("fetch"), call("search"), call("delete")])
      expect(o.score).toBeCloseTo(2 / 3, 12)
      expect(o.reason).toBe("matched 2/3 expected tool calls; missing: summarize; extra: delete")
    }))

  it.effect("repeated tools count one to one", () =>
    Effect.gen(function*() {
      const o = yield* measure(toolCorrectness(), [call("search"), call("search")], [call("search")])
      expect(o.score).toBe(0.5)
    }))

  it.effect("considerOrder scores the longest in-order subsequence", () =>
    Effect.gen(function*() {
      const expected = [call("a"), call("b"), call("c")]
      const called = [call("c"), call("a"), call("b")]
      expect((yield* measure(toolCorrectness(), expected, called)).score).toBe(1)
      const ordered = yield* measure(toolCorrectness({ considerOrder: true }), expected, called)
      expect(ordered.score).toBeCloseTo(2 / 3, 12)
      expect(ordered.reason).toBe("matched 2/3 expected tool calls; missing: c; extra: c; called but order differ: c")
    }))

  it.effect("checkArguments compares inputParameters deeply where the expected call gives them", () =>
    Effect.gen(function*() {
      const expected = [call("search", { q: "paris", filters: { lang: ["fr"] } }), call("fetch")]
      const called = [call("search", { filters: { lang: ["fr"] }, q: "paris" }), call("fetch", { url: "x" })]
      expect((yield* measure(toolCorrectness({ checkArguments: true }), expected, called)).score).toBe(1)
      const wrong = [call("search", { q: "paris", filters: { lang: ["en"] } }), call("fetch")]
      const o = yield* measure(toolCorrectness({ checkArguments: true }), expected, wrong)
      expect(o.score).toBe(0.5)
      expect(o.reason).toContain("called but arguments differ: search")
      expect((yield* measure(toolCorrectness(), expected, wrong)).score).toBe(1)
    }))

  it.effect("unordered matching is a maximum matching, not greedy", () =>
    Effect.gen(function*() {
      // Greedy would pair the loose expected `search` with the only call having q=1 and leave the strict one unmatched.
      const expected = [call("search"), call("search", { q: 1 })]
      const called = [call("search", { q: 1 }), call("search", { q: 2 })]
      expect((yield* measure(toolCorrectness({ checkArguments: true }), expected, called)).score).toBe(1)
    }))

  it.effect("checkOutput compares outputs", () =>
    Effect.gen(function*() {
      const m = toolCorrectness({ checkOutput: true })
      expect((yield* measure(m, [call("add", undefined, 3)], [call("add", { a: 1 }, 3)])).score).toBe(1)
      expect((yield* measure(m, [call("add", undefined, 3)], [call("add", { a: 1 }, 4)])).score).toBe(0)
    }))

  it.effect("no calls at all scores 0 (toolsCalled is not required)", () =>
    Effect.gen(function*() {
      const o = yield* measure(toolCorrectness(), [call("search")])
      expect(o).toEqual({ score: 0, reason: "matched 0/1 expected tool calls; missing: search" })
      expect(toolCorrectness().requires).toEqual(["expectedTools"])
    }))

  it("config", () => {
    expect(toolCorrectness({ considerOrder: true }).config).toEqual({
      metric: "tool-correctness", version: 1, considerOrder: true, checkArguments: false, checkOutput: false
    })
  })
})
