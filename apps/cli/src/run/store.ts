/**
 * The run store and evaluation cache behind a command, at the database path the command resolved
 * (`--cache`, the config file, or `.assay/assay.db`). The path is only known after the flags are parsed, so
 * commands provide this around their body instead of through the application layer.
 *
 * @example
 * ```ts
 * import { withRunStore } from "./store.js"
 * withRunStore("/project/.assay/assay.db", execute(execution))
 * ```
 */
import { Effect } from "effect"
import { ephemeralRunLog, type RunLog } from "./run-log.js"

/**
 * Provide the RunLog (and, when the store is available, its EvalCache) for `dbPath`.
 *
 * @example
 * ```ts
 * withRunStore(".assay/assay.db", Effect.flatMap(RunLog, (log) => log.list))
 * ```
 */
export const withRunStore = <A, E, R>(
  _dbPath: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, Exclude<R, RunLog>> =>
  // SEAM (@assay/store): replace the ephemeral log with the SQLite RunStore at `_dbPath`.
  Effect.provide(effect, ephemeralRunLog)
