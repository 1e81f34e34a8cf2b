import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Ref, TestClock } from "effect"
import { type AttemptDeadline, JudgeError, makePolicy, type PolicySettings, type ProviderReply, SharedConnections } from "@assay/judge"
import { makeGate } from "../src/internal/adaptive.js"

const ok: ProviderReply = { text: "ok", usage: { input: 1, output: 1 } }

/** A provider attempt that records the virtual time of every call and fails with `errors` in order first. */
const scripted = (errors: ReadonlyArray<JudgeError>) =>
  Effect.gen(function*() {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const attempt = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const seen = yield* Ref.modify(times, (t) => [t.length, [...t, now]] as const)
      const error = errors[seen]
      return error === undefined ? ok : yield* Effect.fail(error)
    })
    return { attempt, times: Ref.get(times) }
  })

const rateLimited = (retryAfterMillis: number) => new JudgeError({ kind: "RateLimited", message: "429", status: 429, retryAfterMillis })
const transient = new JudgeError({ kind: "Transient", message: "500", status: 500 })

/** Fork `effect`, advance the virtual clock in `step` ms steps up to `totalMs`, then join. */
const runFor = <A, E>(effect: Effect.Effect<A, E>, totalMs: number, step = 10) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let t = 0; t < totalMs; t += step) yield* TestClock.adjust(step)
    return yield* Fiber.await(fiber)
  })

const policyWith = (settings: Partial<PolicySettings>) => makePolicy({ maxConnections: 4, ...settings })

describe("call policy timing (TestClock)", () => {
  it.scoped("honors retry-after: the retry starts no earlier than asked and within 10% jitter", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({})
      const { attempt, times } = yield* scripted([rateLimited(1500), rateLimited(400)])
      const exit = yield* runFor(policy.run("m", 10, attempt), 3000)
      assert.strictEqual(exit._tag, "Success")
      const [t0, t1, t2] = yield* times
      assert.strictEqual(t0, 0)
      assert.isAtLeast(t1! - t0!, 1500)
      assert.isAtMost(t1! - t0!, 1650 + 10)
      assert.isAtLeast(t2! - t1!, 400)
      assert.isAtMost(t2! - t1!, 440 + 10)
      const [stats] = yield* policy.stats
      assert.strictEqual(stats!.retries, 0, "a 429 is counted apart from failure retries")
      assert.strictEqual(stats!.rateLimited, 2)
    }))

  it.scoped("backingOff counts the calls waiting out a backoff now (the server's pause included), then drops to 0", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ cooldown: "10 millis" })
      const { attempt } = yield* scripted([rateLimited(1000), rateLimited(1000), transient])
      const { attempt: healthy } = yield* scripted([])
      const limited = yield* Effect.fork(policy.run("m", 10, attempt))
      yield* TestClock.adjust(10)
      const [waiting] = yield* policy.stats
      assert.deepInclude(waiting, { backingOff: 1, inFlight: 0, rateLimited: 1 })
      // The Retry-After pauses the model's other calls too: they count as backing off, not as in flight.
      const other = yield* Effect.fork(policy.run("m", 10, healthy))
      yield* TestClock.adjust(10)
      assert.deepInclude((yield* policy.stats)[0], { backingOff: 2, inFlight: 0 })
      yield* TestClock.adjust(5000)
      yield* Fiber.join(limited)
      yield* Fiber.join(other)
      const [after] = yield* policy.stats
      assert.deepInclude(after, { backingOff: 0, rateLimited: 2, retries: 1, succeeded: 2 })
    }))

  it.scoped("429s do not use up the retry budget: more 429s than maxRetries still succeed before the deadline", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ maxRetries: 2, deadline: "30 seconds", cooldown: "10 millis" })
      const { attempt, times } = yield* scripted(Array.from({ length: 8 }, () => rateLimited(1000)))
      const exit = yield* runFor(policy.run("m", 10, attempt), 12_000, 50)
      assert.strictEqual(exit._tag, "Success")
      const t = yield* times
      assert.strictEqual(t.length, 9, "eight 429s, then the attempt that succeeds")
      assert.isAtMost(t.at(-1)!, 30_000)
      const [stats] = yield* policy.stats
      assert.deepInclude(stats, { rateLimited: 8, retries: 0, failed: 0, succeeded: 1 })
    }))

  it.scoped("429s are retried until the call's deadline, then it fails with a Deadline error naming the 429", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ maxRetries: 1, deadline: "10 seconds", cooldown: "10 millis" })
      const { attempt, times } = yield* scripted(Array.from({ length: 1000 }, () => rateLimited(1000)))
      const fiber = yield* Effect.fork(policy.run("m", 10, attempt))
      // It gives up as soon as the next Retry-After wait would end past the deadline: within the last ~1.1 s.
      for (let t = 0; t < 8_500; t += 50) yield* TestClock.adjust(50)
      assert.isNull(fiber.unsafePoll(), "still retrying 8.5 s into a 10 s deadline, far past maxRetries")
      for (let t = 8_500; t < 10_000; t += 50) yield* TestClock.adjust(50)
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error.kind, "Deadline")
      assert.include(error.message, "429")
      const attempts = (yield* times).length
      assert.isAtLeast(attempts, 8, "about one attempt per Retry-After second")
      assert.strictEqual(error.attempts, attempts)
      assert.isAtMost((yield* times).at(-1)!, 10_000)
    }))

  it.scoped("failures between 429s still use up the retry budget", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ maxRetries: 1, baseDelay: "10 millis", maxDelay: "10 millis", cooldown: "10 millis" })
      const { attempt, times } = yield* scripted([rateLimited(100), transient, rateLimited(100), transient, rateLimited(100)])
      const error = yield* Effect.flip(yield* runFor(policy.run("m", 10, attempt), 2000))
      assert.strictEqual(error.kind, "Transient")
      assert.strictEqual((yield* times).length, 4, "429, failure, 429, failure (the second failure exceeds maxRetries 1)")
      const [stats] = yield* policy.stats
      assert.deepInclude(stats, { rateLimited: 2, retries: 1, failed: 1 })
    }))

  it.scoped("without retry-after: bounded exponential backoff with jitter, then gives up with the attempt count", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ baseDelay: "100 millis", maxDelay: "300 millis", maxRetries: 4 })
      const { attempt, times } = yield* scripted(Array.from({ length: 10 }, () => transient))
      const exit = yield* runFor(policy.run("m", 10, attempt), 3000)
      const t = yield* times
      assert.strictEqual(t.length, 5)
      const gaps = t.slice(1).map((x, i) => x - t[i]!)
      const bounds = [100, 200, 300, 300]
      gaps.forEach((gap, i) => {
        assert.isAtLeast(gap, bounds[i]! / 2, `gap ${i}`)
        assert.isAtMost(gap, bounds[i]! + 10, `gap ${i}`)
      })
      assert.isTrue(exit._tag === "Failure")
      const error = yield* Effect.flip(exit)
      assert.strictEqual(error.kind, "Transient")
      assert.strictEqual(error.attempts, 5)
    }))

  it.scoped("auth and quota errors are never retried", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({})
      for (const kind of ["Auth", "Quota", "BadRequest"] as const) {
        const { attempt, times } = yield* scripted([new JudgeError({ kind, message: kind })])
        const error = yield* Effect.flip(policy.run("m", 10, attempt))
        assert.strictEqual(error.kind, kind)
        assert.strictEqual((yield* times).length, 1)
      }
    }))

  it.scoped("per-attempt timeout is retried; the total deadline stops the call", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ attemptTimeout: "1 second", deadline: "2500 millis", baseDelay: "10 millis", maxDelay: "10 millis" })
      const attempts = yield* Ref.make(0)
      const slow = Effect.zipRight(Ref.update(attempts, (n) => n + 1), Effect.as(Effect.sleep("1 hour"), ok))
      const exit = yield* runFor(policy.run("m", 10, slow), 3000)
      const error = yield* Effect.flip(exit)
      assert.strictEqual(error.kind, "Deadline")
      assert.strictEqual(yield* Ref.get(attempts), 3)
    }))

  it.scoped("an attempt that times itself is given min(attempt timeout, time left) and the matching error", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ attemptTimeout: "1 second", deadline: "2500 millis", baseDelay: "10 millis", maxDelay: "10 millis" })
      const given = yield* Ref.make<ReadonlyArray<{ readonly millis: number; readonly kind: string }>>([])
      // Like a transport's timer: wait out the deadline it is given, then fail with its error.
      const selfTimed = (deadline: AttemptDeadline) =>
        Effect.zipRight(
          Ref.update(given, (g) => [...g, { millis: deadline.millis, kind: deadline.onExpire().kind }]),
          Effect.zipRight(Effect.sleep(deadline.millis), Effect.fail(deadline.onExpire()))
        )
      const exit = yield* runFor(policy.run("m", 10, selfTimed), 3000)
      assert.strictEqual((yield* Effect.flip(exit)).kind, "Deadline")
      const attempts = yield* Ref.get(given)
      // Two full attempts (1000 ms each, 10 ms apart), then what is left of the 2500 ms deadline.
      assert.deepStrictEqual(attempts.map((a) => a.kind), ["Timeout", "Timeout", "Deadline"])
      assert.deepStrictEqual(attempts.slice(0, 2).map((a) => a.millis), [1000, 1000])
      assert.isAtMost(attempts[2]!.millis, 500)
      assert.isAtLeast(attempts[2]!.millis, 470)
    }))

  it.scoped("x-ratelimit-remaining 0 pauses later calls until the reset", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({})
      const times = yield* Ref.make<ReadonlyArray<number>>([])
      const attempt = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* Ref.update(times, (t) => [...t, now])
        return { ...ok, rateLimit: { remainingRequests: 0, resetRequestsMillis: 700 } }
      })
      yield* runFor(Effect.zipRight(policy.run("m", 1, attempt), policy.run("m", 1, attempt)), 1000)
      const [a, b] = yield* Ref.get(times)
      assert.isAtLeast(b! - a!, 700)
    }))

  it.scoped("after a 429, calls released from the pause start spaced at the accepted pace, not together", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ maxConnections: 10, cooldown: "5 seconds" })
      // 21 calls one after another, accepted 100 ms apart: the pace the server has been accepting.
      const slow = Effect.as(Effect.sleep("100 millis"), ok)
      yield* runFor(Effect.forEach(Array.from({ length: 21 }), () => policy.run("m", 1, slow), { discard: true }), 2200)
      const starts = yield* Ref.make<ReadonlyArray<number>>([])
      const limitedOnce = yield* Ref.make(true)
      const attempt = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* Ref.update(starts, (s) => [...s, now])
        if (yield* Ref.getAndSet(limitedOnce, false)) return yield* Effect.fail(rateLimited(500))
        return ok
      })
      const t0 = yield* Clock.currentTimeMillis
      const first = policy.run("m", 1, attempt)
      const others = Effect.zipRight(Effect.sleep("10 millis"), Effect.forEach([1, 2, 3, 4], () => policy.run("m", 1, attempt), { concurrency: 4 }))
      const exit = yield* runFor(Effect.all([first, others], { concurrency: 2 }), 2000, 5)
      assert.strictEqual(exit._tag, "Success")
      const later = (yield* Ref.get(starts)).slice(1).sort((a, b) => a - b)
      assert.strictEqual(later.length, 5, "the retry and the four held-back calls")
      assert.isAtLeast(later[0]! - t0, 500, "nothing starts before the server's Retry-After")
      later.slice(1).forEach((t, i) => assert.isAtLeast(t - later[i]!, 70, `start ${i + 1} is spaced from the one before`))
    }))

  it.scoped("calls held back by a pause keep their own slots of a learned limit: after it they start spaced", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ maxConnections: 10 })
      const starts = yield* Ref.make<ReadonlyArray<number>>([])
      // Every reply states 600 requests/minute (a slot per ~102 ms once learned); the second call's reply says
      // the budget is spent for 300 ms, a pause the calls waiting for their slots meanwhile must sit out.
      const attempt = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const n = yield* Ref.modify(starts, (s) => [s.length, [...s, now]] as const)
        return { ...ok, rateLimit: n === 1 ? { limitRequests: 600, remainingRequests: 0, resetRequestsMillis: 300 } : { limitRequests: 600 } }
      })
      yield* policy.run("m", 1, attempt) // learns the limit
      const exit = yield* runFor(Effect.forEach(Array.from({ length: 6 }), () => policy.run("m", 1, attempt), { concurrency: 6 }), 2000, 5)
      assert.strictEqual(exit._tag, "Success")
      const later = (yield* Ref.get(starts)).slice(1)
      assert.strictEqual(later.length, 6)
      assert.isAtLeast(later[1]! - later[0]!, 300, "the pause holds the next call back")
      later.slice(2).forEach((t, i) => assert.isAtLeast(t - later[i + 1]!, 95, `start ${i + 2} is a slot after the one before`))
    }))

  it.scoped("requests/minute limiter spaces calls (token bucket)", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ requestsPerMinute: 2 })
      const { attempt, times } = yield* scripted([])
      yield* runFor(Effect.forEach([1, 2, 3, 4], () => policy.run("m", 1, attempt), { concurrency: 4 }), 70_000, 1000)
      const t = [...(yield* times)].sort((x, y) => x - y)
      assert.strictEqual(t.length, 4)
      assert.strictEqual(t[1]! - t[0]!, 0, "the bucket starts full (2 tokens)")
      assert.isAtLeast(t[2]! - t[0]!, 30_000, "then one token per 30 s")
      assert.isAtLeast(t[3]! - t[0]!, 60_000)
    }))

  it.scoped("a model's first calls, arriving together, share one state that outlives them", () =>
    Effect.gen(function*() {
      const policy = yield* policyWith({ maxConnections: 2, adaptive: false })
      const { attempt } = yield* scripted([])
      const slow = Effect.zipRight(Effect.sleep("100 millis"), attempt)
      yield* runFor(Effect.forEach([1, 2, 3, 4, 5], () => policy.run("m", 1, slow), { concurrency: 5 }), 400, 50)
      assert.deepStrictEqual((yield* policy.stats).map((s) => [s.model, s.calls, s.succeeded]), [["m", 5, 5]])
      yield* policy.run("m", 1, attempt)
      yield* policy.run("other", 1, attempt)
      assert.deepStrictEqual((yield* policy.stats).map((s) => [s.model, s.calls]), [["m", 6], ["other", 1]])
    }))
})

describe("adaptive connection cap (TestClock)", () => {
  it.effect("halves on 429 with a cooldown, grows by one after `cap` successes, bounded by floor and ceiling", () =>
    Effect.gen(function*() {
      const gate = yield* makeGate({ ceiling: 8, floor: 2, decrease: 0.5, cooldownMillis: 1000, adaptive: true })
      yield* gate.onRateLimited
      assert.strictEqual(yield* gate.cap, 4)
      yield* gate.onRateLimited
      assert.strictEqual(yield* gate.cap, 4, "second 429 inside the cooldown does not shrink again")
      yield* TestClock.adjust("1 second")
      yield* gate.onRateLimited
      yield* TestClock.adjust("1 second")
      yield* gate.onRateLimited
      assert.strictEqual(yield* gate.cap, 2, "never below the floor")
      yield* gate.onSuccess
      assert.strictEqual(yield* gate.cap, 2)
      yield* gate.onSuccess
      assert.strictEqual(yield* gate.cap, 3)
      for (let i = 0; i < 100; i++) yield* gate.onSuccess
      assert.strictEqual(yield* gate.cap, 8, "never above the ceiling")
    }))

  it.effect("slow start: from `initial`, one permit more per success (doubling per round) until the first 429, then additive", () =>
    Effect.gen(function*() {
      const gate = yield* makeGate({ ceiling: 100, floor: 1, decrease: 0.5, cooldownMillis: 0, adaptive: true, initial: 8 })
      assert.strictEqual(yield* gate.cap, 8, "starts at `initial`, not the ceiling")
      const work = gate.withPermit(Effect.sleep("10 millis")).pipe(Effect.zipLeft(gate.onSuccess))
      const first = yield* Effect.fork(Effect.all(Array.from({ length: 100 }, () => work), { concurrency: "unbounded" }))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* gate.inFlight, 8, "the first round opens only `initial` connections")
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(yield* gate.cap, 16, "eight successes: doubled")
      for (let i = 0; i < 20; i++) yield* TestClock.adjust("10 millis")
      yield* Fiber.join(first)
      assert.strictEqual(yield* gate.cap, 100, "the ceiling is reached in a few rounds")
      yield* gate.onRateLimited
      assert.strictEqual(yield* gate.cap, 50)
      for (let i = 0; i < 49; i++) yield* gate.onSuccess
      assert.strictEqual(yield* gate.cap, 50, "after a 429, growth is additive: one per `cap` successes")
      yield* gate.onSuccess
      assert.strictEqual(yield* gate.cap, 51)
    }))

  it.effect("the current cap bounds concurrent permits, including after a shrink with calls in flight", () =>
    Effect.gen(function*() {
      const gate = yield* makeGate({ ceiling: 4, floor: 1, decrease: 0.5, cooldownMillis: 0, adaptive: true })
      const peak = yield* Ref.make(0)
      const work = gate.withPermit(Effect.gen(function*() {
        const now = yield* gate.inFlight
        yield* Ref.update(peak, (p) => Math.max(p, now))
        yield* Effect.sleep("100 millis")
      }))
      const first = yield* Effect.fork(Effect.all([work, work, work, work], { concurrency: "unbounded" }))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* gate.inFlight, 4)
      yield* gate.onRateLimited
      yield* Ref.set(peak, 0)
      const second = yield* Effect.fork(Effect.all(Array.from({ length: 6 }, () => work), { concurrency: "unbounded" }))
      for (let i = 0; i < 10; i++) yield* TestClock.adjust("100 millis")
      yield* Fiber.join(first)
      yield* Fiber.join(second)
      assert.strictEqual(yield* Ref.get(peak), 2, "after the first batch drains, at most 2 run at once")
    }))

  it.effect("waiting calls start in arrival order; an interrupted waiter neither runs nor leaks a permit", () =>
    Effect.gen(function*() {
      const gate = yield* makeGate({ ceiling: 1, floor: 1, decrease: 0.5, cooldownMillis: 0, adaptive: true })
      const started = yield* Ref.make<ReadonlyArray<number>>([])
      const work = (i: number) => gate.withPermit(Effect.zipRight(Ref.update(started, (s) => [...s, i]), Effect.sleep("100 millis")))
      const first = yield* Effect.fork(work(0))
      yield* TestClock.adjust("1 millis")
      const waiting = []
      for (let i = 1; i <= 3; i++) waiting.push(yield* Effect.fork(work(i)))
      yield* TestClock.adjust("1 millis")
      yield* Fiber.interrupt(waiting[1]!).pipe(Effect.fork) // call 2 gives up while waiting
      for (let i = 0; i < 5; i++) yield* TestClock.adjust("100 millis")
      yield* Fiber.join(first)
      yield* Fiber.join(waiting[0]!)
      yield* Fiber.join(waiting[2]!)
      assert.deepStrictEqual(yield* Ref.get(started), [0, 1, 3])
      assert.strictEqual(yield* gate.inFlight, 0)
      yield* gate.withPermit(Effect.void) // the permit is still there
    }))

  it.scoped("holds a shared connection (SharedConnections) around every attempt, a retry taking a new one", () =>
    Effect.gen(function*() {
      // One connection for "all processes": the policy's own cap of 4 would let the three calls run at once.
      const connection = yield* Effect.makeSemaphore(1)
      const held = yield* Ref.make({ now: 0, peak: 0, models: [] as ReadonlyArray<string> })
      const track = (delta: number, model?: string) =>
        Ref.update(held, (h) => ({ now: h.now + delta, peak: Math.max(h.peak, h.now + delta), models: model === undefined ? h.models : [...h.models, model] }))
      const shared = SharedConnections.of({
        withConnection: (model, attempt) =>
          connection.withPermits(1)(Effect.acquireUseRelease(track(1, model), () => attempt, () => track(-1)))
      })
      const policy = yield* Effect.provideService(policyWith({}), SharedConnections, shared)
      const slow = Effect.as(Effect.sleep("100 millis"), ok)
      const { attempt: flaky } = yield* scripted([transient])
      const calls = Effect.all([policy.run("a", 10, slow), policy.run("a", 10, slow), policy.run("b", 10, Effect.zipRight(Effect.sleep("100 millis"), flaky))], { concurrency: "unbounded" })
      const exit = yield* runFor(calls, 2_000)
      assert.strictEqual(exit._tag, "Success")
      const { now, peak, models } = yield* Ref.get(held)
      assert.deepStrictEqual({ now, peak }, { now: 0, peak: 1 })
      assert.deepStrictEqual([...models].sort(), ["a", "a", "b", "b"], "the retried call held a connection for each of its two attempts")
    }))
})
