import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Ref, TestClock } from "effect"
import { makeWatchdog } from "../src/internal/watchdog.js"

const expired = (label: string) => () => `expired ${label}`

/** An effect that sleeps `ms` of virtual time, then succeeds with `value`. */
const after = <A>(ms: number, value: A) => Effect.as(Effect.sleep(ms), value)

describe("watchdog (TestClock)", () => {
  it.scoped("an effect that finishes before its expiry keeps its result, and its failure passes through", () =>
    Effect.gen(function*() {
      const watchdog = yield* makeWatchdog
      const ok = yield* Effect.fork(watchdog.within(after(100, "done"), 1000, expired("a")))
      yield* TestClock.adjust(100)
      assert.strictEqual(yield* Fiber.join(ok), "done")
      const failing = yield* Effect.fork(watchdog.within(Effect.fail("boom"), 1000, expired("b")))
      assert.deepStrictEqual(yield* Fiber.await(failing), Exit.fail("boom"))
      yield* TestClock.adjust(2000) // nothing left to expire
    }))

  it.scoped("an effect past its expiry is interrupted and fails with onExpire, at the expiry time", () =>
    Effect.gen(function*() {
      const watchdog = yield* makeWatchdog
      const finalized = yield* Ref.make(false)
      const slow = after(10_000, "late").pipe(Effect.onInterrupt(() => Ref.set(finalized, true)))
      const fiber = yield* Effect.fork(
        watchdog.within(slow, 500, expired("slow")).pipe(Effect.flip, Effect.zip(Clock.currentTimeMillis))
      )
      yield* TestClock.adjust(499)
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust(1)
      assert.deepStrictEqual(yield* Fiber.join(fiber), ["expired slow", 500])
      assert.isTrue(yield* Ref.get(finalized))
    }))

  it.scoped("an expiry earlier than the one the watchdog sleeps towards wakes it", () =>
    Effect.gen(function*() {
      const watchdog = yield* makeWatchdog
      const late = yield* Effect.fork(watchdog.within(after(10_000, "late"), 5000, expired("late")))
      yield* TestClock.adjust(10)
      const early = yield* Effect.fork(watchdog.within(after(10_000, "early"), 200, expired("early")).pipe(Effect.flip))
      yield* TestClock.adjust(190)
      assert.strictEqual(yield* Fiber.join(early), "expired early")
      assert.isNull(late.unsafePoll())
      yield* TestClock.adjust(4800)
      assert.strictEqual(yield* Effect.flip(Fiber.join(late)), "expired late")
    }))

  it.scoped("interrupting the caller interrupts the attempt", () =>
    Effect.gen(function*() {
      const watchdog = yield* makeWatchdog
      const finalized = yield* Ref.make(false)
      const slow = after(10_000, "late").pipe(Effect.onInterrupt(() => Ref.set(finalized, true)))
      const fiber = yield* Effect.fork(watchdog.within(slow, 5000, expired("slow")))
      yield* TestClock.adjust(10)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(yield* Ref.get(finalized))
    }))
})
