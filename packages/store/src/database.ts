/**
 * Opening the database: a SqliteClient (WAL), connection settings, the schema migrated forward, and every
 * driver failure turned into a {@link StoreError} naming the file. The `Database` service carries the client,
 * the path and `refine` (SqlError → StoreError) to the store's other services.
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
import { Context, Effect, Layer, type Scope } from "effect"
import { classify } from "./classify.js"
import { connectionSettings } from "./dialect.js"
import type { StoreError } from "./errors.js"
import { migrations, MIGRATIONS_TABLE } from "./migrations.js"

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

const migrate = Migrator.make({})

/** Open (or create) the database at `options.path`, apply settings and migrations. */
const open = (options: DatabaseOptions): Effect.Effect<DatabaseApi, StoreError, Reactivity.Reactivity | Scope.Scope> =>
  Effect.gen(function*() {
    const { path } = options
    // better-sqlite3 throws while opening (missing directory, not a database…): a defect of the client's
    // constructor that we turn into a typed error here, at the boundary.
    const sql = yield* SqliteClient.make({ filename: path }).pipe(
      Effect.catchAllDefect((defect) => Effect.fail(classify(path, defect)))
    )
    const refine = <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>) =>
      Effect.mapError(effect, (e) => classify(path, e))
    const provided = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, SqlClient.SqlClient, sql)
    yield* refine(provided(connectionSettings(options.busyTimeoutMs ?? 5000)))
    yield* provided(migrate({ loader: migrations, table: MIGRATIONS_TABLE })).pipe(
      Effect.mapError((e) => classify(path, e))
    )
    return { path, sql, refine, provided }
  })

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
}
