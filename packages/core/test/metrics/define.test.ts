import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { MetricError } from "@assay/core"
import { deterministic, preview } from "../../src/metrics/define.js"
import { llmCase } from "./helpers.js"

const spec = { id: "probe", version: 3, defaultThreshold: 0.7, options: {}, config: { k: 1 }, requires: [] } as const

describe("deterministic", () => {
  it("fills name, threshold, config (id + version + options) and marks the metric inline", () => {
    const m = deterministic({ ...spec, score: () => ({ score: 1 }) })
    expect(m).toMatchObject({ name: "probe", threshold: 0.7, strict: false, inline: true, appliesTo: "LLMTestCase" })
    expect(m.config).toEqual({ metric: "probe", version: 3, k: 1 })
  })

  it.effect("a throwing scorer becomes a MetricError for that case, not a defect", () =>
    Effect.gen(function*() {
      const m = deterministic({ ...spec, score: () => { throw new Error("boom") } })
      const error = yield* Effect.flip(m.measure(llmCase({ actualOutput: "x" })))
      expect(error).toBeInstanceOf(MetricError)
      expect(error.message).toBe("internal error: boom")
    }))

  it("rejects an empty name", () => {
    expect(() => deterministic({ ...spec, options: { name: "" }, score: () => ({ score: 1 }) })).toThrow(`probe: option "name" must not be empty`)
  })
})

describe("preview", () => {
  it("cuts at code points, never inside a surrogate pair, and keeps a text of exactly `max` points whole", () => {
    expect(preview("abcdef", 3)).toBe(JSON.stringify("ab…"))
    expect(preview("😀😀😀😀", 3)).toBe(JSON.stringify("😀😀…"))
    expect(preview("😀😀😀", 3)).toBe(JSON.stringify("😀😀😀")) // 6 UTF-16 units, 3 points
    expect(preview("a😀b😀", 4)).toBe(JSON.stringify("a😀b😀"))
    expect(preview("a😀b😀c", 4)).toBe(JSON.stringify("a😀b…"))
    expect(preview("line\nbreak", 60)).toBe("\"line\\nbreak\"")
  })
})
