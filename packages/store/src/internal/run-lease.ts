/**
 * Run leases: a run is evaluated by one process at a time. The holder writes its host, process id and a
 * random token into `run_leases` and refreshes a heartbeat while it runs; the lease is deleted when its scope
 * closes. A second process asking for the lease of a run whose holder is alive is refused with
 * {@link RunLeased}; a dead holder's lease is taken over at once:
 *
 * - on the same host the process id decides (a `kill -9`ed holder is gone, whatever its heartbeat says; a
 *   live one keeps its lease even while a long synchronous step delays its heartbeat), unless the heartbeat
 *   is older than `reusedPidAfter` (the id may belong to another process by now);
 * - from another host only the heartbeat can tell: older than `staleAfter` (a few seconds) means dead.
 *
 * Taking a lease is a compare-and-swap on the token (`UPDATE … WHERE token = <seen> RETURNING`), so of two
 * processes taking over the same dead lease exactly one wins, on SQLite and Postgres alike.
 *
 * @example
 * ```ts
 * const leases = yield* RunLease
 * const lease = yield* leases.acquire(runId) // scoped: released when the scope closes
 * ```
 */
import { Clock, Data, Deferred, Duration, Effect, Either, Random, Schedule, Schema, type Scope } from "effect"
import { hostname } from "node:os"
import { Database } from "./database.js"
import type { StoreError } from "./errors.js"

/**
 * Who holds (or asks for) a lease.
 *
 * @example
 * ```ts
 * const me: LeaseHolder = { host: "ci-7", pid: 4242 }
 * ```
 */
export interface LeaseHolder {
  readonly host: string
  readonly pid: number
}

/**
 * The run is leased by a live process.
 *
 * @example
 * ```ts
 * new RunLeased({ runId: "r1", host: "ci-7", pid: 4242, heartbeatAgoMs: 800 }).message
 * ```
 */
export class RunLeased extends Schema.TaggedError<RunLeased>()("RunLeased", {
  runId: Schema.String,
  host: Schema.String,
  pid: Schema.Number,
  heartbeatAgoMs: Schema.Number
}) {
  override get message(): string {
    return `run ${this.runId} is being evaluated by another process (pid ${this.pid} on host ${this.host}, ` +
      `last heartbeat ${(this.heartbeatAgoMs / 1000).toFixed(1)} s ago); wait for it to finish or stop it, then resume`
  }
}

/**
 * Settings of {@link RunLease.acquire}; the defaults suit the CLI.
 *
 * @example
 * ```ts
 * leases.acquire(runId, { holder: { host: "h", pid: 1 }, heartbeat: "1 second" })
 * ```
 */
export interface LeaseOptions {
  /** This process (default: this host's name and `process.pid`). */
  readonly holder?: LeaseHolder
  /** Interval between heartbeats (default 1 s). */
  readonly heartbeat?: Duration.DurationInput
  /** A holder on another host is dead when its heartbeat is older than this (default 5 s). */
  readonly staleAfter?: Duration.DurationInput
  /** A holder on this host whose pid exists is still dead when its heartbeat is older than this (default 2 min). */
  readonly reusedPidAfter?: Duration.DurationInput
  /** Whether a process of this host is alive (default: `process.kill(pid, 0)`). */
  readonly isAlive?: (pid: number) => boolean
}

/**
 * A held lease.
 *
 * @example
 * ```ts
 * yield* Deferred.await(lease.lost) // completes if another process took the run over
 * ```
 */
export interface Lease {
  readonly runId: string
  /** Completed with the new holder when a heartbeat finds the lease taken over (this process was presumed dead). */
  readonly lost: Deferred.Deferred<LeaseHolder>
}

interface LeaseRow {
  readonly host: string
  readonly pid: number
  readonly token: string
  readonly heartbeat_at: number
}

/** The row changed between reading and swapping it: read it again. */
class Contended extends Data.TaggedError("Contended") {}

/** `process.kill(pid, 0)` throws ESRCH when no such process exists (EPERM: it exists, owned by another user). */
const processAlive = (pid: number): boolean =>
  Either.match(Either.try(() => process.kill(pid, 0)), {
    onLeft: (e) => (e as NodeJS.ErrnoException).code === "EPERM",
    onRight: () => true
  })

/**
 * The run lease service; see the module doc.
 *
 * @example
 * ```ts
 * Effect.scoped(Effect.flatMap(RunLease, (l) => Effect.zipRight(l.acquire("r1"), work)))
 * ```
 */
export class RunLease extends Effect.Service<RunLease>()("assay/store/RunLease", {
  effect: Effect.gen(function*() {
    const db = yield* Database
    const { sql } = db

    const read = (runId: string) =>
      db.refine(sql<LeaseRow>`SELECT host, pid, token, heartbeat_at FROM run_leases WHERE run_id = ${runId}`)

    /** Take the lease once: insert it, or swap out a dead holder's token; fail when a live process holds it. */
    const tryTake = (runId: string, me: LeaseHolder, token: string, isDead: (row: LeaseRow, now: number) => boolean) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const inserted = yield* db.refine(sql`INSERT INTO run_leases (run_id, host, pid, token, heartbeat_at)
          VALUES (${runId}, ${me.host}, ${me.pid}, ${token}, ${now}) ON CONFLICT (run_id) DO NOTHING RETURNING run_id`)
        if (inserted.length > 0) return
        const [row] = yield* read(runId)
        if (row === undefined) return yield* new Contended()
        if (!isDead(row, now)) {
          return yield* new RunLeased({ runId, host: row.host, pid: Number(row.pid), heartbeatAgoMs: Math.max(0, now - Number(row.heartbeat_at)) })
        }
        const swapped = yield* db.refine(sql`UPDATE run_leases SET host = ${me.host}, pid = ${me.pid}, token = ${token},
          heartbeat_at = ${now} WHERE run_id = ${runId} AND token = ${row.token} RETURNING run_id`)
        if (swapped.length === 0) return yield* new Contended()
      })

    /** Refresh the heartbeat; false when the token is no longer ours (the lease was taken over). */
    const beat = (runId: string, token: string) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        db.refine(sql`UPDATE run_leases SET heartbeat_at = ${now} WHERE run_id = ${runId} AND token = ${token} RETURNING run_id`)).pipe(
          Effect.map((rows) => rows.length > 0)
        )

    /**
     * Hold the lease on `runId` for the current scope: heartbeats run in the background, the lease is
     * released when the scope closes.
     */
    const acquire = (runId: string, options: LeaseOptions = {}): Effect.Effect<Lease, RunLeased | StoreError, Scope.Scope> =>
      Effect.gen(function*() {
        const me = options.holder ?? { host: hostname(), pid: process.pid }
        const isAlive = options.isAlive ?? processAlive
        const staleAfter = Duration.toMillis(options.staleAfter ?? "5 seconds")
        const reusedPidAfter = Duration.toMillis(options.reusedPidAfter ?? "2 minutes")
        const token = (yield* Random.nextInt).toString(36) + (yield* Clock.currentTimeMillis).toString(36) + me.pid.toString(36)
        const isDead = (row: LeaseRow, now: number) => {
          const age = now - Number(row.heartbeat_at)
          return row.host === me.host ? !isAlive(Number(row.pid)) || age > reusedPidAfter : age > staleAfter
        }
        yield* Effect.acquireRelease(
          tryTake(runId, me, token, isDead).pipe(Effect.retry({ while: (e) => e._tag === "Contended", times: 5 }), Effect.catchTag("Contended", Effect.die)),
          () => Effect.ignore(db.refine(sql`DELETE FROM run_leases WHERE run_id = ${runId} AND token = ${token}`))
        )
        const lost = yield* Deferred.make<LeaseHolder>()
        const lostTo = Effect.flatMap(read(runId), ([row]) =>
          Deferred.succeed(lost, row === undefined ? { host: "?", pid: 0 } : { host: row.host, pid: Number(row.pid) }))
        yield* beat(runId, token).pipe(
          Effect.flatMap((held) => held ? Effect.void : Effect.zipRight(lostTo, Effect.fail("lost" as const))),
          Effect.catchTag("StoreError", (e) => Effect.logWarning(`run ${runId}: heartbeat failed: ${e.message}`)),
          Effect.repeat(Schedule.spaced(options.heartbeat ?? "1 second")),
          Effect.delay(options.heartbeat ?? "1 second"),
          Effect.ignore,
          Effect.forkScoped
        )
        return { runId, lost }
      })

    return { acquire } as const
  })
}) {}
