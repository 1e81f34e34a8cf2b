/**
 * The task stage of a case (see `Task` in `options.ts`): run the task in the case's worker, under the metric
 * timeout, and record its output, its spend or its failure on the case's state. A failure — typed error or
 * defect — becomes the case's error text; only an interruption (deadline, Ctrl-C, fail-fast) propagates.
 *
 * @example
 * ```ts
 * const ok = yield* runTask(task, state, timeout) // false: state.taskError says why
 * ```
 */
import { Cause, Data, Duration, Effect } from "effect"
import type { CaseState } from "./case-state.js"
import type { Task, TaskOutput } from "./options.js"
import { spendAttributes, traced } from "./tracing.js"

/** The task ran past the run's `timeout`. */
class TaskTimedOut extends Data.TaggedError("TaskTimedOut")<{ readonly message: string }> {}

/** A one-line description of whatever a task failed with. */
const describe = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" && error.message !== "") {
    return error.message
  }
  return String(error)
}

/**
 * Run `task` on the state's case; true when it produced the case to measure (now in `state.testCase`).
 *
 * @example
 * ```ts
 * runTask((c) => Effect.succeed({ testCase: c }), state, undefined) // Effect<true>
 * ```
 */
export const runTask = <R>(task: Task<R>, state: CaseState, timeout: Duration.Duration | undefined): Effect.Effect<boolean, never, R> => {
  const run = task(state.testCase, state.index).pipe(traced("assay.task", {
    attributes: { "assay.case.index": state.index },
    annotate: (o: TaskOutput) => spendAttributes(o.cost, o.tokens)
  }))
  const limited = timeout === undefined
    ? run
    : Effect.timeoutFail(run, { duration: timeout, onTimeout: () => new TaskTimedOut({ message: `timed out after ${Duration.format(timeout)}` }) })
  return Effect.matchCauseEffect(limited, {
    onFailure: (cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.interrupt
      state.taskError = describe(cause)
      return Effect.succeed(false)
    },
    onSuccess: (output) => {
      state.testCase = output.testCase
      state.taskSpend = { cost: output.cost ?? 0, input: output.tokens?.input ?? 0, output: output.tokens?.output ?? 0 }
      return Effect.succeed(true)
    }
  })
}
