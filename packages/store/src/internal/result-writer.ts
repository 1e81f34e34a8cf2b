/**
 * The run store's writer of case results: group commit (`batch-writer.ts`) — results submitted meanwhile, by
 * any run, are committed in one transaction, one stored batch per run (`run-sql.ts`).
 *
 * @example
 * ```ts
 * const writer = yield* makeResultWriter(db)
 * yield* writer.submit([{ runId, results }])
 * ```
 */
import type { CaseResult } from "@assay/core"
import { Effect, type Scope } from "effect"
import { type BatchWriter, makeBatchWriter } from "./batch-writer.js"
import type { DatabaseApi } from "./database.js"
import { appendResults } from "./run-sql.js"

/**
 * Results of one run waiting for the writer's next commit (one `sinkMany` call).
 *
 * @example
 * ```ts
 * const pending: Pending = { runId: "r1", results }
 * ```
 */
export interface Pending {
  readonly runId: string
  readonly results: ReadonlyArray<CaseResult>
}

/** Results per stored batch at most (a commit of more is split). */
const BATCH_RESULTS = 2000

/** Split a list into chunks of at most `size` (bounded statement size). */
const chunks = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * The group-commit writer of case results: everything submitted meanwhile is committed in one transaction, one
 * stored batch per run (split every {@link BATCH_RESULTS} results).
 *
 * @example
 * ```ts
 * const writer = yield* makeResultWriter(db)
 * ```
 */
export const makeResultWriter = (db: DatabaseApi): Effect.Effect<BatchWriter<Pending>, never, Scope.Scope> =>
  makeBatchWriter((pending: ReadonlyArray<Pending>) => {
    const byRun = new Map<string, Array<CaseResult>>()
    for (const { results, runId } of pending) {
      const known = byRun.get(runId)
      if (known === undefined) byRun.set(runId, [...results])
      else for (const result of results) known.push(result)
    }
    const appends = Effect.forEach(byRun, ([runId, results]) =>
      Effect.forEach(chunks(results, BATCH_RESULTS), (chunk) => appendResults(runId, chunk), { discard: true }), { discard: true })
    return db.refine(db.sql.withTransaction(db.provided(appends)))
  })
