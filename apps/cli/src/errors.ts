/**
 * The CLI's own errors, the union of every error a command can fail with ({@link CliError}), and the one
 * function that turns such a failure into what the user sees: a message and an exit code — 2 usage or input
 * error, 3 the run failed. (0/1 come from the run's outcome, 130 from interruption.)
 *
 * @example
 * ```ts
 * import { failureOf, UsageError } from "./errors.js"
 * failureOf(new UsageError({ message: "unknown metric nope" })) // { code: 2, message: "unknown metric nope" }
 * ```
 */
import type { DatasetError, EvalError } from "@assay/core"
import { Schema } from "effect"

/** A dataset could not be read or is malformed (core's loaders raise it); `message` names the file, line and field. */
export { DatasetError } from "@assay/core"

/**
 * Bad flags or configuration (unknown metric, invalid parameter, unreadable config file…).
 *
 * @example
 * ```ts
 * new UsageError({ message: "no metrics: pass --metric <id>" })
 * ```
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

/**
 * A report file could not be written.
 *
 * @example
 * ```ts
 * new ReportError({ file: "out.json", message: "cannot write out.json: EACCES" })
 * ```
 */
export class ReportError extends Schema.TaggedError<ReportError>()("ReportError", {
  file: Schema.String,
  message: Schema.String
}) {}

/**
 * A failure that stops the run (fatal judge error, store failure…).
 *
 * @example
 * ```ts
 * new RunFailed({ message: "target openai:gpt-4o-mini failed on case #0" })
 * ```
 */
export class RunFailed extends Schema.TaggedError<RunFailed>()("RunFailed", {
  message: Schema.String
}) {}

/**
 * Exit codes of the `assay` binary.
 *
 * @example
 * ```ts
 * ExitCode.interrupted // 130
 * ```
 */
export const ExitCode = {
  ok: 0,
  failures: 1,
  usage: 2,
  runFailed: 3,
  interrupted: 130
} as const

/**
 * Every error a command can fail with: the CLI program's error type, bar @effect/cli's own `ValidationError`
 * (which `main` handles apart). `main` and the eval-file runner take failures as this type, so a command that
 * can fail with anything else does not compile until the error is added here and given an exit code.
 *
 * @example
 * ```ts
 * const handled: (error: CliError) => Effect.Effect<number> = (error) => Effect.succeed(failureOf(error).code)
 * ```
 */
export type CliError = UsageError | DatasetError | RunFailed | ReportError | EvalError

/** The exit code of each error, by tag: a {@link CliError} without an entry here is a type error. */
const EXIT_CODES: { readonly [Tag in CliError["_tag"]]: typeof ExitCode.usage | typeof ExitCode.runFailed } = {
  // Bad flags, configuration or input: the command line or the files must change.
  UsageError: ExitCode.usage,
  DatasetError: ExitCode.usage,
  // The run itself failed: a fatal judge or store error, a metric that failed fast, an exceeded error budget,
  // a report or a sink that could not be written.
  RunFailed: ExitCode.runFailed,
  ReportError: ExitCode.runFailed,
  MetricFailed: ExitCode.runFailed,
  TaskFailed: ExitCode.runFailed,
  ErrorBudgetExceeded: ExitCode.runFailed,
  SinkError: ExitCode.runFailed
}

/**
 * What a command's failure shows the user: its one-line message and the process exit code (usage and input
 * errors 2, everything else 3).
 *
 * @example
 * ```ts
 * failureOf(new DatasetError({ file: "a.jsonl", line: 3, detail: "invalid JSON" })) // { code: 2, message: "a.jsonl:3: invalid JSON" }
 * ```
 */
export const failureOf = (error: CliError): { readonly code: number; readonly message: string } => ({
  code: EXIT_CODES[error._tag],
  message: describeError(error)
})

/**
 * A one-line, stack-free description of a failure for the terminal.
 *
 * @example
 * ```ts
 * describeError(new UsageError({ message: "bad --max-errors" })) // "bad --max-errors"
 * ```
 */
export const describeError = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" && error.message !== "") {
    return error.message
  }
  return String(error)
}

/**
 * What an unexpected defect (a bug: a thrown exception or `Effect.die`, no typed failure) shows the user: one
 * line, without the stack, and exit 3. The stack is printed only with `ASSAY_DEBUG=1`; `main` removes secrets
 * from both first.
 *
 * @example
 * ```ts
 * internalErrorOf(new TypeError("x is undefined")) // { code: 3, message: "internal error: x is undefined — please report it; …" }
 * ```
 */
export const internalErrorOf = (defect: unknown): { readonly code: number; readonly message: string } => ({
  code: ExitCode.runFailed,
  message: `internal error: ${describeError(defect).split("\n")[0]} — please report it (run with ASSAY_DEBUG=1 for the stack)`
})
