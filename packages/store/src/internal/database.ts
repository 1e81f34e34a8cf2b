/**
 * Opening the database: a SqliteClient (WAL) — or a PgClient for a cache shared by a team — connection
 * settings, the schema migrated forward, and every driver failure turned into a {@link StoreError} naming the
 * file (or the server, without its credentials). The `Database` service carries the client, that name and
 * `refine` (SqlError → StoreError) to the store's other services.
 *
 * @example
 * ```ts
 * const program = Effect.flatMap(Database, (db) => db.refine(db.sql`SELECT 1`))
 * program.pipe(Effect.provide(Database.layer({ path: "/tmp/assay.db" })))
 * ```
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient, type SqlError } from "@effect/sql"
import * as Migrator from "@effect/sql/Migrator"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Context, Duration, Effect, Layer, Redacted, type Scope } from "effect"
import { classify } from "./classify.js"
import { connectionSettings } from "./dialect.js"
import { StoreError } from "./errors.js"
import { migrations, MIGRATIONS_TABLE, SCHEMA_VERSION } from "./migrations.js"

/**
 * Where and how to open the database.
 *
 * @example
 * ```ts
 * Database.layer({ path: ".assay/assay.db", busyTimeoutMs: 2000 })
 * ```
 */
export interface DatabaseOptions {
  /** The SQLite file (created when missing; its directory must exist). `:memory:` for a throw-away database. */
  readonly path: string
  /** How long a writer waits for another process's lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number | undefined
}

/**
 * The open database.
 *
 * @example
 * ```ts
 * const { path, sql, refine, provided } = yield* Database
 * ```
 */
export interface DatabaseApi {
  readonly path: string
  readonly sql: SqlClient.SqlClient
  /** Map the driver's SqlError to a StoreError naming this file. */
  readonly refine: <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>) => Effect.Effect<A, StoreError, R>
  /** Run a statement written against `SqlClient` (e.g. `mergeBatches`) on this database. */
  readonly provided: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, Exclude<R, SqlClient.SqlClient>>
}

/**
 * Where the Postgres database is.
 *
 * @example
 * ```ts
 * Database.layerPg({ url: Redacted.make("postgres://assay@db.internal:5432/assay") })
 * ```
 */
export interface PgDatabaseOptions {
  /** `postgres://user:password@host:port/database`; a secret (never logged, never in an error). */
  readonly url: Redacted.Redacted
  /** How long to wait for the server at start-up (default 5 s). */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

const migrate = Migrator.make({})

/**
 * Apply the connection settings and the migrations; the service over an open client. A database migrated past
 * this build's {@link SCHEMA_VERSION} (by a newer assay) is refused: its data may be in a format this build
 * would misread (the Migrator itself just finds nothing to apply).
 */
export const prepare = (sql: SqlClient.SqlClient, name: string, busyTimeoutMs: number): Effect.Effect<DatabaseApi, StoreError> => {
  const refine = <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>) => Effect.mapError(effect, (e) => classify(name, e))
  const provided = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, SqlClient.SqlClient, sql)
  const version = refine(sql<{ v: number | null }>`SELECT MAX(migration_id) AS v FROM ${sql(MIGRATIONS_TABLE)}`).pipe(
    Effect.map((rows) => Number(rows[0]?.v ?? 0))
  )
  const newer = (found: number) =>
    new StoreError({ path: name, reason: "newer", detail: `schema version ${found}; this version of assay reads up to ${SCHEMA_VERSION}` })
  return refine(provided(connectionSettings(busyTimeoutMs))).pipe(
    Effect.zipRight(provided(migrate({ loader: migrations, table: MIGRATIONS_TABLE })).pipe(Effect.mapError((e) => classify(name, e)))),
    Effect.zipRight(version),
    Effect.filterOrFail((found) => found <= SCHEMA_VERSION, newer),
    Effect.as({ path: name, sql, refine, provided })
  )
}

/** Open (or create) the database at `options.path`, apply settings and migrations. */
const open = (options: DatabaseOptions): Effect.Effect<DatabaseApi, StoreError, Reactivity.Reactivity | Scope.Scope> =>
  // better-sqlite3 throws while opening (missing directory, not a database…): a defect of the client's
  // constructor that we turn into a typed error here, at the boundary.
  SqliteClient.make({ filename: options.path }).pipe(
    Effect.catchAllDefect((defect) => Effect.fail(classify(options.path, defect))),
    Effect.flatMap((sql) => prepare(sql, options.path, options.busyTimeoutMs ?? 5000))
  )

/**
 * A Postgres URL without its credentials, for messages: `postgres://host:port/database`.
 *
 * @example
 * ```ts
 * displayUrl(Redacted.make("postgres://u:secret@h:5432/db")) // "postgres://h:5432/db"
 * ```
 */
export const displayUrl = (url: Redacted.Redacted): string => {
  const text = Redacted.value(url)
  if (!URL.canParse(text)) return "postgres://(unreadable URL)"
  const parsed = new URL(text)
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
}

/**
 * The database service; see the module doc.
 *
 * @example
 * ```ts
 * const rows = yield* Effect.flatMap(Database, (db) => db.refine(db.sql`SELECT COUNT(*) AS n FROM runs`))
 * ```
 */
export class Database extends Context.Tag("assay/store/Database")<Database, DatabaseApi>() {
  /**
   * Open the database for the lifetime of the layer.
   *
   * @example
   * ```ts
   * Database.layer({ path: ".assay/cache.db", busyTimeoutMs: 2000 })
   * ```
   */
  static readonly layer = (options: DatabaseOptions): Layer.Layer<Database, StoreError> =>
    Layer.scoped(Database, open(options)).pipe(Layer.provide(Reactivity.layer))

  /**
   * Connect to a Postgres database for the lifetime of the layer (a cache and run store shared by a team).
   *
   * @example
   * ```ts
   * Database.layerPg({ url: Redacted.make("postgres://assay@127.0.0.1:5432/assay") })
   * ```
   */
  static readonly layerPg = (options: PgDatabaseOptions): Layer.Layer<Database, StoreError> =>
    // The Postgres driver is imported only here: a SQLite run never loads it (see ./pg.ts).
    Layer.scoped(Database, Effect.flatMap(Effect.promise(() => import("./pg.js")), (pg) => pg.openPg(options))).pipe(Layer.provide(Reactivity.layer))
}
