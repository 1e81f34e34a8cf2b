/**
 * Cache administration for `assay cache`: statistics, clearing and pruning of the SQLite cache.
 *
 * @example
 * ```ts
 * import { cacheAdmin } from "./cache-admin.js"
 * yield* cacheAdmin.stats("/project/.assay/assay.db")
 * ```
 */
import { Duration, Effect, Option } from "effect"
import { RunFailed } from "../errors.js"

const NO_STORE = (what: string) => new RunFailed({ message: `cache ${what} needs the SQLite store, which is not available in this build` })

/**
 * The cache commands' operations.
 *
 * @example
 * ```ts
 * cacheAdmin.prune(db, Option.some(Duration.days(30)))
 * ```
 */
export const cacheAdmin = {
  // SEAM (@assay/store): stats/clear/prune on the store's EvalCache tables.
  stats: (_db: string): Effect.Effect<void, RunFailed> => Effect.fail(NO_STORE("stats")),
  clear: (_db: string): Effect.Effect<void, RunFailed> => Effect.fail(NO_STORE("clear")),
  prune: (_db: string, _olderThan: Option.Option<Duration.Duration>): Effect.Effect<void, RunFailed> => Effect.fail(NO_STORE("prune"))
}
