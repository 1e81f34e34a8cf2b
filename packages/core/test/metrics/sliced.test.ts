/**
 * Long CPU-bound metrics run in slices (packages/core/src/metrics/sliced.ts): the engine's per-metric timeout,
 * its deadline and the caller's interruption act on a levenshtein or ROUGE-L of two long texts, which would
 * otherwise hold the thread until done (tens of seconds for 300k characters). Timing is virtual (TestClock):
 * these tests assert what happened — a timeout error instead of a score, a deadline status, an interrupted
 * fiber — not how long it took.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, TestClock } from "effect"
import { editDistance, editDistanceSteps, evaluate, levenshtein, rouge } from "@assay/core"
import { llmCase } from "./helpers.js"

/** Deterministic pseudo-random text over `k` letters (a small alphabet makes many near matches). */
const text = (n: number, k: number, seed: number): string => {
  let x = seed
  let out = ""
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    out += String.fromCharCode(97 + ((x >>> 16) % k))
  }
  return out
}

const run = <A>(steps: Generator<void, A, void>): A => {
  for (;;) {
    const next = steps.next()
    if (next.done === true) return next.value
  }
}

/** The textbook LCS table, as a reference. */
const lcsLength = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): number => {
  let prev = new Array<number>(b.length + 1).fill(0)
  for (const x of a) {
    const curr = [0]
    for (let j = 1; j <= b.length; j++) curr[j] = x === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, curr[j - 1]!)
    prev = curr
  }
  return prev[b.length]!
}

describe("sliced edit distance", () => {
  it("equals fastest-levenshtein's distance for every length mix (blocks of 32, remainders, empty)", () => {
    for (let t = 0; t < 400; t++) {
      const a = text(t % 150, 1 + (t % 4), t)
      const b = text((t * 7) % 130, 1 + (t % 4), t + 1000)
      expect(run(editDistanceSteps(a, b))).toBe(editDistance(a, b).distance)
    }
    const a = text(9_000, 26, 1)
    const b = text(7_500, 26, 2)
    expect(run(editDistanceSteps(a, b))).toBe(editDistance(a, b).distance)
  })

  it.effect("a pair beyond one slice scores as editDistance does, through the slices", () =>
    Effect.gen(function*() {
      const a = text(20_000, 3, 3)
      const b = text(18_000, 3, 4)
      const d = editDistance(a, b)
      const outcome = yield* levenshtein().measure(llmCase({ actualOutput: a, expectedOutput: b }))
      expect(outcome).toEqual({ score: 1 - d.distance / d.length, reason: `edit distance ${d.distance} over length ${d.length}` })
    }))

  it.effect("ROUGE-L of long texts goes through the sliced LCS and agrees with the textbook table", () =>
    Effect.gen(function*() {
      const words = (n: number, seed: number) => text(n, 5, seed).split("").map((c) => `w${c}`)
      const target = words(3_000, 5)
      const prediction = words(2_500, 6)
      const lcs = lcsLength(target, prediction)
      const outcome = yield* rouge({ variant: "rougeL" }).measure(llmCase({ actualOutput: prediction.join(" "), expectedOutput: target.join(" ") }))
      const precision = lcs / prediction.length
      const recall = lcs / target.length
      expect(outcome.score).toBeCloseTo((2 * precision * recall) / (precision + recall), 12)
    }))
})

/** One case whose levenshtein takes dozens of slices. */
const longCase = llmCase({ name: "long", actualOutput: text(50_000, 4, 7), expectedOutput: text(50_000, 4, 8) })

describe("the engine stops a long CPU-bound metric", () => {
  it.effect("past its timeout: a timeout error on the metric, not a score", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(evaluate([longCase], [levenshtein()], { timeout: "1 second", ignoreErrors: true }))
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      const metric = result.cases[0]!.metrics[0]!
      assert.strictEqual(metric.error, "timed out after 1s")
      assert.strictEqual(metric.score, null)
      assert.strictEqual(result.summary.errored, 1)
    }))

  it.effect("at the run's deadline: status deadline, the case listed as unfinished", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(evaluate([longCase], [rouge({ variant: "rougeL" }), levenshtein()], { deadline: "2 seconds" }))
      yield* TestClock.adjust("2 seconds")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.status, "deadline")
      assert.deepStrictEqual(result.unfinished, [{ index: 0, name: "long" }])
    }))

  it.effect("on interruption (Ctrl-C): the run's fiber ends between two slices", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const huge = llmCase({ actualOutput: text(300_000, 26, 9), expectedOutput: text(300_000, 26, 10) })
      const fiber = yield* Effect.fork(evaluate([huge], [levenshtein()], { onCaseStart: () => Deferred.succeed(started, undefined) }))
      yield* Deferred.await(started)
      // Run whole in one go, this pair holds the thread for tens of seconds: the interruption could not land.
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
    }))
})
