/**
 * The cluster's database, opened once per command: the run store (results, leases, claims) and — over its own
 * client — @effect/cluster's storage live in the same Postgres database. A URL that is not a Postgres URL, or a
 * server that cannot be reached or refuses the login, is a usage error (exit 2) naming the flag and the server
 * without its credentials.
 *
 * Processes joining at the same moment (runners started together on a fresh database) set the schema up one
 * at a time, under a Postgres advisory lock: the migrators of @effect/sql (both assay's and the cluster's
 * storage's) create their tables with `CREATE TABLE IF NOT EXISTS`, which Postgres does not make safe against
 * a concurrent twin ("relation cluster_migrations already exists").
 *
 * @example
 * ```ts
 * withClusterDatabase("--cluster", url, (database) => Effect.provide(program, storeLayer(database)))
 * ```
 */
import { ShardingConfig, SqlMessageStorage, SqlRunnerStorage } from "@effect/cluster"
import { SqlClient } from "@effect/sql"
import { clusterSqlClient, Database, displayUrl } from "@assay/store"
import { Context, Duration, Effect, Layer, type Redacted } from "effect"
import { UsageError } from "../errors.js"
import { postgresUrl } from "./layer.js"

/**
 * How long a new connection may take: a cluster's processes open many at once on busy machines, where the
 * store's default (5 s) turned a slow connection into a failed case group. A refused connection fails at once.
 */
export const CONNECT_TIMEOUT = Duration.seconds(30)

/** The advisory lock key of the schema set-up (any constant unique to assay's cluster). */
const SETUP_LOCK = 7_401_310_123

/** The cluster's storage layers (their construction creates or migrates their tables). */
const clusterStorage = (url: Redacted.Redacted) =>
  Layer.mergeAll(SqlMessageStorage.layer, SqlRunnerStorage.layer).pipe(
    Layer.provide(ShardingConfig.layer()),
    Layer.provide(clusterSqlClient({ url, connectTimeout: CONNECT_TIMEOUT }))
  )

/** Run `effect` while holding the set-up lock on the database at `url`. */
const oneAtATime = <A, E, R>(url: Redacted.Redacted, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const sql = Context.get(yield* Layer.build(clusterSqlClient({ url, connectTimeout: CONNECT_TIMEOUT })), SqlClient.SqlClient)
    const lock = yield* sql.reserve
    yield* lock.executeRaw(`SELECT pg_advisory_lock(${SETUP_LOCK})`, [])
    return yield* Effect.ensuring(effect, Effect.ignore(lock.executeRaw(`SELECT pg_advisory_unlock(${SETUP_LOCK})`, [])))
  }).pipe(Effect.scoped)

/**
 * Open the cluster database at `url` (given by `flag`) for the lifetime of `use`.
 *
 * @example
 * ```ts
 * withClusterDatabase("--database-url", url, (database) => Effect.provide(runner, storeLayer(database)))
 * ```
 */
export const withClusterDatabase = <A, E, R>(
  flag: string,
  url: Redacted.Redacted,
  use: (database: Layer.Layer<Database>, url: Redacted.Redacted) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const checked = yield* postgresUrl(flag, url)
    const scope = yield* Effect.scope
    const unusable = (detail: string) => new UsageError({ message: `${flag}: cannot use the Postgres database ${displayUrl(checked)}: ${detail}` })
    const context = yield* oneAtATime(
      checked,
      Effect.zipLeft(Layer.buildWithScope(Database.layerPg({ url: checked, connectTimeout: CONNECT_TIMEOUT }), scope), Effect.scoped(Layer.build(clusterStorage(checked))))
    ).pipe(
      Effect.catchTags({
        StoreError: (e) => Effect.fail(unusable(e.detail)),
        SqlError: (e) => Effect.fail(unusable(e.message))
      })
    )
    return yield* use(Layer.succeedContext(context), checked)
  }).pipe(Effect.scoped)
