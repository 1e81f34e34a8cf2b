import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Ref, TestClock } from "effect"
import { FakeOpenAi } from "@assay/fake-openai"
import { Judge, JudgeError, makePolicy, type ProviderReply, type RateLimitInfo } from "@assay/judge"
import { makeBucket } from "../src/internal/bucket.js"
import { callMany, judgeAt, quick } from "./helpers.js"

/** Fork `effect`, advance the virtual clock in `step` ms steps up to `totalMs`, then join. */
const runFor = <A, E>(effect: Effect.Effect<A, E>, totalMs: number, step = 10) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let t = 0; t < totalMs; t += step) yield* TestClock.adjust(step)
    return yield* Fiber.await(fiber)
  })

/** An attempt taking `latency` ms that records its start and replies with `reply`. */
const recorded = (latency: number, reply: ProviderReply) =>
  Effect.gen(function*() {
    const starts = yield* Ref.make<ReadonlyArray<number>>([])
    const attempt = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      yield* Ref.update(starts, (s) => [...s, now])
      yield* Effect.sleep(latency)
      return reply
    })
    return { attempt, starts: Effect.map(Ref.get(starts), (s) => [...s].sort((a, b) => a - b)) }
  })

/** The most starts within any window of `windowMs`. */
const busiestWindow = (starts: ReadonlyArray<number>, windowMs: number) =>
  Math.max(...starts.map((t) => starts.filter((u) => u >= t && u < t + windowMs).length))

describe("limits learned from rate-limit headers (TestClock)", () => {
  it.scoped("x-ratelimit-limit-requests paces later calls under the stated limit, per second", () =>
    Effect.gen(function*() {
      const policy = yield* makePolicy({ maxConnections: 20 })
      const info: RateLimitInfo = { limitRequests: 600 } // 10 per second
      const { attempt, starts } = yield* recorded(100, { text: "ok", usage: { input: 1, output: 1 }, rateLimit: info })
      const many = Effect.forEach(Array.from({ length: 30 }), () => policy.run("m", 1, attempt), { concurrency: 20 })
      yield* runFor(Effect.zipRight(policy.run("m", 1, attempt), many), 5000)
      const times = yield* starts
      assert.strictEqual(times.length, 31)
      assert.isAtMost(busiestWindow(times, 1000), 10, "never more than the limit's per-second share")
      assert.isAtLeast(times[30]! - times[1]!, 2500, "30 calls at 10 a second after the limit was learned")
      const [stats] = yield* policy.stats
      assert.strictEqual(stats!.learnedRequestsPerMinute, 600)
    }))

  it.scoped("a changed limit is followed; without headers nothing is learned and nothing waits", () =>
    Effect.gen(function*() {
      const policy = yield* makePolicy({ maxConnections: 5 })
      const plain = yield* recorded(10, { text: "ok", usage: { input: 1, output: 1 } })
      yield* runFor(Effect.forEach(Array.from({ length: 20 }), () => policy.run("m", 1, plain.attempt), { concurrency: 5 }), 100)
      assert.strictEqual((yield* plain.starts).length, 20, "20 calls in 4 rounds of 10 ms: no pacing")
      const [before] = yield* policy.stats
      assert.isUndefined(before!.learnedRequestsPerMinute)
      const first = yield* recorded(0, { text: "ok", usage: { input: 1, output: 1 }, rateLimit: { limitRequests: 60, limitTokens: 1000 } })
      yield* runFor(policy.run("m", 1, first.attempt), 10)
      const second = yield* recorded(0, { text: "ok", usage: { input: 1, output: 1 }, rateLimit: { limitRequests: 120 } })
      yield* runFor(policy.run("m", 1, second.attempt), 2000)
      const [after] = yield* policy.stats
      assert.strictEqual(after!.learnedRequestsPerMinute, 120)
      assert.strictEqual(after!.learnedTokensPerMinute, 1000)
    }))

  it.scoped("a 429 under a learned limit leaves the connection cap alone; without one it halves it", () =>
    Effect.gen(function*() {
      const limited = new JudgeError({ kind: "RateLimited", message: "429", status: 429, retryAfterMillis: 50 })
      const capAfter429 = (info: RateLimitInfo | undefined) =>
        Effect.gen(function*() {
          const policy = yield* makePolicy({ maxConnections: 16 })
          const calls = yield* Ref.make(0)
          const attempt = Effect.flatMap(Ref.getAndUpdate(calls, (n) => n + 1), (n): Effect.Effect<ProviderReply, JudgeError> =>
            n === 1 ? Effect.fail(limited) : Effect.succeed({ text: "ok", usage: { input: 1, output: 1 }, rateLimit: info }))
          yield* runFor(Effect.zipRight(policy.run("m", 1, attempt), policy.run("m", 1, attempt)), 1000)
          const [stats] = yield* policy.stats
          assert.strictEqual(stats!.rateLimited, 1)
          return stats!.cap
        })
      assert.strictEqual(yield* capAfter429({ limitRequests: 6000 }), 16)
      assert.strictEqual(yield* capAfter429(undefined), 8)
    }))
})

describe("token estimates corrected by usage (TestClock)", () => {
  it.scoped("a reply using fewer tokens than estimated gives the difference back to the tokens/minute bucket", () =>
    Effect.gen(function*() {
      // 600 tokens/minute, 300 estimated a call: without correction the third call waits 30 s.
      const startsWith = (usage: ProviderReply["usage"], calls: number) =>
        Effect.gen(function*() {
          const policy = yield* makePolicy({ maxConnections: 1, tokensPerMinute: 600 })
          const { attempt, starts } = yield* recorded(0, { text: "ok", usage })
          yield* runFor(Effect.forEach(Array.from({ length: calls }), () => policy.run("m", 300, attempt)), 40_000, 1000)
          return yield* starts
        })
      const corrected = yield* startsWith({ input: 20, output: 10 }, 10)
      assert.strictEqual(corrected.length, 10)
      assert.strictEqual(corrected[9], 0, "each call cost 30 tokens, not 300: all ten start at once")
      const unreported = yield* startsWith({ input: 0, output: 0 }, 3)
      assert.isAtLeast(unreported[2]!, 30_000, "no usage reported: the estimate stands")
    }))

  it("a bucket's limit can change and its charges be corrected", () => {
    const bucket = makeBucket({ perMinute: 60, burstMillis: 1000 }, 0) // one a second, a burst of one
    assert.strictEqual(bucket.reserve(0, 1), 0)
    assert.strictEqual(bucket.reserve(0, 1), 1000)
    bucket.adjust(0, 2)
    assert.strictEqual(bucket.reserve(0, 1), 0, "the refund paid the debt")
    bucket.setLimit(0, { perMinute: 120, burstMillis: 1000 })
    assert.strictEqual(bucket.reserve(0, 1), 500, "twice the limit: half the wait")
  })
})

// Real HTTP to the fake server on the live clock: assertions on what the server saw, never on elapsed time.
describe("learned limits over real HTTP", () => {
  // Pacing under a learned limit is asserted under TestClock above; over real HTTP only what was learned is
  // asserted, since how many 429s a run meets depends on the machine's speed.
  it.live("the fake server's x-ratelimit headers teach the limit; without them nothing is learned", () =>
    Effect.gen(function*() {
      const run = (headers: boolean) =>
        Effect.gen(function*() {
          const server = yield* FakeOpenAi.make({ latency: "5 millis", rateLimit: { requestsPerSecond: 40, headers, tokensPerMinute: 90_000 } })
          const stats = yield* callMany(80).pipe(
            Effect.zipRight(Effect.flatMap(Judge, (j) => j.stats)),
            Effect.provide(judgeAt(server.baseUrl, { ...quick, maxConnections: 20, initialConnections: 2 }))
          )
          const log = yield* server.log
          assert.strictEqual(log.filter((e) => e.status === 200).length, 80)
          return { stats: stats.policy! }
        }).pipe(Effect.scoped)
      const learned = yield* run(true)
      assert.strictEqual(learned.stats.learnedRequestsPerMinute, 2400)
      assert.strictEqual(learned.stats.learnedTokensPerMinute, 90_000)
      const blind = yield* run(false)
      assert.isUndefined(blind.stats.learnedRequestsPerMinute)
    }))

  it.live("429 cap plus 20% HTTP 500s: every call completes", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ latency: "5 millis", rateLimit: { requestsPerSecond: 60 }, failRate: { rate: 0.2, seed: 3 } })
      const stats = yield* callMany(120).pipe(
        Effect.zipRight(Effect.flatMap(Judge, (j) => j.stats)),
        Effect.provide(judgeAt(server.baseUrl, { ...quick, maxConnections: 40, initialConnections: 8 }))
      )
      const log = yield* server.log
      assert.strictEqual(log.filter((e) => e.status === 200).length, 120)
      assert.strictEqual(stats.policy?.succeeded, 120)
      assert.strictEqual(stats.policy?.failed, 0)
      assert.strictEqual(stats.policy?.retries, log.filter((e) => e.status === 500).length)
    }).pipe(Effect.scoped))
})

describe("retry backoff follows failures, not load (TestClock)", () => {
  const transient = new JudgeError({ kind: "Transient", message: "500", status: 500 })
  /** The gaps between the attempts of one call failing `failures` times, with other calls succeeding meanwhile or not. */
  const gaps = (failures: number, othersSucceed: boolean) =>
    Effect.gen(function*() {
      const policy = yield* makePolicy({ maxConnections: 4, baseDelay: "100 millis", maxDelay: "10 seconds", maxRetries: 8 })
      const starts = yield* Ref.make<ReadonlyArray<number>>([])
      const unlucky = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const seen = yield* Ref.modify(starts, (s) => [s.length, [...s, now]] as const)
        return seen < failures ? yield* Effect.fail(transient) : { text: "ok", usage: { input: 1, output: 1 } }
      })
      const lucky = Effect.as(Effect.sleep("10 millis"), { text: "ok", usage: { input: 1, output: 1 } })
      const others = othersSucceed ? Effect.forEach(Array.from({ length: 400 }), () => policy.run("m", 1, lucky), { discard: true }) : Effect.void
      yield* runFor(Effect.all([policy.run("m", 1, unlucky), others], { concurrency: 2 }), 6000)
      const times = yield* Ref.get(starts)
      return times.slice(1).map((t, i) => t - times[i]!)
    })

  it.scoped("a call failing among successes retries after the base delay each time; in an outage the delay grows", () =>
    Effect.gen(function*() {
      const healthy = yield* gaps(4, true)
      assert.strictEqual(healthy.length, 4)
      healthy.forEach((gap) => assert.isAtMost(gap, 100, "the base delay's range, [50, 100) ms"))
      const outage = yield* gaps(4, false)
      assert.isAtLeast(outage[3]!, 400, "fourth retry: 800 ms ceiling, at least half of it")
    }))
})
