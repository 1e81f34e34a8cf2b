/**
 * The body of `assay runner` (see ../commands/runner.ts): join the cluster on `databaseUrl` and serve case groups
 * until interrupted. A module of its own so that the command tree loads @effect/cluster only when it runs.
 *
 * @example
 * ```ts
 * yield* joinCluster(databaseUrl, "10.0.0.7", 34431)
 * ```
 */
import { ClaimedResults, displayUrl } from "@assay/store"
import { ShardId, Sharding } from "@effect/cluster"
import { Console, Context, Duration, Effect, Layer, type Redacted, Schedule } from "effect"
import { storeLayer } from "../run/store.js"
import { withClusterDatabase } from "./database.js"
import { caseGroupHandlers } from "./evaluate-group.js"
import { clusterLayer, runnerName, SHARDS_PER_GROUP } from "./layer.js"

/**
 * Register this process as a runner listening on `host:port` and evaluate case groups until interrupted.
 *
 * @example
 * ```ts
 * joinCluster(Redacted.make("postgres://assay@db/assay"), "127.0.0.1", 34431)
 * ```
 */
export const joinCluster = (databaseUrl: Redacted.Redacted, host: string, port: number) =>
  withClusterDatabase("--database-url", databaseUrl, (database, url) => {
    const name = runnerName({ host, port })
    const runner = caseGroupHandlers(name).pipe(
      Layer.provideMerge(clusterLayer(url, { host, port })),
      Layer.provide(ClaimedResults.Default),
      Layer.provideMerge(storeLayer(database))
    )
    return Layer.build(runner).pipe(
      Effect.flatMap((context) => awaitShards(Context.get(context, Sharding.Sharding))),
      Effect.zipRight(Console.error(`assay runner ${name}: joined the cluster on ${displayUrl(url)} (Ctrl-C leaves it)`)),
      Effect.zipRight(Effect.onInterrupt(Effect.never, () => Effect.sync(() => exitIfStuck(name))))
    )
  })

/**
 * Wait (at most {@link SHARD_WAIT}) until this runner holds a shard: a runner joining a cluster whose shards
 * another runner holds gets its share only once that runner releases them, a second or so later. Saying it
 * joined only then means a run submitted after every runner said so is spread over all of them.
 */
const awaitShards = (sharding: Sharding.Sharding["Type"]) =>
  Effect.sync(() => {
    for (let id = 1; id <= SHARDS_PER_GROUP; id++) if (sharding.hasShardId(ShardId.make("default", id))) return true
    return false
  }).pipe(
    Effect.repeat({ until: (held) => held, schedule: Schedule.spaced("100 millis") }),
    Effect.timeout(SHARD_WAIT),
    Effect.ignore
  )

const SHARD_WAIT = Duration.seconds(15)

/** How long leaving the cluster may take before the process ends anyway. */
const LEAVE_TIMEOUT_MS = 15_000

/**
 * End the process if leaving the cluster has not finished after {@link LEAVE_TIMEOUT_MS}: the cluster's
 * shutdown waits on its database (releasing shard locks, unregistering), and a database that went away
 * meanwhile would keep Ctrl-C from ever ending the runner. Its shards move to the others once their locks
 * expire, as after a crash.
 */
const exitIfStuck = (name: string) =>
  setTimeout(() => {
    process.stderr.write(`assay runner ${name}: the cluster database did not answer while leaving; exiting anyway (its shards move to the other runners when their locks expire)\n`)
    process.exit(130)
  }, LEAVE_TIMEOUT_MS).unref()
