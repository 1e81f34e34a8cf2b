/**
 * Classify a failed HTTP exchange with a model provider into a {@link JudgeError}.
 *
 * | status | kind |
 * |---|---|
 * | 429 with `insufficient_quota` | `Quota` (never retried: it is billing, not load) |
 * | 429 | `RateLimited` (retried after `retry-after-ms` / `Retry-After`) |
 * | 401, 403 | `Auth` |
 * | 408, 409, 5xx | `Transient` |
 * | other 4xx | `BadRequest` |
 *
 * @example
 * ```ts
 * classifyStatus(429, { "retry-after": "1" }, "{}", 0).kind // "RateLimited"
 * ```
 */
import { JudgeError } from "./errors.js"
import { type Headers, retryAfterMillis } from "./headers.js"

const MAX_QUOTE = 300

/** The provider's error message from an OpenAI-style error body, or the body itself, shortened. */
const describeBody = (body: string): string => {
  const match = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(body)
  const text = match ? match[1]! : body
  return text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text
}

/**
 * A JudgeError for a non-2xx response.
 *
 * @example
 * ```ts
 * classifyStatus(401, {}, '{"error":{"message":"bad key"}}', 0) // JudgeError { kind: "Auth", message: "401: bad key" }
 * ```
 */
export const classifyStatus = (status: number, headers: Headers, body: string, now: number): JudgeError => {
  const message = `${status}: ${describeBody(body)}`
  const retryAfter = retryAfterMillis(headers, now)
  const extra = retryAfter === undefined ? {} : { retryAfterMillis: retryAfter }
  if (status === 429) {
    return /insufficient_quota/.test(body)
      ? new JudgeError({ kind: "Quota", message, status })
      : new JudgeError({ kind: "RateLimited", message, status, ...extra })
  }
  if (status === 401 || status === 403) return new JudgeError({ kind: "Auth", message, status })
  if (status === 408 || status === 409 || status >= 500) return new JudgeError({ kind: "Transient", message, status, ...extra })
  return new JudgeError({ kind: "BadRequest", message, status })
}
