/**
 * The store's errors. Every one names the database file and says what to do about it.
 *
 * @example
 * ```ts
 * program.pipe(Effect.catchTag("StoreError", (e) => Console.error(e.message)))
 * ```
 */
import { Schema } from "effect"

/**
 * Why the database could not be used.
 *
 * @example
 * ```ts
 * error.reason === "locked"
 * ```
 */
export const StoreFailure = Schema.Literal("locked", "corrupt", "unwritable", "unreachable", "newer", "io")
export type StoreFailure = typeof StoreFailure.Type

const HINTS: Record<StoreFailure, string> = {
  locked: "another process holds a write lock on it; wait for it to finish, close it, or raise the busy timeout",
  corrupt: "it is damaged (corrupt, truncated or another kind of file than a SQLite database); move it away or delete it and a fresh one will be created",
  unwritable: "it cannot be created or written; check that the directory exists and is writable, or choose another path (or run without the cache)",
  unreachable: "the Postgres server cannot be reached or refused the login; check ASSAY_DATABASE_URL (host, port, database, user, password) and that the server is running",
  newer: "a newer version of assay wrote it in a format this version cannot read; upgrade assay, or choose another path (--cache, ASSAY_DB)",
  io: "an I/O error occurred; check the disk and file system"
}

/**
 * The database file could not be opened, migrated, read or written.
 *
 * @example
 * ```ts
 * new StoreError({ path: "/tmp/a.db", reason: "locked", detail: "database is locked" }).message
 * // "cache database /tmp/a.db: database is locked — another process holds a write lock on it; …"
 * ```
 */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  path: Schema.String,
  reason: StoreFailure,
  detail: Schema.String
}) {
  override get message(): string {
    return `cache database ${this.path}: ${this.detail} — ${HINTS[this.reason]}`
  }
}

/**
 * No run with this id is stored.
 *
 * @example
 * ```ts
 * new RunNotFound({ runId: "r1", path: "assay.db" }).message // "no run r1 in assay.db (see `assay runs`)"
 * ```
 */
export class RunNotFound extends Schema.TaggedError<RunNotFound>()("RunNotFound", {
  runId: Schema.String,
  path: Schema.String
}) {
  override get message(): string {
    return `no run ${this.runId} in ${this.path} (see \`assay runs\`)`
  }
}

/**
 * A run cannot be resumed: the dataset or the metric configuration changed since it started.
 *
 * @example
 * ```ts
 * new ResumeMismatch({ runId: "r1", what: "dataset", stored: "ab12…", current: "cd34…" }).message
 * ```
 */
export class ResumeMismatch extends Schema.TaggedError<ResumeMismatch>()("ResumeMismatch", {
  runId: Schema.String,
  what: Schema.Literal("dataset", "metrics"),
  stored: Schema.String,
  current: Schema.String
}) {
  override get message(): string {
    const thing = this.what === "dataset" ? "the dataset" : "the metric configuration (metrics, options, thresholds, hyperparameters)"
    return `cannot resume run ${this.runId}: ${thing} changed since it started (fingerprint ${this.stored.slice(0, 12)} → ${this.current.slice(0, 12)}); start a new run instead`
  }
}

/**
 * A stored run has no result for this case index.
 *
 * @example
 * ```ts
 * new CaseNotFound({ runId: "r1", index: 7 }).message // "run r1 has no case 7"
 * ```
 */
export class CaseNotFound extends Schema.TaggedError<CaseNotFound>()("CaseNotFound", {
  runId: Schema.String,
  index: Schema.Number
}) {
  override get message(): string {
    return `run ${this.runId} has no case ${this.index}`
  }
}
