/**
 * Why a run failed.
 *
 * @example
 * ```ts
 * evaluate(cases, metrics).pipe(Effect.catchTag("MetricFailed", (e) => Console.error(e.message)))
 * ```
 */
import { Schema } from "effect"

/**
 * A metric errored on a case and errors were not ignored: the run stopped (fail-fast).
 *
 * @since 0.1.0
 */
export class MetricFailed extends Schema.TaggedError<MetricFailed>()("MetricFailed", {
  caseIndex: Schema.Number,
  caseName: Schema.NullOr(Schema.String),
  metric: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `metric ${this.metric} failed on case #${this.caseIndex}${this.caseName ? ` (${this.caseName})` : ""}: ${this.reason}`
  }
}

/**
 * A case's task (the stage that produces its output) failed and errors were not ignored: the run stopped.
 *
 * @since 0.1.0
 */
export class TaskFailed extends Schema.TaggedError<TaskFailed>()("TaskFailed", {
  caseIndex: Schema.Number,
  caseName: Schema.NullOr(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    return `task failed on case #${this.caseIndex}${this.caseName ? ` (${this.caseName})` : ""}: ${this.reason}`
  }
}

/**
 * More cases errored than `maxErrors` allows.
 *
 * @since 0.1.0
 */
export class ErrorBudgetExceeded extends Schema.TaggedError<ErrorBudgetExceeded>()("ErrorBudgetExceeded", {
  errored: Schema.Number,
  budget: Schema.Number,
  lastError: Schema.String
}) {
  override get message(): string {
    return `${this.errored} cases errored, more than the budget of ${this.budget} (last: ${this.lastError})`
  }
}

/**
 * A result sink (run store, report writer) failed.
 *
 * @since 0.1.0
 */
export class SinkError extends Schema.TaggedError<SinkError>()("SinkError", {
  sink: Schema.String,
  message: Schema.String
}) {}

/**
 * Every way a run can fail (the source's own error type is added to these).
 *
 * @since 0.1.0
 */
export type EvalError = MetricFailed | TaskFailed | ErrorBudgetExceeded | SinkError
