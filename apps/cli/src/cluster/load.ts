/**
 * The cluster client's module (@effect/cluster, @effect/rpc, msgpackr), imported only when a command is given
 * `--cluster`: the commands that offer the flag import this, never ./run.ts itself.
 *
 * @example
 * ```ts
 * Effect.flatMap(loadCluster, (m) => m.runOnCluster(url, false, execution))
 * ```
 */
import { Effect } from "effect"

/**
 * Import the cluster client's module.
 *
 * @example
 * ```ts
 * const { onCluster } = yield* loadCluster
 * ```
 */
export const loadCluster = Effect.promise(() => import("./run.js"))
