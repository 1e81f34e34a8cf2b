/**
 * The provider batches of a run (batch mode): each batch is recorded as soon as the provider accepted it, with
 * the `provider:model` that submitted it and its requests' custom ids, so that a resumed run polls the batches
 * its earlier process submitted instead of submitting (and paying for) their requests again.
 *
 * @example
 * ```ts
 * const batches = yield* ProviderBatches
 * yield* batches.record("20261205-101500-ab12", { batchId: "batch_1", model: "openai:gpt-4o-mini", customIds: ["r-1"] })
 * const known = yield* batches.ofRun("20261205-101500-ab12")
 * ```
 */
import { Clock, Effect, Schema } from "effect"
import { Database } from "./database.js"
import { StoreError } from "./errors.js"

/**
 * One recorded batch.
 *
 * @example
 * ```ts
 * const batch: ProviderBatch = { batchId: "msgbatch_1", model: "anthropic:claude-haiku-4-5", customIds: ["r-1", "r-2"] }
 * ```
 */
export interface ProviderBatch {
  readonly batchId: string
  readonly model: string
  readonly customIds: ReadonlyArray<string>
}

const Row = Schema.Struct({ batch_id: Schema.String, model: Schema.String, custom_ids: Schema.parseJson(Schema.Array(Schema.String)) })
const decodeRows = Schema.decodeUnknown(Schema.Array(Row))

/**
 * The service; see the module doc.
 *
 * @example
 * ```ts
 * Effect.flatMap(ProviderBatches, (b) => b.ofRun(runId))
 * ```
 */
export class ProviderBatches extends Effect.Service<ProviderBatches>()("assay/store/ProviderBatches", {
  effect: Effect.gen(function*() {
    const db = yield* Database
    const { sql } = db
    const failed = (detail: string) => (error: { readonly message: string }) =>
      new StoreError({ path: db.path, reason: "io", detail: `${detail}: ${error.message}` })
    return {
      /** Record a submitted batch (idempotent). */
      record: (runId: string, batch: ProviderBatch): Effect.Effect<void, StoreError> =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          sql`INSERT INTO run_provider_batches (run_id, batch_id, model, custom_ids, submitted_at)
              VALUES (${runId}, ${batch.batchId}, ${batch.model}, ${JSON.stringify(batch.customIds)}, ${now})
              ON CONFLICT (run_id, batch_id) DO NOTHING`).pipe(Effect.asVoid, Effect.mapError(failed(`cannot record batch ${batch.batchId}`))),
      /** The batches a run submitted, oldest first. */
      ofRun: (runId: string): Effect.Effect<ReadonlyArray<ProviderBatch>, StoreError> =>
        sql`SELECT batch_id, model, custom_ids FROM run_provider_batches WHERE run_id = ${runId} ORDER BY submitted_at, batch_id`.pipe(
          Effect.flatMap(decodeRows),
          Effect.map((rows) => rows.map((r) => ({ batchId: r.batch_id, model: r.model, customIds: r.custom_ids }))),
          Effect.mapError(failed(`cannot read the batches of run ${runId}`))
        )
    }
  })
}) {}
