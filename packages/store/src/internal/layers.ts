/**
 * Ready-made layers: everything the store provides (EvalCache, RunStore, ResponseCache, Maintenance) from one
 * database connection — a SQLite file ({@link SqliteStore}) or a Postgres database shared by a team
 * ({@link PostgresStore}); a variant over the caller's `Config` values; an in-memory variant for tests; and a cache-only layer that
 * falls back to running uncached (with a warning) when the location is read-only.
 *
 * @example
 * ```ts
 * const program = evaluate(cases, metrics).pipe(Effect.provide(SqliteStore.layer({ path: ".assay/assay.db" })))
 * ```
 */
import { EvalCache } from "@assay/core"
import { Config, type ConfigError, Effect, Layer } from "effect"
import { Database, type DatabaseOptions, type PgDatabaseOptions } from "./database.js"
import type { StoreError } from "./errors.js"
import { noopCache, SqliteEvalCache, type SqliteEvalCacheOptions } from "./eval-cache.js"
import { Maintenance } from "./maintenance.js"
import { ResponseCache } from "./response-cache.js"
import { RunLease } from "./run-lease.js"
import { RunStore } from "./run-store.js"

/**
 * Options of the whole store.
 *
 * @example
 * ```ts
 * SqliteStore.layer({ path: "a.db", busyTimeoutMs: 2000, compactAt: 100_000 })
 * ```
 */
export interface StoreOptions extends DatabaseOptions, SqliteEvalCacheOptions {}

/**
 * Everything the store provides (the Database too, for callers that need the raw client or path).
 *
 * @example
 * ```ts
 * const live: Layer.Layer<StoreServices, StoreError> = SqliteStore.layer({ path: "a.db" })
 * ```
 */
export type StoreServices = EvalCache | RunStore | RunLease | ResponseCache | Maintenance | Database

const services = (options: SqliteEvalCacheOptions) =>
  Layer.mergeAll(SqliteEvalCache.layer(options), RunStore.Default, RunLease.Default, ResponseCache.Default, Maintenance.Default)

/**
 * The store's layers; see the module doc.
 *
 * @example
 * ```ts
 * Effect.provide(program, SqliteStore.layer({ path: ".assay/assay.db" }))
 * ```
 */
export const SqliteStore = {
  /**
   * All store services on the SQLite file `options.path`.
   *
   * @example
   * ```ts
   * SqliteStore.layer({ path: "/tmp/assay.db", busyTimeoutMs: 2000 })
   * ```
   */
  layer: (options: StoreOptions): Layer.Layer<StoreServices, StoreError> =>
    services(options).pipe(Layer.provideMerge(Database.layer(options))),

  /**
   * All store services, their options read from `Config` values the caller names (a `Config<StoreOptions>`,
   * or a record with a `Config` per field): the library reads no variable of its own.
   *
   * @example
   * ```ts
   * SqliteStore.layerConfig({ path: Config.string("MY_DB").pipe(Config.withDefault(".assay/assay.db")) })
   * ```
   */
  layerConfig: (config: Config.Config.Wrap<StoreOptions>): Layer.Layer<StoreServices, StoreError | ConfigError.ConfigError> =>
    Layer.unwrapEffect(Effect.map(Config.unwrap(config), (options) => SqliteStore.layer(options))),

  /**
   * All store services on a private in-memory database (tests).
   *
   * @example
   * ```ts
   * Effect.provide(program, SqliteStore.memory)
   * ```
   */
  memory: Layer.suspend((): Layer.Layer<StoreServices, StoreError> => SqliteStore.layer({ path: ":memory:" })),

  /**
   * Only the EvalCache; when the database cannot be created or written (read-only location) the run
   * continues uncached and a warning is logged. A locked or corrupt file still fails with its StoreError.
   *
   * @example
   * ```ts
   * evaluate(cases, metrics).pipe(Effect.provide(SqliteStore.cacheOrUncached({ path: "/read-only/assay.db" })))
   * ```
   */
  cacheOrUncached: (options: StoreOptions): Layer.Layer<EvalCache, StoreError> =>
    SqliteEvalCache.layer(options).pipe(
      Layer.provide(Database.layer(options)),
      Layer.catchAll((error) =>
        error.reason === "unwritable"
          ? Layer.effect(EvalCache, Effect.as(Effect.logWarning(`${error.message}; continuing without the cache`), noopCache))
          : Layer.fail(error)
      )
    )
}

/**
 * Options of the whole store on Postgres.
 *
 * @example
 * ```ts
 * PostgresStore.layer({ url: Redacted.make("postgres://assay@db.internal/assay"), compactAt: 500_000 })
 * ```
 */
export interface PgStoreOptions extends PgDatabaseOptions, SqliteEvalCacheOptions {}

/**
 * The store on Postgres (`@effect/sql-pg`): the same services, schema and migrations as {@link SqliteStore},
 * for several machines sharing one cache and run history.
 *
 * @example
 * ```ts
 * const StoreLive = PostgresStore.layerConfig({ url: Config.redacted("MY_DATABASE_URL") })
 * ```
 */
export const PostgresStore = {
  /**
   * All store services on the database at `options.url`.
   *
   * @example
   * ```ts
   * PostgresStore.layer({ url: Redacted.make("postgres://assay@127.0.0.1:5432/assay") })
   * ```
   */
  layer: (options: PgStoreOptions): Layer.Layer<StoreServices, StoreError> =>
    services(options).pipe(Layer.provideMerge(Database.layerPg(options))),

  /**
   * All store services on Postgres, their options read from `Config` values the caller names.
   *
   * @example
   * ```ts
   * PostgresStore.layerConfig({ url: Config.redacted("MY_DATABASE_URL") })
   * ```
   */
  layerConfig: (config: Config.Config.Wrap<PgStoreOptions>): Layer.Layer<StoreServices, StoreError | ConfigError.ConfigError> =>
    Layer.unwrapEffect(Effect.map(Config.unwrap(config), (options) => PostgresStore.layer(options)))
}
