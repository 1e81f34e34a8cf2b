/**
 * `Judge.unavailable` and `Embedder.unavailable`: what a run without judged (or embedding) metrics is given
 * for the services its metrics are typed with. A call that still comes fails with a typed error naming the flag.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Embedder, Judge } from "@assay/judge"

describe("unavailable services", () => {
  it.effect("Judge.unavailable refuses every call, saying to pass --judge, and has spent nothing", () =>
    Effect.gen(function*() {
      const judge = yield* Judge
      const error = yield* Effect.flip(judge.chat({ messages: [{ role: "user", content: "hi" }] }))
      assert.deepStrictEqual([error._tag, error.kind, error.message], ["JudgeError", "BadRequest", "no judge configured (pass --judge)"])
      assert.deepStrictEqual(yield* judge.stats, { model: "none", inputTokens: 0, outputTokens: 0, cost: 0, policy: undefined })
      assert.isUndefined(judge.fatal)
    }).pipe(Effect.provide(Judge.unavailable)))

  it.effect("Embedder.unavailable refuses every call, saying to pass --embedding-model", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.flatMap(Embedder, (embedder) => embedder.embed(["a"])))
      assert.deepStrictEqual([error.kind, error.message], ["BadRequest", "no embedding model configured (pass --embedding-model)"])
    }).pipe(Effect.provide(Embedder.unavailable)))
})
