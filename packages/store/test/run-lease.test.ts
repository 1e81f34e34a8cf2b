/**
 * Run leases on SQLite and Postgres: one live holder at a time, a dead holder (gone pid on this host, stale
 * heartbeat from another host) taken over at once, staleness measured in virtual time (TestClock).
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Exit, Layer, Option, Scope, TestClock } from "effect"
import { Database, type LeaseOptions, RunLease, RunStore } from "@assay/store"
import { afterAll } from "vitest"
import { backends } from "./helpers.js"
import { stopSharedServer } from "./pg-server.js"

afterAll(stopSharedServer)

const HOST = "this-host"
const everyoneAlive = () => true

/** The lease row of a run, if any. */
const leaseRow = (runId: string) =>
  Effect.flatMap(Database, ({ sql }) =>
    sql<{ host: string; pid: number; heartbeat_at: number }>`SELECT host, pid, heartbeat_at FROM run_leases WHERE run_id = ${runId}`).pipe(
      Effect.map((rows) => Option.fromNullable(rows[0])),
      Effect.orDie
    )

/** Acquire in a scope of its own that the test closes (release) or leaves open (a killed holder). */
const holdIn = (runId: string, options: LeaseOptions) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const lease = yield* Effect.flatMap(RunLease, (l) => l.acquire(runId, options)).pipe(Scope.extend(scope))
    return { scope, lease }
  })

const tryAcquire = (runId: string, options: LeaseOptions) =>
  Effect.flatMap(RunLease, (l) => l.acquire(runId, options)).pipe(Effect.scoped, Effect.exit)

/**
 * Advance virtual time by `seconds`, one second at a time, waiting (real time, at most 2 s) after each step
 * until the holder's heartbeat has landed: a Postgres write is real I/O.
 */
const beatFor = (runId: string, seconds: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < seconds; i++) {
      yield* TestClock.adjust("1 second")
      const now = yield* Clock.currentTimeMillis
      for (let wait = 0; wait < 80; wait++) {
        const row = yield* leaseRow(runId)
        if (Option.isSome(row) && Number(row.value.heartbeat_at) === now) break
        yield* Effect.sleep("25 millis").pipe(Effect.withClock(Clock.make()))
      }
    }
  })

describe.each(backends)("RunLease on $name", (backend) => {
  const withRun = <A, E>(body: (runId: string) => Effect.Effect<A, E, RunLease | RunStore | Database | Scope.Scope>) =>
    Effect.gen(function*() {
      const at = yield* backend.fresh
      const context = yield* Layer.build(at.store())
      return yield* Effect.gen(function*() {
        const run = yield* Effect.flatMap(RunStore, (s) => s.start({ datasetFingerprint: "d", metricsFingerprint: "m" }))
        return yield* body(run.runId)
      }).pipe(Effect.provide(context))
    })

  it.scoped("a live holder keeps the run: a second process is refused with the holder named, then gets it after release", () =>
    withRun((runId) =>
      Effect.gen(function*() {
        const first = yield* holdIn(runId, { holder: { host: HOST, pid: 101 }, isAlive: everyoneAlive })
        const error = yield* Effect.flip(Effect.scoped(Effect.flatMap(RunLease, (l) => l.acquire(runId, { holder: { host: HOST, pid: 202 }, isAlive: everyoneAlive }))))
        assert.strictEqual(error._tag, "RunLeased")
        assert.include(error.message, `run ${runId}`)
        assert.include(error.message, `pid 101 on host ${HOST}`)
        yield* Scope.close(first.scope, Exit.void)
        assert.isTrue(Option.isNone(yield* leaseRow(runId)), "released at the end")
        assert.isTrue(Exit.isSuccess(yield* tryAcquire(runId, { holder: { host: HOST, pid: 202 }, isAlive: everyoneAlive })))
      })))

  it.scoped("a holder whose pid is gone on this host is taken over at once; it learns so at its next heartbeat", () =>
    withRun((runId) =>
      Effect.gen(function*() {
        const killed = yield* holdIn(runId, { holder: { host: HOST, pid: 101 }, isAlive: everyoneAlive })
        const pidGone = (pid: number) => pid !== 101
        const taker = yield* holdIn(runId, { holder: { host: HOST, pid: 202 }, isAlive: pidGone })
        assert.deepStrictEqual(Option.map(yield* leaseRow(runId), (r) => Number(r.pid)), Option.some(202), "taken over with no time passing")
        yield* beatFor(runId, 1)
        assert.isTrue(yield* Deferred.isDone(killed.lease.lost))
        assert.deepStrictEqual(yield* Deferred.await(killed.lease.lost), { host: HOST, pid: 202 })
        yield* Scope.close(killed.scope, Exit.void)
        assert.isTrue(Option.isSome(yield* leaseRow(runId)), "the old holder's release leaves the new lease alone")
        yield* Scope.close(taker.scope, Exit.void)
      })))

  it.scoped("a holder on another host is dead only once its heartbeat is stale (5 s)", () =>
    withRun((runId) =>
      Effect.gen(function*() {
        // A live remote holder beats every second: never stale, whatever the time.
        const live = yield* holdIn(runId, { holder: { host: "remote", pid: 7 }, heartbeat: "1 second" })
        yield* beatFor(runId, 8)
        const stillLive = yield* tryAcquire(runId, { holder: { host: HOST, pid: 202 }, isAlive: everyoneAlive })
        assert.isTrue(Exit.isFailure(stillLive), "a beating remote holder is live")
        yield* Scope.close(live.scope, Exit.void)
        // A remote holder that stops beating (its next beat would be in an hour): stale after 5 s.
        yield* holdIn(runId, { holder: { host: "remote", pid: 8 }, heartbeat: "1 hour" })
        yield* TestClock.adjust("4 seconds")
        assert.isTrue(Exit.isFailure(yield* tryAcquire(runId, { holder: { host: HOST, pid: 202 }, isAlive: everyoneAlive })), "4 s: not stale yet")
        yield* TestClock.adjust("2 seconds")
        assert.isTrue(Exit.isSuccess(yield* tryAcquire(runId, { holder: { host: HOST, pid: 202 }, isAlive: everyoneAlive })), "6 s: taken over")
      })))

  it.scoped("two processes asking at once: exactly one gets the lease", () =>
    withRun((runId) =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const results = yield* Effect.all(
          [301, 302, 303].map((pid) =>
            Effect.flatMap(RunLease, (l) => l.acquire(runId, { holder: { host: HOST, pid }, isAlive: everyoneAlive })).pipe(Scope.extend(scope), Effect.either)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter((r) => r._tag === "Right").length, 1)
        assert.deepStrictEqual(results.filter((r) => r._tag === "Left").map((r) => r.left._tag), ["RunLeased", "RunLeased"])
        yield* Scope.close(scope, Exit.void)
      })))
})
