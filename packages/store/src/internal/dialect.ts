/**
 * The few statements that differ between SQL engines, isolated behind `sql.onDialectOrElse`: connection
 * settings and the size of the database. Everything else the store runs is standard SQL. A Postgres layer adds
 * a `pg` branch here (`pg_database_size(current_database())`, no pragmas) and a `PgClient` in `database.ts`.
 *
 * @example
 * ```ts
 * yield* connectionSettings(2000)
 * const bytes = yield* databaseSize
 * ```
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"

/**
 * Per-connection settings: WAL (set by the client), a busy timeout so concurrent writers wait instead of
 * failing, and `synchronous = NORMAL` (durable at every commit in WAL mode except on power loss).
 *
 * @example
 * ```ts
 * yield* connectionSettings(5000)
 * ```
 */
export const connectionSettings = (busyTimeoutMs: number): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.onDialectOrElse({
      sqlite: () =>
        Effect.zipRight(
          sql.unsafe(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`),
          sql`PRAGMA synchronous = NORMAL`
        ).pipe(
          Effect.zipRight(sql`PRAGMA foreign_keys = ON`),
          // Random cache keys touch pages all over the B-tree: a larger page cache than the default 2 MB and
          // fewer checkpoints (each one syncs the main file) make the per-row cost several times lower; 16 MB
          // keeps that while bounding what a long run holds.
          Effect.zipRight(sql`PRAGMA cache_size = -16384`),
          Effect.zipRight(sql`PRAGMA wal_autocheckpoint = 16384`),
          Effect.asVoid
        ),
      orElse: () => Effect.void
    }))

/**
 * The database's size on disk in bytes (main file; the WAL is checkpointed into it regularly).
 *
 * @example
 * ```ts
 * const bytes = yield* databaseSize
 * ```
 */
export const databaseSize: Effect.Effect<number, SqlError.SqlError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    Effect.map(
      sql.onDialectOrElse({
        sqlite: () => sql<{ size: number }>`SELECT page_count * page_size AS size FROM pragma_page_count(), pragma_page_size()`,
        pg: () => sql<{ size: number }>`SELECT pg_database_size(current_database()) AS size`,
        orElse: (): Effect.Effect<ReadonlyArray<{ size: number }>> => Effect.succeed([])
      }),
      (rows: ReadonlyArray<{ size: number }>) => Number(rows[0]?.size ?? 0)
    )
)

/**
 * Give free pages back to the file system after large deletions.
 *
 * @example
 * ```ts
 * yield* compact
 * ```
 */
export const compact: Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql.onDialectOrElse({
      sqlite: () => Effect.zipRight(sql`PRAGMA wal_checkpoint(TRUNCATE)`, sql`VACUUM`),
      orElse: () => sql`VACUUM`
    }).pipe(Effect.asVoid)
)
