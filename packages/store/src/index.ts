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
export * from "./errors.js"
export { classify } from "./classify.js"
export { Database, type DatabaseApi, type DatabaseOptions, displayUrl, type PgDatabaseOptions } from "./database.js"
export { MIGRATIONS_TABLE, SCHEMA_VERSION, migrations } from "./migrations.js"
export { makeBatchWriter, type BatchWriter } from "./batch-writer.js"
export * from "./eval-cache.js"
export * from "./run-info.js"
export { RunStore } from "./run-store.js"
export { type Lease, type LeaseHolder, type LeaseOptions, RunLease, RunLeased } from "./run-lease.js"
export * from "./compare.js"
export { caseIdentity } from "./case-identity.js"
export * from "./resume.js"
export * from "./response-cache.js"
export * from "./task-cache.js"
export * from "./maintenance.js"
export { scrubSecrets } from "./secrets.js"
export * from "./layers.js"
export * from "./view-schema.js"
export { RunViews } from "./run-views.js"
export { caseStatus } from "./view-index.js"
export { type ProviderBatch, ProviderBatches } from "./provider-batches.js"
export { ClaimedResults } from "./claimed-results.js"
export { clusterSqlClient } from "./cluster-sql.js"
