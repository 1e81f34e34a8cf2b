/**
 * Which repetition of a measurement is running: 0 normally, 0…k−1 when a run measures each metric k times
 * (`repeat` without a task) or runs k epochs of each case (`repeat` with a task: the task and the metrics of
 * epoch e run with e here and in `CurrentCase`). The engine sets it around each repetition; a service that caches by request (the judge's reply
 * cache) keys on it, so k repetitions stay k independent samples — and a replay reproduces each of them.
 *
 * @example
 * ```ts
 * const attempt = yield* FiberRef.get(currentRepetition) // 0 outside repeats
 * ```
 */
import { FiberRef } from "effect"

/**
 * The repetition now running (0 unless a run repeats); the engine sets it around each repetition.
 *
 * @example
 * ```ts
 * Effect.locally(measure, currentRepetition, 2)
 * ```
 * @since 0.1.0
 */
export const currentRepetition: FiberRef.FiberRef<number> = FiberRef.unsafeMake(0)
