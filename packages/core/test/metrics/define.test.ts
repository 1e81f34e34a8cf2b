import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { MetricError } from "@assay/core"
import { deterministic } from "../../src/metrics/define.js"
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
