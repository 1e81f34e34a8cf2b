import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Ref, TestClock } from "effect"
import { JudgeError, makePolicy, type ProviderReply } from "@assay/judge"

const ok: ProviderReply = { text: "ok", usage: { input: 1, output: 1 } }

/** An attempt that sleeps `ms` of virtual time, then succeeds. */
const after = (ms: number) => Effect.as(Effect.sleep(ms), ok)

/** A policy timing plain-Effect attempts itself (no retries, so each call is one attempt). */
const policyWith = (attemptTimeout: number, deadline = 60_000) =>
  makePolicy({ maxConnections: 4, maxRetries: 0, attemptTimeout, deadline })

describe("attempt timeout of plain-Effect attempts (TestClock)", () => {
  it.scoped("an attempt that finishes before its timeout keeps its result, and its failure passes through", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith(1000)
      const fine = yield* Effect.fork(policy.run("m", 10, after(100)))
      yield* TestClock.adjust(100)
      assert.strictEqual((yield* Fiber.join(fine)).text, "ok")
      const auth = new JudgeError({ kind: "Auth", message: "401" })
      const failing = yield* Effect.fork(policy.run("m", 10, Effect.fail(auth)))
      const exit = yield* Fiber.await(failing)
      assert.isTrue(Exit.isFailure(exit))
      assert.deepInclude(yield* Effect.flip(exit), { kind: "Auth", message: "401" })
      yield* TestClock.adjust(2000) // nothing left to expire
    }))

  it.scoped("an attempt past its timeout is interrupted and fails with a Timeout error, at the expiry time", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith(500)
      const finalized = yield* Ref.make(false)
      const slow = after(10_000).pipe(Effect.onInterrupt(() => Ref.set(finalized, true)))
      const fiber = yield* Effect.fork(policy.run("m", 10, slow).pipe(Effect.flip, Effect.zip(Clock.currentTimeMillis)))
      yield* TestClock.adjust(499)
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust(1)
      const [error, at] = yield* Fiber.join(fiber)
      assert.deepInclude(error, { kind: "Timeout", attempts: 1 })
      assert.strictEqual(at, 500)
      assert.isTrue(yield* Ref.get(finalized))
    }))

  it.scoped("each attempt expires at its own time; one bounded by the call's deadline fails with Deadline", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith(5000, 5000)
      const late = yield* Effect.fork(policy.run("m", 10, after(10_000)))
      yield* TestClock.adjust(10)
      const short = yield* policyWith(5000, 190)
      const early = yield* Effect.fork(Effect.flip(short.run("m", 10, after(10_000))))
      yield* TestClock.adjust(190)
      assert.strictEqual((yield* Fiber.join(early)).kind, "Deadline")
      assert.isNull(late.unsafePoll())
      yield* TestClock.adjust(4800)
      assert.strictEqual((yield* Effect.flip(Fiber.join(late))).kind, "Timeout")
    }))

  it.scoped("interrupting the caller interrupts the attempt and gives its connection back", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith(5000)
      const finalized = yield* Ref.make(false)
      const slow = after(10_000).pipe(Effect.onInterrupt(() => Ref.set(finalized, true)))
      const fiber = yield* Effect.fork(policy.run("m", 10, slow))
      yield* TestClock.adjust(10)
      assert.strictEqual((yield* policy.stats)[0]!.inFlight, 1)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(yield* Ref.get(finalized))
      assert.deepInclude((yield* policy.stats)[0], { inFlight: 0, backingOff: 0 })
    }))
})
