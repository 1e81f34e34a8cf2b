/**
 * An Eval whose data is a dataset path, run by `runEval` with no `loadDataset` option: core's loaders read the
 * file with the FileSystem of the environment (here NodeContext.layer), and a bad line fails naming
 * file:line:field.
 */
import { DatasetError, Eval, exactMatch, runEval } from "@assay/core"
import type { FileSystem } from "@effect/platform/FileSystem"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

class Greeting extends Context.Tag("test/Greeting")<Greeting, { readonly text: string }>() {}
const GreetingLive = Layer.succeed(Greeting, { text: "hello" })

const file = (name: string, content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "assay-eval-path-")), name)
  writeFileSync(path, content)
  return path
}

const jsonl = [
  { input: "France", actual_output: "Paris", expected_output: "Paris" },
  { input: "Spain", actual_output: "Barcelona", expected_output: "Madrid" },
  { input: "Italy", actual_output: "Rome", expected_output: "Rome" }
].map((row) => JSON.stringify(row)).join("\n") + "\n"

const csv = "input,actual_output,expected_output,tags\nFrance,Paris,Paris,europe|west\nPeru,Lima,Lima,\nChile,Lima,Santiago,south\n"

/** Each case's exact-match score, in dataset order. */
const scores = (path: string) =>
  runEval(Eval.make({ name: "capitals", data: path, metrics: [exactMatch()] })).pipe(
    Effect.map((result) => result.cases.map((c) => c.metrics[0]!.score)),
    Effect.provide(NodeContext.layer)
  )

describe("runEval on a dataset path", () => {
  it("needs a FileSystem and may fail with a DatasetError, by its type", () => {
    const ev = Eval.make({ name: "typed", data: "cases.jsonl", metrics: [exactMatch()] })
    expectTypeOf(ev).toEqualTypeOf<Eval.Eval<FileSystem, DatasetError>>()
    expectTypeOf(Eval.make({ name: "items", data: [{ input: "q" }], metrics: [exactMatch()] })).toEqualTypeOf<Eval.Eval<never, never>>()
    // A layer provides the task's services; the FileSystem that reads the path still comes from the caller.
    const withLayer = Eval.make({ name: "layered", data: "cases.csv", task: () => Effect.map(Greeting, (g) => g.text), metrics: [exactMatch()], layer: GreetingLive })
    expectTypeOf(withLayer).toEqualTypeOf<Eval.Eval<FileSystem, DatasetError>>()
    const either = [] as Eval.EvalData // data whose type may be a path counts as one
    expectTypeOf(Eval.make({ name: "maybe", data: either, metrics: [exactMatch()] })).toEqualTypeOf<Eval.Eval<FileSystem, DatasetError>>()
  })

  it.effect("reads a JSONL file and scores every case", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* scores(file("capitals.jsonl", jsonl)), [1, 0, 1])
    }))

  it.effect("reads a CSV file and scores every case", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* scores(file("capitals.csv", csv)), [1, 1, 0])
    }))

  it.effect("fails on a bad line with file:line: field", () =>
    Effect.gen(function*() {
      const path = file("bad.jsonl", jsonl + '{"input": "Peru", "actual_output": 7}\n')
      const error = yield* Effect.flip(scores(path))
      assert.instanceOf(error, DatasetError)
      assert.strictEqual(error.message, `${path}:4: actualOutput: Expected string, actual 7`)
    }))

  it.effect("fails on a bad CSV row with file:line: column", () =>
    Effect.gen(function*() {
      const path = file("bad.csv", "input,actual_output,expected_output,metadata\nq,a,a,{}\nq,a,a,{nope\n")
      const error = yield* Effect.flip(scores(path))
      assert.instanceOf(error, DatasetError)
      assert.match(error.message, /bad\.csv:3: column metadata: invalid JSON/)
    }))
})
