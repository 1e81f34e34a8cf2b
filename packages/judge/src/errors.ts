/**
 * Why a judge call failed, classified for the call policy: `RateLimited`, `Transient` and `Timeout` are
 * retried; `Auth`, `Quota` (`insufficient_quota`), `BadRequest`, `Unreachable` (nothing listens at the URL, or
 * its host name does not resolve) and `Deadline` never are. Messages never contain the API key (the key lives
 * in a `Redacted` and is never formatted; what a server echoes back is removed by `./guard.ts`).
 *
 * @example
 * ```ts
 * new JudgeError({ kind: "Auth", message: "401 Incorrect API key provided.", status: 401 })
 * ```
 */
import { Schema } from "effect"

/**
 * The classes of judge failures.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(JudgeErrorKind)("RateLimited")
 * ```
 * @since 0.1.0
 */
export const JudgeErrorKind = Schema.Literal("RateLimited", "Transient", "Timeout", "Auth", "Quota", "BadRequest", "Unreachable", "Deadline")
export type JudgeErrorKind = typeof JudgeErrorKind.Type

/**
 * A judge call failed (after retries, when the kind is retryable).
 *
 * @example
 * ```ts
 * judge.chat(request).pipe(Effect.catchTag("JudgeError", (e) => Console.error(e.kind, e.message)))
 * ```
 * @since 0.1.0
 */
export class JudgeError extends Schema.TaggedError<JudgeError>()("JudgeError", {
  kind: JudgeErrorKind,
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  /** Server-requested wait before retrying (from `retry-after-ms` / `Retry-After`). */
  retryAfterMillis: Schema.optional(Schema.Number),
  /** Attempts made before giving up (set by the call policy). */
  attempts: Schema.optional(Schema.Number)
}) {}

/**
 * Whether the call policy retries an error of this kind.
 *
 * @example
 * ```ts
 * isRetryable(new JudgeError({ kind: "Transient", message: "500" })) // true
 * ```
 * @since 0.1.0
 */
export const isRetryable = (error: JudgeError): boolean =>
  error.kind === "RateLimited" || error.kind === "Transient" || error.kind === "Timeout"
