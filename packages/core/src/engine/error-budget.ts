/**
 * The run's error budget (`maxErrors`): a count, or a fraction of all cases. A fraction of a source whose size
 * is unknown up front (a stream) can only be checked once the source has ended.
 *
 * @example
 * ```ts
 * const budget = makeErrorBudget(0.1, 200) // 20 errored cases allowed
 * budget.exceeded(21) // true
 * ```
 */
import { Effect } from "effect"
import { ErrorBudgetExceeded } from "./errors.js"

/** How many errored cases a run tolerates. */
export interface ErrorBudget {
  /** The limit while the run goes on; undefined when there is none yet (no budget, or a stream's fraction). */
  readonly limit: number | undefined
  /** Fail when `errored` cases are over the limit known once the source ended with `admitted` cases. */
  readonly checkAtEnd: (errored: number, admitted: number, lastError: string) => Effect.Effect<void, ErrorBudgetExceeded>
}

/**
 * The budget for `maxErrors` over a source of `total` cases (undefined when unknown).
 *
 * @example
 * ```ts
 * makeErrorBudget(5, undefined).limit // 5
 * ```
 */
export const makeErrorBudget = (maxErrors: number | undefined, total: number | undefined): ErrorBudget => {
  const limit = maxErrors === undefined
    ? undefined
    : maxErrors >= 1
    ? Math.floor(maxErrors)
    : total !== undefined
    ? Math.floor(maxErrors * total)
    : undefined
  const atEnd = maxErrors !== undefined && limit === undefined
  return {
    limit,
    checkAtEnd: (errored, admitted, lastError) => {
      if (!atEnd || admitted === 0) return Effect.void
      const budget = Math.floor(maxErrors! * admitted)
      return errored > budget ? Effect.fail(new ErrorBudgetExceeded({ errored, budget, lastError })) : Effect.void
    }
  }
}
