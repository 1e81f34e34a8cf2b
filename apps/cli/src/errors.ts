/**
 * The CLI's own errors and how every failure of a command maps to a process exit code:
 * 2 usage or input error, 3 the run failed. (0/1 come from the run's outcome, 130 from interruption.)
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { UsageError, exitCodeOf } from "./errors.js"
 * exitCodeOf(new UsageError({ message: "unknown metric nope" })) // 2
 * ```
 */
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

const USAGE_TAGS = new Set(["DatasetError", "UsageError", "InvalidTestCase", "ConfigError"])

/**
 * The exit code for a command's failure: usage/input errors → 2, everything else (budget exceeded, metric
 * failure, report or store errors) → 3.
 *
 * @example
 * ```ts
 * exitCodeOf(new DatasetError({ file: "a.jsonl", line: 3, detail: "invalid JSON" })) // 2
 * ```
 */
export const exitCodeOf = (error: unknown): number => {
  const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : ""
  return USAGE_TAGS.has(tag) ? ExitCode.usage : ExitCode.runFailed
}

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
