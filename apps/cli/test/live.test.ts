import { assert, describe, it } from "@effect/vitest"
import type { RunProgress } from "@assay/store"
import { Chunk, Effect, Fiber, Ref, Stream, TestClock } from "effect"
import { progressEvents } from "../src/view/live.js"

const decoder = new TextDecoder()
const text = (chunk: Chunk.Chunk<Uint8Array>) => Chunk.toReadonlyArray(chunk).map((b) => decoder.decode(b))

describe("the live progress stream", () => {
  it.effect("polls once a second, sends only changes, and ends with the run", () =>
    Effect.gen(function*() {
      // What the store says at each poll: unchanged polls send nothing; the stream ends once the run is done.
      const states: ReadonlyArray<RunProgress> = [
        { id: "r", status: "running", finished: 1, total: 3 },
        { id: "r", status: "running", finished: 1, total: 3 },
        { id: "r", status: "running", finished: 2, total: 3 },
        { id: "r", status: "completed", finished: 3, total: 3 },
        { id: "r", status: "completed", finished: 3, total: 3 }
      ]
      const polls = yield* Ref.make(0)
      const progress = () => Effect.map(Ref.getAndUpdate(polls, (n) => n + 1), (n) => states[Math.min(n, states.length - 1)]!)
      const fiber = yield* Effect.fork(Stream.runCollect(progressEvents(progress, "r")))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Ref.get(polls), 2, "a poll at once and one a second later")
      yield* TestClock.adjust("2 seconds")
      const events = text(yield* Fiber.join(fiber))
      assert.deepStrictEqual(events.map((e) => JSON.parse(e.split("data: ")[1]!).finished), [1, 2, 3])
      assert.isTrue(events.every((e) => e.startsWith("event: progress\n")))
      assert.strictEqual(yield* Ref.get(polls), 4, "no poll after the run ended")
    }))

  it.effect("a failed read is sent as an error event that ends the stream", () =>
    Effect.gen(function*() {
      const events = text(yield* Stream.runCollect(progressEvents(() => Effect.fail({ message: "no run r in a.db" }), "r")))
      assert.deepStrictEqual(events, ['event: error\ndata: {"message":"no run r in a.db"}\n\n'])
    }))
})
