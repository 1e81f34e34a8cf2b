/**
 * Cache administration for `assay cache`: statistics, clearing and pruning of the SQLite database through
 * @assay/store's Maintenance service, printed for humans.
 *
 * @example
 * ```ts
 * import { cacheAdmin } from "./cache-admin.js"
 * yield* withRunStore(".assay/assay.db", cacheAdmin.stats)
 * ```
 */
import { type Deleted, Maintenance } from "@assay/store"
import { Console, Duration, Effect, Option } from "effect"
import { RunFailed } from "../errors.js"

const failed = (e: { readonly message: string }) => new RunFailed({ message: e.message })

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

const deletedLine = (d: Deleted) => `deleted ${d.cacheRows} cached results, ${d.responseRows} cached responses, ${d.runs} runs`

/**
 * The cache commands' operations.
 *
 * @example
 * ```ts
 * cacheAdmin.prune(Option.some(Duration.days(30)))
 * ```
 */
export const cacheAdmin = {
  stats: Effect.gen(function*() {
    const s = yield* Effect.flatMap(Maintenance, (m) => m.stats).pipe(Effect.mapError(failed))
    yield* Console.log(`database ${s.path} (schema v${s.schemaVersion}, ${kib(s.sizeBytes)})`)
    yield* Console.log(`cached results: ${s.cacheRows}`)
    for (const m of s.perMetric) yield* Console.log(`  ${m.metric.padEnd(24)} ${m.rows}`)
    yield* Console.log(`cached responses: ${s.responseRows}`)
    yield* Console.log(`runs: ${s.runs} (${s.caseResults} case results)`)
  }),
  clear: (runs: boolean) =>
    Effect.flatMap(Maintenance, (m) => m.clear({ cache: true, responses: true, runs })).pipe(
      Effect.mapError(failed),
      Effect.flatMap((d) => Console.log(deletedLine(d)))
    ),
  prune: (olderThan: Option.Option<Duration.Duration>, maxBytes: Option.Option<number>) =>
    Effect.flatMap(Maintenance, (m) =>
      m.prune({
        ...Option.match(olderThan, { onNone: () => ({}), onSome: (d) => ({ olderThan: d }) }),
        ...Option.match(maxBytes, { onNone: () => ({}), onSome: (n) => ({ maxBytes: n }) })
      })).pipe(Effect.mapError(failed), Effect.flatMap((d) => Console.log(deletedLine(d))))
}
