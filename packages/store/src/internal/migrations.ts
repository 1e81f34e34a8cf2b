/**
 * The schema, as numbered migrations run forward by @effect/sql's Migrator (the applied ids are recorded in
 * `assay_migrations`; the highest is the schema version). Standard SQL only — TEXT, INTEGER, REAL, composite
 * primary keys — so a Postgres layer reuses it unchanged (JSON functions live in `cache-sql.ts`).
 *
 * @example
 * ```ts
 * yield* Migrator.make({})({ loader: migrations, table: MIGRATIONS_TABLE })
 * ```
 */
import * as Migrator from "@effect/sql/Migrator"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The table where the Migrator records applied migrations.
 *
 * @example
 * ```ts
 * sql`SELECT MAX(migration_id) FROM ${sql(MIGRATIONS_TABLE)}`
 * ```
 */
export const MIGRATIONS_TABLE = "assay_migrations"

/**
 * The schema version this build writes (the id of the last migration).
 *
 * @example
 * ```ts
 * (yield* m.stats).schemaVersion === SCHEMA_VERSION
 * ```
 */
export const SCHEMA_VERSION = 12

/** Millisecond timestamps need 64 bits: SQLite's INTEGER has them, Postgres's is 32-bit. */
const int64 = (sql: SqlClient.SqlClient) => sql.literal(sql.onDialectOrElse({ pg: () => "BIGINT", orElse: () => "INTEGER" }))

const v1 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const ms = int64(sql)
  yield* sql`CREATE TABLE eval_cache (
    cache_key TEXT PRIMARY KEY,
    metric TEXT NOT NULL,
    score REAL NOT NULL,
    reason TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    "verbose" TEXT, -- quoted: a reserved word in Postgres
    created_at ${ms} NOT NULL
  )`
  yield* sql`CREATE INDEX eval_cache_created ON eval_cache (created_at)`
  yield* sql`CREATE TABLE response_cache (
    cache_key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    base_url TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at ${ms} NOT NULL,
    expires_at ${ms} NOT NULL
  )`
  yield* sql`CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    identifier TEXT,
    status TEXT NOT NULL,
    started_at ${ms} NOT NULL,
    finished_at ${ms},
    case_count INTEGER,
    options TEXT NOT NULL,
    hyperparameters TEXT NOT NULL,
    settings TEXT NOT NULL,
    dataset_fingerprint TEXT NOT NULL,
    metrics_fingerprint TEXT NOT NULL
  )`
  yield* sql`CREATE TABLE run_cases (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    case_index INTEGER NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (run_id, case_index)
  )`
})

/**
 * v2: an append-only staging table for new cache rows (replaced in v3). Its sequence column is the only
 * dialect-specific type.
 */
const v2 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const seq = sql.onDialectOrElse({ pg: () => "BIGSERIAL PRIMARY KEY", orElse: () => "INTEGER PRIMARY KEY" })
  yield* sql`CREATE TABLE eval_cache_staging (
    seq ${sql.literal(seq)},
    cache_key TEXT NOT NULL,
    metric TEXT NOT NULL,
    score REAL NOT NULL,
    reason TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    "verbose" TEXT, -- quoted: a reserved word in Postgres
    created_at INTEGER NOT NULL
  )`
})

/**
 * v3: cache rows per case. A row holds every cached outcome of one case (under one set of hyperparameters) as
 * a JSON object keyed by metric tag, so a run reads and writes one row per case instead of one per case ×
 * metric; new outcomes arrive as one JSON batch per transaction (`eval_cache_batches`, a log merged into the
 * keyed table in bulk, see `cache-sql.ts`); `eval_cache_metrics` names the tags for statistics. Keys changed format, so the v2 cache
 * rows (never valid under v3 keys) are dropped.
 */
const v3 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const ms = int64(sql)
  // Sequence numbers are never reused (readers remember the last batch they read).
  const seq = sql.onDialectOrElse({ pg: () => "BIGSERIAL PRIMARY KEY", orElse: () => "INTEGER PRIMARY KEY AUTOINCREMENT" })
  yield* sql`DROP TABLE eval_cache_staging`
  yield* sql`DROP TABLE eval_cache`
  // One B-tree keyed by the case key (SQLite would otherwise keep a rowid table plus a key index).
  const clustered = sql.onDialectOrElse({ sqlite: () => " WITHOUT ROWID", orElse: () => "" })
  yield* sql`CREATE TABLE eval_cache (
    case_key TEXT PRIMARY KEY,
    outcomes TEXT NOT NULL,
    created_at ${ms} NOT NULL
  )${sql.literal(clustered)}`
  yield* sql`CREATE TABLE eval_cache_batches (
    seq ${sql.literal(seq)},
    batch TEXT NOT NULL,
    cases INTEGER NOT NULL,
    created_at ${ms} NOT NULL
  )`
  yield* sql`CREATE TABLE eval_cache_metrics (
    metric_tag TEXT PRIMARY KEY,
    name TEXT NOT NULL
  )`
})

/**
 * v4: a run's case results are stored a batch per commit (`run_batches`: the batch's case indices as a JSON
 * array, its results as a JSON array, compressed on SQLite, see `batch-codec.ts`) instead of a row of JSON
 * per case. The `run_cases` rows of earlier versions are still read (`run-sql.ts`).
 */
const v4 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const seq = sql.onDialectOrElse({ pg: () => "BIGSERIAL PRIMARY KEY", orElse: () => "INTEGER PRIMARY KEY" })
  yield* sql`CREATE TABLE run_batches (
    seq ${sql.literal(seq)},
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    cases INTEGER NOT NULL,
    indices TEXT NOT NULL,
    batch TEXT NOT NULL
  )`
  yield* sql`CREATE INDEX run_batches_run ON run_batches (run_id, seq)`
})

/**
 * v5: a run is evaluated by one process at a time: `run_leases` holds the lease on a run — the holder's host,
 * process id and random token, and its last heartbeat (see `run-lease.ts`).
 */
const v5 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE run_leases (
    run_id TEXT PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    token TEXT NOT NULL,
    heartbeat_at ${int64(sql)} NOT NULL
  )`
})

/**
 * v6: each `run_batches` row records its smallest case index (`first_index`), so a run's results are read
 * back in case order a few batches at a time (`run-read.ts`) instead of all at once. Rows written before are
 * filled in from their `indices`. `runs.pass_rate` records the pass rate a run ended with, for `runs list`.
 */
const v6 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE runs ADD COLUMN pass_rate REAL`
  yield* sql`ALTER TABLE run_batches ADD COLUMN first_index INTEGER`
  const smallest = sql.onDialectOrElse({
    pg: () => "(SELECT MIN(e.value::bigint) FROM json_array_elements_text(run_batches.indices::json) AS e(value))",
    orElse: () => "(SELECT MIN(e.value) FROM json_each(run_batches.indices) AS e)"
  })
  yield* sql`UPDATE run_batches SET first_index = ${sql.literal(smallest)}`
  yield* sql`CREATE INDEX run_batches_order ON run_batches (run_id, first_index, seq)`
})

/**
 * v7: the run viewer's index (`view-index.ts`): a row per case (`view_cases`: status, name, previews, the
 * lower-cased text it is searched by, and the batch holding its full result) and per case and metric
 * (`view_case_metrics`), built from `run_batches` on first view and brought up to date as batches arrive;
 * `view_batches` records the batches indexed. Paging, filters, search and statistics are then SQL over these
 * rows, never a run decoded in memory.
 */
const v7 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE view_batches (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    seq ${int64(sql)} NOT NULL,
    PRIMARY KEY (run_id, seq)
  )`
  yield* sql`CREATE TABLE view_cases (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    case_index INTEGER NOT NULL,
    batch_seq ${int64(sql)} NOT NULL,
    name TEXT,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    actual TEXT,
    search TEXT NOT NULL,
    cost REAL NOT NULL,
    duration_ms REAL NOT NULL,
    PRIMARY KEY (run_id, case_index)
  )`
  yield* sql`CREATE INDEX view_cases_status ON view_cases (run_id, status, case_index)`
  yield* sql`CREATE TABLE view_case_metrics (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    case_index INTEGER NOT NULL,
    metric TEXT NOT NULL,
    batch_seq ${int64(sql)} NOT NULL,
    score REAL,
    outcome TEXT NOT NULL,
    bucket INTEGER,
    PRIMARY KEY (run_id, case_index, metric)
  )`
  yield* sql`CREATE INDEX view_case_metrics_score ON view_case_metrics (run_id, metric, score)`
})

/**
 * v8: the provider batches a run submitted in batch mode (`run_provider_batches`: the batch id, the
 * `provider:model` that submitted it and its requests' custom ids as a JSON array), so a resumed run polls
 * them instead of submitting its requests again (see `provider-batches.ts`).
 */
const v8 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE run_provider_batches (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    batch_id TEXT NOT NULL,
    model TEXT NOT NULL,
    custom_ids TEXT NOT NULL,
    submitted_at ${int64(sql)} NOT NULL,
    PRIMARY KEY (run_id, batch_id)
  )`
})

/**
 * v9: a run sharded over a cluster (`assay run --cluster`) claims each case result once: `run_case_runners`
 * holds one row per committed case with the runner that produced it, inserted in the same transaction as the
 * result's batch, so a case redelivered to another runner (its first runner died after committing) is never
 * stored twice (see `claimed-results.ts`). `cluster_rate_slots` holds, per model and `--rpm` limit, the time of
 * the next free request slot of the whole cluster, so the limit holds for all runners together (the CLI's
 * `cluster/rate-limit.ts`).
 */
const v9 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE run_case_runners (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    case_index INTEGER NOT NULL,
    runner TEXT NOT NULL,
    PRIMARY KEY (run_id, case_index)
  )`
  yield* sql`CREATE TABLE cluster_rate_slots (
    limiter TEXT PRIMARY KEY,
    next_at ${int64(sql)} NOT NULL
  )`
})

/**
 * v10: `cluster_connection_slots` holds, per model and shared connection cap (`--max-connections` on a
 * cluster), one row per connection: free (no holder), or held by a process until its lease expires. Holders
 * renew their leases while they run, so a runner that dies frees its connections within one lease (the CLI's
 * `cluster/connections.ts`).
 */
const v10 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE cluster_connection_slots (
    limiter TEXT NOT NULL,
    slot INTEGER NOT NULL,
    holder TEXT,
    expires_at ${int64(sql)} NOT NULL,
    PRIMARY KEY (limiter, slot)
  )`
})

/**
 * v11: `dataset_checks` remembers the verdict of a dataset's validating read — its fingerprint and case count —
 * by a key of the file's content and the checks applied (`dataset-checks.ts`), so a rerun on an unchanged file
 * skips that read.
 */
const v11 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE dataset_checks (
    check_key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    case_count INTEGER NOT NULL,
    checked_at ${int64(sql)} NOT NULL
  )`
})

/**
 * v12: `runs.reuse_key` marks a completed run whose every result a rerun would be served from the cache: the
 * key of its dataset, metrics and result-shaping settings (see `run-reuse.ts`). A rerun with the same key
 * copies that run's results instead of looking each case up; clearing or pruning the cache unmarks every run.
 */
const v12 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE runs ADD COLUMN reuse_key TEXT`
  yield* sql`CREATE INDEX runs_reuse ON runs (reuse_key, started_at)`
})

/**
 * The migration loader.
 *
 * @example
 * ```ts
 * Migrator.make({})({ loader: migrations })
 * ```
 */
export const migrations: Migrator.Loader = Migrator.fromRecord({
  "0001_initial": v1,
  "0002_cache_staging": v2,
  "0003_cache_rows_per_case": v3,
  "0004_run_batches": v4,
  "0005_run_leases": v5,
  "0006_run_batches_first_index": v6,
  "0007_view_index": v7,
  "0008_run_provider_batches": v8,
  "0009_cluster_case_runners": v9,
  "0010_cluster_connection_slots": v10,
  "0011_dataset_checks": v11,
  "0012_run_reuse": v12
})
