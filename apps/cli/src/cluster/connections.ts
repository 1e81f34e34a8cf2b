/**
 * The cluster's shared connection caps ({@link SharedConnections}): with `--max-connections n` on a cluster,
 * at most n calls to a model are in flight on all runners together. The n connections of a model are rows of
 * `cluster_connection_slots` in the cluster's Postgres: an attempt takes a free row (or one whose lease has
 * expired) with one `UPDATE … FOR UPDATE SKIP LOCKED`, and frees it when it ends. A process renews the leases
 * it holds every few seconds, so a runner that dies (SIGKILL) frees its connections within one lease.
 *
 * An attempt takes a free connection at once; while every connection is taken, one fiber per process and model
 * polls for a free one (its wait grows from a few milliseconds to a cap), the other attempts of the process
 * queue behind it, in order, and newcomers join the queue rather than overtake it. Postgres has
 * LISTEN/NOTIFY, but the run store reaches the database through @effect/sql's generic client, and a poll
 * bounded at tens of milliseconds is small beside a model call.
 *
 * @example
 * ```ts
 * Layer.build(sharedConnectionsLayer(8, "10.0.0.7:34431"))
 * ```
 */
import { randomUUID } from "node:crypto"
import { SharedConnections } from "@assay/judge"
import { Database } from "@assay/store"
import type { SqlClient } from "@effect/sql"
import { Effect, Either, Layer, Option, Schedule } from "effect"
import { databaseNowMs } from "./rate-limit.js"

/** How long a connection stays held without renewal: a holder that stops renewing (it died) loses it after this. */
const LEASE_MS = 20_000
/** How often a process renews the leases it holds. */
const RENEW = "5 seconds"
/** The wait between polls while every connection is taken: growing from 2 ms, at most 50 ms, jittered. */
const POLL = Schedule.exponential("2 millis").pipe(Schedule.union(Schedule.spaced("50 millis")), Schedule.jittered)
/** Polls in a row the database may fail before an attempt goes ahead under this runner's own cap. */
const MAX_FAILURES = 5

/** The `restore` of `Effect.uninterruptibleMask`: makes an effect interruptible again. */
type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** The statements on `cluster_connection_slots` of one process (`holder`) for caps of `cap` connections. */
const statements = (sql: SqlClient.SqlClient, holder: string, cap: number) => {
  const now = databaseNowMs(sql)
  return {
    /** Make the cap's rows of a limiter (other processes may race to it). */
    ensureRows: (limiter: string) =>
      sql`INSERT INTO cluster_connection_slots (limiter, slot, holder, expires_at)
        SELECT ${limiter}, s, NULL, 0 FROM generate_series(0, ${cap - 1}) AS s ON CONFLICT DO NOTHING`,
    /** Take a free (or expired) connection of `limiter`: its slot, or none while all are held. */
    tryTake: (limiter: string) =>
      sql<{ slot: number }>`UPDATE cluster_connection_slots SET holder = ${holder}, expires_at = ${now} + ${LEASE_MS}
        WHERE limiter = ${limiter} AND slot = (
          SELECT slot FROM cluster_connection_slots
          WHERE limiter = ${limiter} AND (holder IS NULL OR expires_at < ${now})
          ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING slot`.pipe(Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => Number(row.slot)))),
    free: (limiter: string, slot: number) =>
      sql`UPDATE cluster_connection_slots SET holder = NULL, expires_at = 0
        WHERE limiter = ${limiter} AND slot = ${slot} AND holder = ${holder}`.pipe(Effect.ignore),
    renewAll: sql`UPDATE cluster_connection_slots SET expires_at = ${now} + ${LEASE_MS} WHERE holder = ${holder}`.pipe(Effect.ignore),
    freeAll: sql`UPDATE cluster_connection_slots SET holder = NULL, expires_at = 0 WHERE holder = ${holder}`.pipe(Effect.ignore)
  }
}

/**
 * Poll `tryTake` until it gives a slot, or none once the database has failed a few polls in a row (the attempt
 * then goes ahead under this runner's own cap). Only the sleeps between polls can be interrupted, so a
 * connection taken is always handed back to the caller.
 */
const waitForSlot = (tryTake: Effect.Effect<Option.Option<number>, unknown>, restore: Restore) =>
  Effect.flatMap(Schedule.driver(POLL), (driver) => {
    const loop = (failures: number): Effect.Effect<Option.Option<number>> =>
      Effect.flatMap(Effect.either(tryTake), (taken) =>
        Either.isRight(taken) && Option.isSome(taken.right) ? Effect.succeed(taken.right)
          : failures >= MAX_FAILURES ? Effect.succeed(Option.none())
          : Effect.zipRight(restore(Effect.orDie(driver.next(undefined))), loop(Either.isLeft(taken) ? failures + 1 : 0)))
    return loop(0)
  })

/** A process's waiters for one limiter: one polls at a time, the others queue behind it, in order. */
interface Queue {
  readonly turn: Effect.Semaphore
  waiting: number
}

/** `wait` once the queue's earlier waiters are served (waiting for the turn is interruptible, `wait` is not). */
const inTurn = <A>(queue: Queue, wait: Effect.Effect<A>, restore: Restore) =>
  Effect.suspend(() => {
    queue.waiting++
    return restore(queue.turn.take(1)).pipe(
      Effect.zipRight(Effect.ensuring(wait, queue.turn.release(1))),
      Effect.ensuring(Effect.sync(() => void queue.waiting--))
    )
  })

/**
 * {@link SharedConnections} of `cap` connections per model on the command's (Postgres) database, held under the
 * name of `runner` (plus a per-process suffix). Scoped: on release the process frees every connection it holds.
 *
 * @example
 * ```ts
 * sharedConnectionsLayer(8, "10.0.0.7:34431").pipe(Layer.provide(storeLayer(database)))
 * ```
 */
export const sharedConnectionsLayer = (cap: number, runner: string): Layer.Layer<SharedConnections, never, Database> =>
  Layer.scoped(
    SharedConnections,
    Effect.gen(function*() {
      const { sql } = yield* Database
      const slots = statements(sql, `${runner}#${randomUUID()}`, cap)
      const scope = yield* Effect.scope
      yield* Effect.forkScoped(Effect.repeat(slots.renewAll, Schedule.spaced(RENEW)))
      yield* Effect.addFinalizer(() => slots.freeAll)
      const queues = new Map<string, Queue>()
      /** The limiter's queue, its rows made on first use. */
      const queueOf = (limiter: string): Effect.Effect<Queue> => {
        const found = queues.get(limiter)
        if (found !== undefined) return Effect.succeed(found)
        return Effect.zipWith(Effect.ignore(slots.ensureRows(limiter)), Effect.makeSemaphore(1), (_, turn) =>
          queues.get(limiter) ?? (queues.set(limiter, { turn, waiting: 0 }), queues.get(limiter)!))
      }
      return {
        withConnection: (model, attempt) => {
          const limiter = `${model}@${cap}conn`
          return Effect.uninterruptibleMask((restore) =>
            Effect.gen(function*() {
              const queue = yield* queueOf(limiter)
              // While nobody of this process waits, a free connection is taken at once; else wait in turn.
              const direct = queue.waiting === 0 ? yield* Effect.orElseSucceed(slots.tryTake(limiter), () => Option.none<number>()) : Option.none<number>()
              const slot = Option.isSome(direct) ? direct : yield* inTurn(queue, waitForSlot(slots.tryTake(limiter), restore), restore)
              // Freed in the background: the call's reply need not wait for the database.
              const release = Option.match(slot, { onNone: () => Effect.void, onSome: (s) => Effect.forkIn(slots.free(limiter, s), scope) })
              return yield* Effect.ensuring(restore(attempt), release)
            })
          )
        }
      }
    })
  )
