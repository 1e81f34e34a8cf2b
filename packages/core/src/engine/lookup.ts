/**
 * Stage 2, `lookup`: every cache read. The source's cases are looked up a slice at a time, one round trip
 * per cache: the task cache first (`task-outputs.ts`), then the metric cache — for a case with a task, on the
 * output kept for it. A case a task produces in this run is looked up on its own once produced (its content,
 * hence its key, comes from the task). A failed lookup costs only the caching: it is logged.
 *
 * @example
 * ```ts
 * const lookup = makeLookup(plan)
 * yield* lookup.slice(pending) // fills each pending case's `cached`
 * ```
 */
import { Effect } from "effect"
import type { CachedOutcomes } from "../cache/eval-cache.js"
import { caseCacheKey } from "../cache/cache-key.js"
import type { TestCase } from "../model/test-case.js"
import type { CaseState } from "./case-state.js"
import { unmetRequirement } from "./measure.js"
import type { RunPlan } from "./plan.js"
import { newTaskSlot, readSlots, type TaskSlot } from "./task-outputs.js"

/** A case read from the source, on its way to a case worker (or straight to delivery when fully cached). */
export interface PendingCase {
  readonly testCase: TestCase
  readonly index: number
  /** The metric cache key (with a task: of the output kept for the case, once read). */
  cacheKey: string | undefined
  /** Filled by {@link Lookup.slice}. */
  cached: CachedOutcomes | undefined
  /** The case's task outputs, when the run keeps them. */
  readonly task: TaskSlot | undefined
}

/** The case to measure: the output kept for it when there is one, else the case as read. */
export const caseToMeasure = (pending: PendingCase): TestCase => pending.task?.kept[0]?.testCase ?? pending.testCase

/** The cache reads of one run. */
export interface Lookup {
  /** Open the cache for this run's lookups. */
  readonly begin: Effect.Effect<void>
  /** A case read from the source, keyed when the cache applies (with a task, keys come after the task). */
  readonly pending: (testCase: TestCase, index: number) => PendingCase
  /** Look a slice of cases up with one round trip. */
  readonly slice: (pending: ReadonlyArray<PendingCase>) => Effect.Effect<void>
  /** Key and look up the case a task produced. */
  readonly produced: (state: CaseState) => Effect.Effect<CachedOutcomes | undefined>
  /** Every metric of the case is cached (and applies to it): nothing to measure. */
  readonly servedByCache: (pending: PendingCase) => boolean
}

const warn = (what: string) => (e: { readonly message: string }) => Effect.logWarning(`${what}: ${e.message}`)

/**
 * The lookups of a run planned by `plan` (all no-ops without a cache).
 *
 * @example
 * ```ts
 * makeLookup(plan).servedByCache(pendingCase)
 * ```
 */
export const makeLookup = <R, RT>({ cache, hyperSuffix, metrics, tags, task, taskOutputs }: RunPlan<R, RT>): Lookup => {
  const wanted = tags.map((t) => t.tag)
  const lookupMany = (keyed: ReadonlyArray<PendingCase>) =>
    keyed.length === 0 ? Effect.void : cache!.lookupMany(keyed.map((p) => p.cacheKey!), wanted).pipe(
      Effect.map((found) => {
        for (let j = 0; j < keyed.length; j++) keyed[j]!.cached = found[j]
      }),
      Effect.catchAll(warn("cache lookup failed"))
    )
  /** With a task, the cases whose output is kept, keyed by that output. */
  const keyedByKeptOutput = (pending: ReadonlyArray<PendingCase>) => {
    const keyed: Array<PendingCase> = []
    for (const p of pending) {
      const kept = p.task?.kept[0]
      if (kept === undefined) continue
      p.cacheKey = caseCacheKey(kept.testCase, hyperSuffix)
      keyed.push(p)
    }
    return keyed
  }
  const metricSlice = (pending: ReadonlyArray<PendingCase>) =>
    cache === undefined || pending.length === 0
      ? Effect.void
      : task === undefined
      ? lookupMany(pending)
      : Effect.suspend(() => lookupMany(keyedByKeptOutput(pending)))
  return {
    begin: cache === undefined ? Effect.void : Effect.catchAll(cache.beginRun, warn("cache unavailable for this run's lookups")),
    pending: (testCase, index) => ({
      testCase,
      index,
      cacheKey: cache === undefined || task !== undefined ? undefined : caseCacheKey(testCase, hyperSuffix),
      cached: undefined,
      task: taskOutputs === undefined ? undefined : newTaskSlot(taskOutputs, testCase)
    }),
    slice: (pending) =>
      taskOutputs === undefined
        ? metricSlice(pending)
        : Effect.zipRight(readSlots(taskOutputs, pending.map((p) => p.task!)), metricSlice(pending)),
    produced: (state) => {
      if (cache === undefined) return Effect.sync(() => undefined)
      const key = caseCacheKey(state.testCase, hyperSuffix)
      state.cacheKey = key
      return cache.lookupMany([key], wanted).pipe(
        Effect.map((found) => found[0]),
        Effect.catchAll((e) => Effect.as(warn("cache lookup failed")(e), undefined))
      )
    },
    servedByCache: (pending) => {
      const { cached } = pending
      if (cached === undefined) return false
      const testCase = caseToMeasure(pending)
      for (let i = 0; i < metrics.length; i++) {
        if (cached[tags[i]!.tag] === undefined || unmetRequirement(metrics[i]!, testCase) !== undefined) return false
      }
      return true
    }
  }
}
