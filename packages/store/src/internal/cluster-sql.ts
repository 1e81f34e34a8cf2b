/**
 * The SQL client @effect/cluster keeps its tables on (message and runner storage, shard locks): a plain
 * Postgres client on the run store's database. Unlike the store's client it leaves 64-bit integers as strings,
 * since the cluster's snowflake ids need all 64 bits.
 *
 * @example
 * ```ts
 * SqlMessageStorage.layer.pipe(Layer.provide(clusterSqlClient({ url })))
 * ```
 */
import type { SqlClient } from "@effect/sql"
import { Duration, Effect, Layer } from "effect"
import { classify } from "./classify.js"
import { displayUrl, type PgDatabaseOptions } from "./database.js"
import type { StoreError } from "./errors.js"

/**
 * A Postgres `SqlClient` for the cluster's storage, failing with a {@link StoreError} that names the server
 * without its credentials.
 *
 * @example
 * ```ts
 * clusterSqlClient({ url: Redacted.make("postgres://assay@127.0.0.1:5432/assay") })
 * ```
 */
export const clusterSqlClient = (options: PgDatabaseOptions): Layer.Layer<SqlClient.SqlClient, StoreError> =>
  // The Postgres driver is imported on first use, as the store's (./database.ts): other commands never load it.
  Layer.unwrapEffect(Effect.promise(() => import("@effect/sql-pg/PgClient")).pipe(Effect.map((PgClient) =>
    PgClient.layer({
      url: options.url,
      connectTimeout: options.connectTimeout ?? Duration.seconds(5),
      applicationName: "assay-cluster"
    })
  ))).pipe(
    Layer.mapError((e) => classify(displayUrl(options.url), e))
  )
