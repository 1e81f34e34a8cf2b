import { describe, expect, it } from "vitest"
import { Context, Effect, Layer } from "effect"
import { Eval, type EvalTask, exactMatch } from "@assay/core"
import type { evalTest } from "@assay/vitest"

class Atlas extends Context.Tag("test/Atlas")<Atlas, { readonly capital: (country: string) => Effect.Effect<string> }>() {}
const task: EvalTask<Atlas> = (testCase) => Effect.flatMap(Atlas, (atlas) => atlas.capital(String(testCase.input)))

describe("evalTest's eval parameter", () => {
  it("takes an Eval whose layer provides everything, and refuses one that still needs a service", () => {
    const provided: Parameters<typeof evalTest>[1] = Eval.make({
      name: "app",
      data: [],
      task,
      metrics: [exactMatch()],
      layer: Layer.succeed(Atlas, { capital: Effect.succeed })
    })
    // @ts-expect-error the task needs Atlas and nothing provides it: evalTest could not run it
    const missing: Parameters<typeof evalTest>[1] = Eval.make({ name: "app", data: [], task, metrics: [exactMatch()] })
    expect([provided.name, missing.name]).toEqual(["app", "app"])
  })
})
