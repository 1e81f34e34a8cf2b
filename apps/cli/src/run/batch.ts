/**
 * Batch mode in the CLI (`--batch`, config `batch: true`): which combinations it refuses before a run starts,
 * the poll settings the judge and the target get, how many cases it lets wait at once, and the run store's
 * journal of submitted batches that lets `assay resume` poll them instead of submitting again.
 *
 * @example
 * ```ts
 * import { batchProblem } from "./batch.js"
 * const problem = batchProblem(plan, true) // undefined when the plan can run in batch mode
 * ```
 */
import { BatchJournal, type BatchOptions, batchSupport, JudgeError, parseJudgeSpec } from "@assay/judge"
import { ProviderBatches } from "@assay/store"
import { Deferred, Duration, Effect, Either, Layer } from "effect"
import type { RunPlan } from "./plan.js"

/**
 * The batch options of a plan (undefined when it does not run in batch mode).
 *
 * @example
 * ```ts
 * batchOptionsOf({ ...plan, batch: true, batchPollMs: 5000 }) // { poll: Duration.millis(5000) }
 * ```
 */
export const batchOptionsOf = (plan: RunPlan): BatchOptions | undefined =>
  !plan.batch ? undefined : plan.batchPollMs === null ? {} : { poll: Duration.millis(plan.batchPollMs) }

/** Why a `--judge` / `--target` model spec cannot be batched (undefined: it can). */
const specProblem = (flag: "--judge" | "--target", spec: string): string | undefined => {
  const parsed = parseJudgeSpec(spec)
  if (Either.isLeft(parsed)) return undefined // reported by the judge or target setup itself
  const why = batchSupport(parsed.right.provider, parsed.right.model)
  return why === undefined ? undefined : `--batch: ${flag} ${why}`
}

/** Whether a `--target` names a model (not an http:// or exec: target). */
const isModelTarget = (model: string) => !/^https?:\/\//i.test(model) && !model.startsWith("exec:")

/**
 * Why a plan cannot run in batch mode, as a usage error's message (undefined: it can, or it is not batched).
 * Batch mode needs a judge or model target on a provider with a batch API, and makes no sense with
 * `--offline`, `--record` or `--replay` (which answer or keep calls one by one).
 *
 * @example
 * ```ts
 * batchProblem({ ...plan, batch: true, judge: "openai-compatible:llama3.1" }, true) // "--batch: --judge openai-compatible:llama3.1 has no batch API; …"
 * ```
 */
export const batchProblem = (plan: RunPlan, needsJudge: boolean): string | undefined => {
  if (!plan.batch) return undefined
  if (plan.offline) return "--batch cannot be combined with --offline: batch mode sends its calls to the provider's batch API"
  if (plan.record !== null || plan.replay !== null) return "--batch cannot be combined with --record or --replay: recordings keep live calls one by one"
  const modelTarget = plan.target !== null && isModelTarget(plan.target.model) ? plan.target.model : undefined
  const judge = needsJudge && plan.judge !== null ? plan.judge : undefined
  if (judge === undefined && modelTarget === undefined) {
    return "--batch: nothing to batch: no selected metric needs --judge and there is no model --target (openai:<model> or anthropic:<model>)"
  }
  return (judge === undefined ? undefined : specProblem("--judge", judge)) ?? (modelTarget === undefined ? undefined : specProblem("--target", modelTarget))
}

/**
 * Cases in flight at once in batch mode: every case's pending request can wait in a batch, so the engine lets
 * up to this many cases (or the dataset, when smaller) be in flight whatever `--concurrency` says.
 */
const BATCH_CASES = 10_000

/**
 * The engine's concurrency for a plan with `total` cases.
 *
 * @example
 * ```ts
 * runConcurrency({ ...plan, batch: true, concurrency: 20 }, 2000) // 2000
 * ```
 */
export const runConcurrency = (plan: RunPlan, total: number): number =>
  plan.batch ? Math.max(plan.concurrency, Math.min(total, BATCH_CASES)) : plan.concurrency

/**
 * The journal of a run's batches on the run store, for the run whose id `runId` will hold (it is known only
 * once the run is recorded; batches are submitted after that).
 *
 * @example
 * ```ts
 * Effect.provide(run, batchJournalLayer(runId))
 * ```
 */
export const batchJournalLayer = (runId: Deferred.Deferred<string>): Layer.Layer<BatchJournal, never, ProviderBatches> =>
  Layer.effect(
    BatchJournal,
    Effect.map(ProviderBatches, (batches) => {
      const failed = (e: { readonly message: string }) => new JudgeError({ kind: "BadRequest", message: e.message })
      return {
        known: Effect.mapError(Effect.flatMap(Deferred.await(runId), (id) => batches.ofRun(id)), failed),
        record: (batch) => Effect.mapError(Effect.flatMap(Deferred.await(runId), (id) => batches.record(id, batch)), failed)
      }
    })
  )
