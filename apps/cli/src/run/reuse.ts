/**
 * Whole-run reuse. A run that completes with every case scored and none errored, with the cache on, leaves every
 * outcome in the cache; a rerun of the same dataset, metrics and result-shaping settings would then be served
 * each case from there. Such a run is marked with a key of exactly those things ({@link reuseKey}); a rerun
 * with the same key copies the marked run's results as the cache would have served them ({@link asCached})
 * instead of reading the dataset, looking every case up and measuring nothing. The store unmarks every run
 * when the cache is cleared or pruned, and a `--fresh-task` run unmarks the others (it replaces task outputs).
 *
 * @example
 * ```ts
 * const key = reuseKey(input, fingerprints, digest)
 * const prior = key === undefined ? Option.none() : yield* log.reusable(key)
 * ```
 */
import type { CaseResult, MetricResult, RunOutcome } from "@assay/core"
import { createHash } from "node:crypto"
import { VERSION } from "../version.js"
import type { RunPlan } from "./plan.js"
import type { Fingerprints } from "./run-log.js"
import { servesCached } from "./services.js"

/** What decides whether a run may be marked and reused: its plan and where its cases come from. */
export interface ReuseInput {
  readonly plan: RunPlan
  readonly resume: string | undefined
  /** An Eval's own cases or task: code the key cannot see, so such a run is never reused whole. */
  readonly eval?: unknown
  /** A run evaluated by a cluster: never reused whole. */
  readonly distribute?: unknown
}

/**
 * The key under which a run is marked reusable, or undefined when the run's results do not all come from (or
 * go to) the cache: no cache, a recording or replay, `--repeat` above 1, an Eval file, a resumed or cluster
 * run, a dataset that is not a file of UTF-8 text. It covers what shapes the results — the dataset file's
 * bytes (`digest`: case names and tags too, which the fingerprint leaves out), the metrics and their
 * configuration, the judge, the target and its prompt, hyperparameters, the CLI's version — and leaves out
 * what only shapes how they are computed (concurrency, call limits, timeouts, outputs).
 *
 * @example
 * ```ts
 * reuseKey({ plan, resume: undefined }, { dataset: "9f…", metrics: "41…", caseCount: 36 }, "77d0…") // "c2e1…"
 * ```
 */
export const reuseKey = (input: ReuseInput, fingerprints: Fingerprints, digest: string | undefined): string | undefined => {
  const { plan } = input
  if (digest === undefined) return undefined
  // With --repeat above 1 the metric cache is neither read nor written: every run measures its epochs afresh.
  if (plan.cache === null || !servesCached(plan) || plan.repeat > 1) return undefined
  if (input.resume !== undefined || input.eval !== undefined || input.distribute !== undefined) return undefined
  return createHash("sha256").update(JSON.stringify({
    version: VERSION,
    fingerprints,
    digest,
    metrics: plan.metrics,
    judge: plan.judge,
    embeddingModel: plan.embeddingModel,
    target: plan.target,
    skipOnMissingParams: plan.skipOnMissingParams,
    strictInput: plan.strictInput,
    hyperparameters: plan.hyperparameters
  })).digest("hex")
}

/**
 * Whether a finished run may be reused by a rerun with its key: it completed, and every case was scored
 * (none errored, none unfinished), so each of its outcomes is in the cache.
 *
 * @example
 * ```ts
 * if (reusableOutcome(outcome)) yield* log.markReusable(runId, key)
 * ```
 */
export const reusableOutcome = (outcome: RunOutcome): boolean =>
  outcome.status === "completed" && outcome.summary.errored === 0 && outcome.unfinished.length === 0

const cachedMetric = (metric: MetricResult): MetricResult =>
  metric.skipped ? metric : { ...metric, cached: true, cost: 0, durationMs: 0 }

/**
 * A stored result as a rerun served from the cache reports it: every scored metric cached, at no cost and no
 * time, the task's output too (a cached output costs nothing), so the case's cost is 0 and its tokens are its
 * metrics' (kept with their cached outcomes).
 *
 * @example
 * ```ts
 * asCached(result).metrics.every((m) => m.skipped || m.cached) // true
 * ```
 */
export const asCached = (result: CaseResult): CaseResult => {
  const metrics = result.metrics.map(cachedMetric)
  let input = 0
  let output = 0
  for (const m of metrics) {
    input += m.tokens.input
    output += m.tokens.output
  }
  return { ...result, metrics, cost: 0, durationMs: 0, tokens: { input, output } }
}
