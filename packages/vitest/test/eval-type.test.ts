import { describe, expect, it } from "vitest"
import { Context, Effect, Layer } from "effect"
import { exactMatch, type Task } from "@assay/core"
import type { Eval } from "@assay/vitest"

class Atlas extends Context.Tag("test/Atlas")<Atlas, { readonly capital: (country: string) => Effect.Effect<string> }>() {}
const task: Task<Atlas> = (testCase) => Effect.map(Atlas, () => ({ testCase }))

describe("the Eval type", () => {
  it("requires a layer exactly when the task or a metric needs a service", () => {
    const plain: Eval = { name: "plain", data: [], metrics: [exactMatch()] }
    const provided: Eval<Atlas> = { name: "app", data: [], task, metrics: [exactMatch()], layer: Layer.succeed(Atlas, { capital: Effect.succeed }) }
    // @ts-expect-error the task needs Atlas: an Eval without a layer providing it does not type-check
    const missing: Eval<Atlas> = { name: "app", data: [], task, metrics: [exactMatch()] }
    expect([plain.name, provided.name, missing.name]).toEqual(["plain", "app", "app"])
  })
})
