/**
 * Runs a rerun may reuse whole (`runs.reuse_key`, migration v12). A run that completed with every case scored
 * and none errored, with the cache on, left each of its outcomes in the cache; a later run of the same dataset,
 * metrics and result-shaping settings (the caller's key) would be served every case from there. Rather than
 * look each case up, the caller copies the marked run's results (as cached ones). Clearing or pruning the
 * cache (`maintenance.ts`) and producing task outputs afresh unmark every run, so a copy never outlives the
 * cache entries it stands for.
 *
 * @example
 * ```ts
 * yield* markReusable(db, "r1", key)
 * const prior = yield* findReusable(db, key) // Option.some("r1")
 * ```
 */
import type { SqlClient, SqlError } from "@effect/sql"
import { Effect, Option } from "effect"
import type { DatabaseApi } from "./database.js"
import type { StoreError } from "./errors.js"

/**
 * Mark a completed run reusable under `key`.
 *
 * @example
 * ```ts
 * yield* markReusable(db, "r1", "9f2c…")
 * ```
 */
export const markReusable = (db: DatabaseApi, runId: string, key: string): Effect.Effect<void, StoreError> =>
  db.refine(db.sql`UPDATE runs SET reuse_key = ${key} WHERE run_id = ${runId} AND status = 'completed'`)

/**
 * The newest completed run marked with `key`, if any.
 *
 * @example
 * ```ts
 * const prior = yield* findReusable(db, "9f2c…")
 * ```
 */
export const findReusable = (db: DatabaseApi, key: string): Effect.Effect<Option.Option<string>, StoreError> =>
  db.refine(db.sql<{ run_id: string }>`SELECT run_id FROM runs WHERE reuse_key = ${key} AND status = 'completed'
    ORDER BY started_at DESC LIMIT 1`).pipe(Effect.map((rows) => Option.fromNullable(rows[0]?.run_id)))

/**
 * Unmark every run (the cache entries they stand for may be gone or replaced).
 *
 * @example
 * ```ts
 * yield* forgetReusable(db)
 * ```
 */
export const forgetReusable = (db: DatabaseApi): Effect.Effect<void, StoreError> => db.refine(unmarkAll(db.sql))

/**
 * The statement that unmarks every run, for a caller already holding the SQL client (cache maintenance).
 *
 * @example
 * ```ts
 * yield* unmarkAll(sql)
 * ```
 */
export const unmarkAll = (sql: SqlClient.SqlClient): Effect.Effect<void, SqlError.SqlError> =>
  Effect.asVoid(sql`UPDATE runs SET reuse_key = NULL WHERE reuse_key IS NOT NULL`)
