/**
 * Group commit: callers submit rows and wait until they are committed; one writer fiber drains everything
 * submitted meanwhile and writes it in a single transaction. A caller's rows are durable when `submit`
 * returns (so `kill -9` loses only what was still waiting), yet concurrent cases share one commit instead of
 * paying one each — a commit costs far more than a row.
 *
 * @example
 * ```ts
 * const writer = yield* makeBatchWriter((rows: ReadonlyArray<Row>) => insertRows(rows))
 * yield* writer.submit([row1, row2]) // returns once committed
 * ```
 */
import { Deferred, Effect, Exit, Queue, type Scope } from "effect"
import type { StoreError } from "./errors.js"

/**
 * Submit rows; see the module doc.
 *
 * @example
 * ```ts
 * yield* writer.submit(rows)
 * ```
 */
export interface BatchWriter<A> {
  readonly submit: (rows: ReadonlyArray<A>) => Effect.Effect<void, StoreError>
}

interface Pending<A> {
  readonly rows: ReadonlyArray<A>
  readonly done: Deferred.Deferred<void, StoreError>
}

/**
 * Start a writer fiber in the current scope. `flush` writes one batch (it should run in one transaction).
 *
 * @example
 * ```ts
 * const writer = yield* makeBatchWriter((rows) => db.sql.withTransaction(insert(rows)), 4096)
 * ```
 */
export const makeBatchWriter = <A>(
  flush: (rows: ReadonlyArray<A>) => Effect.Effect<void, StoreError>,
  maxSubmissions = 4096
): Effect.Effect<BatchWriter<A>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<Pending<A>>()
    const complete = (pending: Iterable<Pending<A>>, exit: Exit.Exit<void, StoreError>) =>
      Effect.forEach(pending, (p) => Deferred.done(p.done, exit), { discard: true })
    // A batch, once taken, is written and acknowledged even if the scope is closing meanwhile.
    const writeBatch = Effect.flatMap(Queue.takeBetween(queue, 1, maxSubmissions), (chunk) => {
      const pending = Array.from(chunk)
      return Effect.flatMap(Effect.exit(flush(pending.flatMap((p) => p.rows))), (exit) => complete(pending, Exit.asVoid(exit)))
        .pipe(Effect.uninterruptible)
    })
    yield* Effect.forkScoped(Effect.forever(writeBatch))
    // Submissions still queued when the scope closes fail instead of waiting forever.
    yield* Effect.addFinalizer(() =>
      Effect.flatMap(Queue.takeAll(queue), (left) => complete(left, Exit.die(new Error("the store was closed before this write")))).pipe(
        Effect.zipRight(Queue.shutdown(queue))
      ))
    return {
      submit: (rows) =>
        rows.length === 0
          ? Effect.void
          : Effect.flatMap(Deferred.make<void, StoreError>(), (done) =>
            Effect.zipRight(Queue.offer(queue, { rows, done }), Deferred.await(done)))
    }
  })
