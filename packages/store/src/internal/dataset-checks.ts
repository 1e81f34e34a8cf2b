/**
 * Remembered dataset checks (`dataset_checks`, migration v11): the fingerprint and case count a dataset's
 * validating read found, by a key the caller derives from the file's content and the checks it applied. A run
 * on a file whose key is known skips that read; any change to a byte of the file changes the key.
 *
 * @example
 * ```ts
 * const known = yield* findDatasetCheck(db, key) // Option<DatasetFingerprint>
 * yield* rememberDatasetCheck(db, key, { fingerprint, count })
 * ```
 */
import { Clock, Effect, Option } from "effect"
import type { DatabaseApi } from "./database.js"
import type { StoreError } from "./errors.js"
import type { DatasetFingerprint } from "./resume.js"

/**
 * The remembered check of `key`, if any.
 *
 * @example
 * ```ts
 * const known = yield* findDatasetCheck(db, key)
 * ```
 */
export const findDatasetCheck = (db: DatabaseApi, key: string): Effect.Effect<Option.Option<DatasetFingerprint>, StoreError> =>
  Effect.map(
    db.refine(db.sql<{ fingerprint: string; case_count: number }>`SELECT fingerprint, case_count FROM dataset_checks WHERE check_key = ${key}`),
    (rows) => Option.map(Option.fromNullable(rows[0]), (row) => ({ fingerprint: row.fingerprint, count: Number(row.case_count) }))
  )

/**
 * Remember what the validating read of the dataset keyed `key` found.
 *
 * @example
 * ```ts
 * yield* rememberDatasetCheck(db, key, { fingerprint: "ab12…", count: 100 })
 * ```
 */
export const rememberDatasetCheck = (db: DatabaseApi, key: string, found: DatasetFingerprint): Effect.Effect<void, StoreError> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    db.refine(db.sql`INSERT INTO dataset_checks (check_key, fingerprint, case_count, checked_at)
      VALUES (${key}, ${found.fingerprint}, ${found.count}, ${now})
      ON CONFLICT (check_key) DO UPDATE SET fingerprint = excluded.fingerprint, case_count = excluded.case_count,
        checked_at = excluded.checked_at`))
