import { describe, expect, it } from "vitest"
import * as FileSystem from "@effect/platform/FileSystem"
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

describe("Eval.make with a dataset path", () => {
  it("needs a FileSystem unless its layer provides one", () => {
    const atlas = Layer.succeed(Atlas, { capital: Effect.succeed })
    const fs = Layer.succeed(FileSystem.FileSystem, {} as FileSystem.FileSystem)
    const needs: Eval.Eval<FileSystem.FileSystem, unknown> = Eval.make({ name: "path", data: "cases.jsonl", task, metrics: [exactMatch()], layer: atlas })
    const provided: Eval.Eval<never, unknown> = Eval.make({ name: "path", data: "cases.jsonl", task, metrics: [exactMatch()], layer: Layer.merge(atlas, fs) })
    // @ts-expect-error the layer provides no FileSystem: the path cannot be read without one
    const unread: Eval.Eval<never, unknown> = Eval.make({ name: "path", data: "cases.jsonl", task, metrics: [exactMatch()], layer: atlas })
    // @ts-expect-error a FileSystem does not stand in for the Atlas the task needs
    const wrong = Eval.make({ name: "path", data: "cases.jsonl", task, metrics: [exactMatch()], layer: fs })
    const onDisk: Parameters<typeof evalTest>[1] = Eval.make({ name: "path", data: "cases.jsonl", task, metrics: [exactMatch()], layer: atlas })
    expect([needs.name, provided.name, unread.name, wrong.name, onDisk.name]).toEqual(["path", "path", "path", "path", "path"])
  })
})
