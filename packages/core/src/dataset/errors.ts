/**
 * The error of reading a dataset file: the file could not be read, or a case in it is malformed.
 *
 * @example
 * ```ts
 * import { DatasetError } from "@assay/core"
 * new DatasetError({ file: "cases.jsonl", line: 3, detail: "input: is missing" }).message // "cases.jsonl:3: input: is missing"
 * ```
 */
import type { PlatformError } from "@effect/platform/Error"
import { Schema } from "effect"

/**
 * A dataset could not be read or is malformed; `message` names the file, line and field.
 *
 * @example
 * ```ts
 * new DatasetError({ file: "cases.jsonl", line: 3, detail: "input: is missing" }).message // "cases.jsonl:3: input: is missing"
 * ```
 * @since 0.1.0
 */
export class DatasetError extends Schema.TaggedError<DatasetError>()("DatasetError", {
  file: Schema.String,
  line: Schema.optional(Schema.Number),
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.file}${this.line !== undefined ? `:${this.line}` : ""}: ${this.detail}`
  }
}

/** What a person reads for a file that could not be opened or read: the reason, without the call's internals. */
const readReasons: Partial<Record<string, string>> = {
  NotFound: "no such file",
  PermissionDenied: "permission denied",
  BadResource: "not a readable file (a directory?)"
}

/**
 * The dataset error of a file that could not be read.
 *
 * @example
 * ```ts
 * Stream.mapError(fs.stream(file), unreadable(file)) // "cases.jsonl: no such file"
 * ```
 */
export const unreadable = (file: string) => (error: PlatformError): DatasetError => {
  const reason = error._tag === "SystemError" ? readReasons[error.reason] : undefined
  return new DatasetError({ file, detail: reason ?? `cannot read the file: ${error.message}` })
}
