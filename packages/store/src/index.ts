/**
 * @assay/store — the SQLite (or Postgres) cache layer for @assay/core's EvalCache, a run store with write-through case
 * results, resumable runs, an LLM response cache and cache maintenance, all on one @effect/sql client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { evaluate } from "@assay/core"
 * import { SqliteStore } from "@assay/store"
 * evaluate(cases, metrics).pipe(Effect.provide(SqliteStore.layer({ path: ".assay/assay.db" })))
 * ```
 */
/** The store's typed errors. @since 0.1.0 */
export { CaseNotFound, ResumeMismatch, RunNotFound, StoreError, StoreFailure } from "./internal/errors.js"
/** Turns a driver failure into a {@link StoreError} naming the database. @since 0.1.0 */
export { classify } from "./internal/classify.js"
/** The open database: the SQL client, its name and error mapping. @since 0.1.0 */
export { Database, type DatabaseApi, type DatabaseOptions, displayUrl, type PgDatabaseOptions } from "./internal/database.js"
/** The schema's migrations and version. @since 0.1.0 */
export { migrations, MIGRATIONS_TABLE, SCHEMA_VERSION } from "./internal/migrations.js"
/** Group commit: writes submitted meanwhile share one transaction. @since 0.1.0 */
export { type BatchWriter, makeBatchWriter } from "./internal/batch-writer.js"
/** The SQL-backed EvalCache, and a cache that never hits. @since 0.1.0 */
export { makeSqliteEvalCache, noopCache, SqliteEvalCache, type SqliteEvalCacheOptions } from "./internal/eval-cache.js"
/** A stored run's record. @since 0.1.0 */
export { rowToInfo, RunInfo, RunRow, type RunSpec, RunStatus } from "./internal/run-info.js"
/** The run store: runs recorded, their results written through and read back. @since 0.1.0 */
export { RunStore } from "./internal/run-store.js"
/** A stored case result as its JSON text. @since 0.1.0 */
export { type StoredResultJson } from "./internal/run-json.js"
/** One process at a time per run: the run's lease. @since 0.1.0 */
export { type Lease, type LeaseHolder, type LeaseOptions, RunLease, RunLeased } from "./internal/run-lease.js"
/** Comparing two stored runs case by case. @since 0.1.0 */
export { compareRuns, compareStreams, ComparisonBuilder } from "./internal/compare.js"
/** What comparing two runs produces, and its options. @since 0.1.0 */
export {
  type CaseChange,
  type CaseRef,
  type CompareOptions,
  type MetricComparison,
  type MetricDelta,
  type RunComparison
} from "./internal/comparison.js"
/** The identity of a test case across runs. @since 0.1.0 */
export { caseIdentity } from "./internal/case-identity.js"
/** Starting and resuming runs, with the fingerprints that must match. @since 0.1.0 */
export { datasetFingerprint, type DatasetFingerprint, metricsFingerprint, resumeRun, type RunHandle, startRun } from "./internal/resume.js"
/** The LLM response cache. @since 0.1.0 */
export { DEFAULT_RESPONSE_TTL, ResponseCache, responseKey, type ResponseRequest } from "./internal/response-cache.js"
/** The SQL-backed TaskCache. @since 0.1.0 */
export { SqlTaskCache, TASK_OUTPUT_TTL } from "./internal/task-cache.js"
/** Cache maintenance: statistics, clearing, pruning. @since 0.1.0 */
export { type ClearOptions, type Deleted, Maintenance, type PruneOptions } from "./internal/maintenance.js"
/** What the database holds, as `Maintenance.stats` reports it. @since 0.1.0 */
export { type StoreStats } from "./internal/store-stats.js"
/** Removes secrets from what is stored. @since 0.1.0 */
export { scrubSecrets } from "./internal/secrets.js"
/** Ready-made layers of the whole store, on SQLite or Postgres. @since 0.1.0 */
export { type PgStoreOptions, PostgresStore, SqliteStore, type StoreOptions, type StoreServices } from "./internal/layers.js"
/** What the run viewer reads and shows. @since 0.1.0 */
export {
  CaseDetail,
  CasePage,
  CaseQuery,
  CaseRowView,
  CaseSort,
  CaseStatus,
  MetricStats,
  RunProgress,
  RunRowView,
  RunSummaryView
} from "./internal/view-schema.js"
/** The run viewer's reads. @since 0.1.0 */
export { RunViews } from "./internal/run-views.js"
/** A case's status from its result. @since 0.1.0 */
export { caseStatus } from "./internal/view-index.js"
/** Provider batches shared by a run's processes. @since 0.1.0 */
export { type ProviderBatch, ProviderBatches } from "./internal/provider-batches.js"
/** Exactly-once case results of runs sharded over a cluster. @since 0.1.0 */
export { ClaimedResults } from "./internal/claimed-results.js"
/** The SqlClient the cluster's storage runs on. @since 0.1.0 */
export { clusterSqlClient } from "./internal/cluster-sql.js"
