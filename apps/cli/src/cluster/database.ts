/**
 * The cluster's database, opened once per command: the run store (results, leases, claims) and — over its own
 * client — @effect/cluster's storage live in the same Postgres database. A URL that is not a Postgres URL, or a
 * server that cannot be reached or refuses the login, is a usage error (exit 2) naming the flag and the server
 * without its credentials.
 *
 * @example
 * ```ts
 * withClusterDatabase("--cluster", url, (database) => Effect.provide(program, storeLayer(database)))
 * ```
 */
import { Database, displayUrl } from "@assay/store"
import { Effect, Layer, type Redacted } from "effect"
import { UsageError } from "../errors.js"
import { postgresUrl } from "./layer.js"

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
    const context = yield* Layer.build(Database.layerPg({ url: checked })).pipe(
      Effect.mapError((e) => new UsageError({ message: `${flag}: cannot use the Postgres database ${displayUrl(checked)}: ${e.detail}` }))
    )
    return yield* use(Layer.succeedContext(context), checked)
  }).pipe(Effect.scoped)
