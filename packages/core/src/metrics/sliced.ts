/**
 * Long computations in slices. A deterministic metric runs on the engine's (single) thread; one that takes
 * seconds on a large input would hold that thread, so neither the per-metric timeout, nor a run's deadline,
 * nor Ctrl-C could act until it returned. Its O(n·m) algorithms (edit distance, longest common subsequence)
 * are therefore written as generators that `yield` after about {@link SLICE_WORK} elementary steps; the
 * metric returns them as {@link Slices}, and {@link runSlices} runs one slice, lets the event loop run, and
 * goes on — or stops at once when the fiber is interrupted (a timeout, a deadline, Ctrl-C).
 *
 * Inputs small enough to finish within one slice never reach this: they are scored synchronously as before.
 * Why slices and not a worker thread: the engine's fast path (many small cases, scored inline) pays nothing,
 * and no metric has to be rebuilt in another thread. A regex match cannot be sliced, so user patterns run on
 * a linear-time engine instead (./linear-regex.ts).
 *
 * @example
 * ```ts
 * function* count(n: number): Generator<void, number> {
 *   let done = 0
 *   for (let i = 0; i < n; i += SLICE_WORK) { done += Math.min(SLICE_WORK, n - i); yield }
 *   return done
 * }
 * runSlices("demo", count(1e9)) // an Effect that can be interrupted between slices
 * ```
 */
import { Effect } from "effect"
import { MetricError } from "../metric/metric.js"

/** Elementary steps (cells of a dynamic-programming table, words of a bit-parallel one) per slice. */
export const SLICE_WORK = 1 << 20

/**
 * A computation that yields between slices and returns `A`. A class so that {@link deterministic} can tell
 * it apart from a finished outcome with one `instanceof`.
 *
 * @example
 * ```ts
 * new Slices(count(1e9))
 * ```
 */
export class Slices<A> {
  constructor(readonly steps: Generator<void, A, void>) {}
}

/**
 * Run a generator to its end synchronously (for callers that want the plain value, such as `editDistance`).
 *
 * @example
 * ```ts
 * runToEnd(count(10)) // 10
 * ```
 */
export const runToEnd = <A>(steps: Generator<void, A, void>): A => {
  for (;;) {
    const next = steps.next()
    if (next.done === true) return next.value
  }
}

/**
 * The MetricError for a throw inside a metric's scoring code: a bug, reported against the case rather than
 * killing the run.
 *
 * @example
 * ```ts
 * internalError("bleu", new TypeError("x is undefined")).message // "internal error: x is undefined"
 * ```
 */
export const internalError = (metric: string, e: unknown): MetricError =>
  new MetricError({ metric, message: `internal error: ${e instanceof Error ? e.message : String(e)}` })

/**
 * Resume on the macrotask queue. `Effect.yieldNow` resumes on the microtask queue, where neither timers (the
 * metric's timeout, the run's deadline) nor signal handlers (Ctrl-C) get to run; a macrotask turn lets them.
 */
const yieldToEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/**
 * Run a sliced computation as an Effect: a slice, a turn of the event loop, the next slice. Interrupting the
 * fiber stops it between two slices. A throw inside a slice (a bug) becomes a MetricError on `metric`.
 *
 * @example
 * ```ts
 * runSlices("levenshtein", count(1e9)).pipe(Effect.timeout("1 second"))
 * ```
 */
export const runSlices = <A>(metric: string, steps: Generator<void, A, void>): Effect.Effect<A, MetricError> => {
  const slice: Effect.Effect<A, MetricError> = Effect.flatMap(
    Effect.try({ try: () => steps.next(), catch: (e) => internalError(metric, e) }),
    (next) => (next.done === true ? Effect.succeed(next.value) : Effect.zipRight(yieldToEventLoop, slice))
  )
  return slice
}
