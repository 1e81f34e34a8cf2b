/**
 * `Effect.retryOrElse` for an effect that has already failed once: `schedule` is driven with that failure and
 * the later ones, through Effect's own `Schedule.driver` (same decisions, same sleeps). `Effect.retry` makes its
 * driver and provides the schedule's iteration metadata around every run of the effect, the first included;
 * in the call policy nearly every call succeeds at its first attempt, so that cost would land on the success
 * path. Starting the schedule at the first failure leaves the success path as it was.
 *
 * @example
 * ```ts
 * const call = Effect.catchAll(attempt, (first) => retryFrom(first, attempt, schedule, (error) => Effect.fail(error)))
 * ```
 */
import { Effect, Schedule } from "effect"

/**
 * Retry `self` after its failure `first`, while `schedule` (fed each failure) continues; then `orElse` with the
 * last failure and the schedule's last output.
 *
 * @example
 * ```ts
 * retryFrom(error, attempt, Schedule.recurs(3), (last) => Effect.fail(last))
 * ```
 */
export const retryFrom = <A, E, R, Out, R2, A2, E2, R3>(
  first: E,
  self: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<Out, E, R2>,
  orElse: (error: E, out: Out) => Effect.Effect<A2, E2, R3>
): Effect.Effect<A | A2, E2, R | R2 | R3> =>
  Effect.flatMap(Schedule.driver(schedule), (driver) => {
    const retry = (error: E): Effect.Effect<A | A2, E2, R | R2 | R3> =>
      Effect.matchEffect(driver.next(error), {
        onFailure: () => Effect.flatMap(Effect.orDie(driver.last), (out) => orElse(error, out)),
        onSuccess: () => Effect.catchAll(self, retry)
      })
    return retry(first)
  })
