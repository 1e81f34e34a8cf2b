/**
 * Joining the cluster: @effect/cluster's `Sharding` over sockets (NodeClusterSocket), with its message
 * storage, runner registry and shard locks (Postgres advisory locks) in the run store's Postgres database.
 * A runner listens at its address and owns shards; the submitting process of `assay run --cluster` is a
 * client only, unless it runs cases too (`--cluster-local-runner`).
 *
 * The timings are shorter than the library's defaults (35 s shard locks, 10 s message polling): a runner that
 * dies mid-run should have its cases re-run within seconds, not a minute.
 *
 * @example
 * ```ts
 * Effect.provide(program, clusterLayer(url, { host: "127.0.0.1", port: 34431 }))
 * ```
 */
import { RunnerAddress, type Sharding } from "@effect/cluster"
import { clusterSqlClient, displayUrl } from "@assay/store"
import { Duration, Effect, Either, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import { UsageError } from "../errors.js"

/**
 * Where a runner listens (and how the others reach it).
 *
 * @example
 * ```ts
 * const address: RunnerListen = { host: "127.0.0.1", port: 34431 }
 * ```
 */
export interface RunnerListen {
  readonly host: string
  readonly port: number
}

/**
 * A runner's name in case results: its address.
 *
 * @example
 * ```ts
 * runnerName({ host: "10.0.0.7", port: 34431 }) // "10.0.0.7:34431"
 * ```
 */
export const runnerName = (address: RunnerListen): string => `${address.host}:${address.port}`

/**
 * Shards per group (the library's default, stated so that a runner can look for its own among them).
 *
 * @example
 * ```ts
 * ShardId.make("default", SHARDS_PER_GROUP) // the last shard
 * ```
 */
export const SHARDS_PER_GROUP = 300

const timings = {
  shardsPerGroup: SHARDS_PER_GROUP,
  shardLockRefreshInterval: Duration.seconds(3),
  shardLockExpiration: Duration.seconds(10),
  entityMessagePollInterval: Duration.millis(500),
  entityReplyPollInterval: Duration.millis(100),
  refreshAssignmentsInterval: Duration.millis(500),
  runnerHealthCheckInterval: Duration.seconds(2),
  entityTerminationTimeout: Duration.seconds(5),
  entityMaxIdleTime: Duration.minutes(5)
}

/**
 * `Sharding` on the cluster database at `url`: a runner listening at `runner`, or a client only.
 *
 * @example
 * ```ts
 * clusterLayer(url, undefined) // the submitting process of `assay run --cluster`
 * ```
 */
export const clusterLayer = (url: Redacted.Redacted, runner: RunnerListen | undefined): Layer.Layer<Sharding.Sharding, UsageError> => {
  // Loaded on first use: its Kubernetes client pulls undici, which no other command needs at start-up.
  const sharding = Layer.unwrapEffect(Effect.promise(() => import("@effect/platform-node/NodeClusterSocket")).pipe(
    Effect.map((NodeClusterSocket) =>
      runner === undefined
        ? NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig: { ...timings, runnerAddress: Option.none() } })
        : NodeClusterSocket.layer({
          storage: "sql",
          shardingConfig: { ...timings, runnerAddress: Option.some(RunnerAddress.make(runner.host, runner.port)) }
        })
    )
  ))
  return sharding.pipe(
    Layer.provide(clusterSqlClient({ url, connectTimeout: Duration.seconds(30) })),
    // The library logs shard moves at info level: worth seeing with ASSAY_LOG, noise in a CLI's output.
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning)),
    Layer.mapError((error) =>
      new UsageError({ message: `cluster database ${displayUrl(url)}: ${"message" in error ? String(error.message) : String(error)}` })
    )
  )
}

/**
 * A `--database-url` / `--cluster` value checked to be a Postgres URL; the message never shows the value
 * (it may hold a password).
 *
 * @example
 * ```ts
 * postgresUrl("--cluster", Redacted.make("mysql://x")) // Either.left(UsageError)
 * ```
 */
export const postgresUrl = (flag: string, url: Redacted.Redacted): Either.Either<Redacted.Redacted, UsageError> => {
  const text = Redacted.value(url)
  const ok = URL.canParse(text) && ["postgres:", "postgresql:"].includes(new URL(text).protocol)
  return ok
    ? Either.right(url)
    : Either.left(new UsageError({ message: `${flag}: expected a Postgres URL, postgres://user:password@host:port/database (got ${displayUrl(url)})` }))
}
