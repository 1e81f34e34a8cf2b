/**
 * Json-schema validations that could hold the engine's thread run in a worker thread
 * (packages/core/src/metrics/json-pool.ts), which a timeout, a deadline or an interruption terminates. The
 * pathological case is a recursive `anyOf` on a 37-character output nested 18 deep: validated in one piece it
 * takes tens of seconds. Timing is virtual (TestClock): the tests assert what happened — a timeout error, a
 * worker terminated, an interrupted fiber — not how long it took. Needs `npm run build` (the worker script is
 * the compiled one).
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Fiber, TestClock } from "effect"
import { compileSchema, evaluate, jsonSchema } from "@assay/core"
import { POOL_SIZE, workerCounts } from "../../src/metrics/json-pool.js"
import { inlineLimit, scoreText } from "../../src/metrics/json-validate.js"
import { llmCase, scorePair } from "./helpers.js"

const r = { $ref: "#/definitions/n" }
/** Two recursive branches that fail after recursing, one that passes: 3^depth steps on a nested array. */
const recursive = {
  definitions: { n: { anyOf: [{ type: "array", items: r, maxItems: 0 }, { type: "array", items: r, maxItems: 0 }, { type: "array", items: r }, { type: "integer" }] } },
  $ref: "#/definitions/n"
}
const nested = (depth: number) => "[".repeat(depth) + "1" + "]".repeat(depth)
const deepCase = llmCase({ name: "deep", actualOutput: nested(18) })

/** Wait until the worker holds a job: the measurement (and its timeout) has started. */
const jobSent = Effect.yieldNow().pipe(Effect.repeat({ until: () => workerCounts().pending > 0 }))

describe("which outputs go to the worker", () => {
  it("recursive, non-local and exploding references always; small outputs of other schemas never", () => {
    expect(inlineLimit({ type: "object" })).toBe(64 * 1024)
    expect(inlineLimit(recursive)).toBe(-1)
    expect(inlineLimit({ items: { $ref: "#" } })).toBe(-1)
    expect(inlineLimit({ $ref: "other.json#/a" })).toBe(-1)
    expect(inlineLimit({ definitions: { a: { type: "string" } }, items: { $ref: "#/definitions/a" } })).toBe(64 * 1024)
    expect(inlineLimit({ type: "array", uniqueItems: true })).toBe(4 * 1024)
    // Forty levels that each use the next twice: a small document, 2^40 schemas once unfolded.
    const defs: Record<string, unknown> = { d40: { type: "string" } }
    for (let i = 0; i < 40; i++) defs[`d${i}`] = { allOf: [{ $ref: `#/definitions/d${i + 1}` }, { $ref: `#/definitions/d${i + 1}` }] }
    expect(inlineLimit({ definitions: defs, $ref: "#/definitions/d0" })).toBe(0)
  })
})

describe("json-schema in the worker", () => {
  it.effect("scores as the engine's thread would, for passing, failing and non-JSON outputs", () =>
    Effect.gen(function*() {
      const validate = Either.getOrThrow(compileSchema(recursive))
      const m = jsonSchema({ schema: recursive })
      for (const text of [nested(3), "[[true]]", "[1,", "```json\n[1]\n```"]) {
        expect(yield* scorePair(m, text)).toEqual(scoreText(validate, text, false))
      }
    }))

  it.effect("past its timeout: a timeout error on the metric, and the worker terminated", () =>
    Effect.gen(function*() {
      const before = workerCounts()
      const fiber = yield* Effect.fork(evaluate([deepCase], [jsonSchema({ schema: recursive })], { timeout: "1 second", ignoreErrors: true }))
      yield* jobSent
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      const metric = result.cases[0]!.metrics[0]!
      assert.strictEqual(metric.error, "timed out after 1s")
      assert.strictEqual(metric.score, null)
      assert.strictEqual(workerCounts().terminated, before.terminated + 1)
      assert.strictEqual(workerCounts().pending, 0)
      // The next validation starts a fresh worker and scores.
      expect((yield* scorePair(jsonSchema({ schema: recursive }), nested(4))).score).toBe(1)
    }))

  it.effect("on interruption (Ctrl-C): the fiber ends and the worker is terminated", () =>
    Effect.gen(function*() {
      const before = workerCounts()
      const fiber = yield* Effect.fork(evaluate([deepCase], [jsonSchema({ schema: recursive })]))
      yield* jobSent
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.strictEqual(workerCounts().terminated, before.terminated + 1)
    }))

  it.effect("jobs queued behind an abandoned one go to another worker and are scored", () =>
    Effect.gen(function*() {
      const m = jsonSchema({ schema: recursive })
      const before = workerCounts()
      const deep = yield* Effect.fork(scorePair(m, nested(18)))
      yield* jobSent
      // Three jobs per worker: some queue behind the deep one.
      const depths = Array.from({ length: 3 * POOL_SIZE }, (_, i) => 2 + i)
      const small = yield* Effect.fork(Effect.forEach(depths, (d) => scorePair(m, nested(d)), { concurrency: "unbounded" }))
      yield* Effect.yieldNow().pipe(Effect.repeat({ until: () => workerCounts().pending === 1 + depths.length }))
      yield* Fiber.interrupt(deep)
      const scores = (yield* Fiber.join(small)).map((o) => o.score)
      expect(scores).toEqual(depths.map(() => 1))
      assert.isAtLeast(workerCounts().terminated, before.terminated + 1)
    }))
})
