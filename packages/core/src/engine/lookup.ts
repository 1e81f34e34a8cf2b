/**
 * Stage 2, `lookup`: every read of the metric cache. The source's cases are looked up a slice at a time in
 * one round trip; a case a task produces is looked up on its own once produced (its content, hence its key,
 * comes from the task). A failed lookup costs only the caching: it is logged and the case is measured.
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

/** A case read from the source, on its way to a case worker (or straight to delivery when fully cached). */
export interface PendingCase {
  readonly testCase: TestCase
  readonly index: number
  readonly cacheKey: string | undefined
  /** Filled by {@link Lookup.slice}. */
  cached: CachedOutcomes | undefined
}

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
export const makeLookup = <R, RT>({ cache, hyperSuffix, metrics, tags, task }: RunPlan<R, RT>): Lookup => {
  const wanted = tags.map((t) => t.tag)
  return {
    begin: cache === undefined ? Effect.void : Effect.catchAll(cache.beginRun, warn("cache unavailable for this run's lookups")),
    pending: (testCase, index) => ({
      testCase,
      index,
      cacheKey: cache === undefined || task !== undefined ? undefined : caseCacheKey(testCase, hyperSuffix),
      cached: undefined
    }),
    slice: (pending) =>
      cache === undefined || task !== undefined || pending.length === 0
        ? Effect.void
        : cache.lookupMany(pending.map((p) => p.cacheKey!), wanted).pipe(
          Effect.map((found) => {
            for (let j = 0; j < pending.length; j++) pending[j]!.cached = found[j]
          }),
          Effect.catchAll(warn("cache lookup failed"))
        ),
    produced: (state) => {
      if (cache === undefined) return Effect.sync(() => undefined)
      const key = caseCacheKey(state.testCase, hyperSuffix)
      state.cacheKey = key
      return cache.lookupMany([key], wanted).pipe(
        Effect.map((found) => found[0]),
        Effect.catchAll((e) => Effect.as(warn("cache lookup failed")(e), undefined))
      )
    },
    servedByCache: ({ cached, testCase }) => {
      if (cached === undefined) return false
      for (let i = 0; i < metrics.length; i++) {
        if (cached[tags[i]!.tag] === undefined || unmetRequirement(metrics[i]!, testCase) !== undefined) return false
      }
      return true
    }
  }
}
