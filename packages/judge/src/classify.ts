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
 * and a request that got no response with {@link classifyTransport}: nothing listening or no such host is
 * `Unreachable` (not retried: retrying a closed port or a missing host name only delays the error), anything
 * else (a reset, a closed socket) `Transient`.
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
 * @since 0.1.0
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

/** Connection failures that mean nothing can answer at this URL, with what to call them. */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable"
}

/** The first system error code (`ECONNREFUSED`, …) on an error or its chain of causes. */
const errorCode = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    if ("code" in current && typeof current.code === "string" && current.code in UNREACHABLE) return current.code
    current = "cause" in current ? current.cause : undefined
  }
  return undefined
}

/** The message of the innermost error in a chain of causes (the one that says what happened). */
const rootMessage = (error: unknown): string => {
  let current: unknown = error
  let message = String(error)
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    if ("message" in current && typeof current.message === "string" && current.message !== "") message = current.message
    current = "cause" in current ? current.cause : undefined
  }
  return message
}

/**
 * A JudgeError for a request to `url` that got no response: `Unreachable` when nothing listens there or its
 * host does not resolve, else `Transient`. The message names the URL.
 *
 * @example
 * ```ts
 * classifyTransport("http://127.0.0.1:9/v1/chat/completions", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))
 * // JudgeError { kind: "Unreachable", message: "cannot connect to http://127.0.0.1:9/v1/chat/completions: connection refused (ECONNREFUSED)" }
 * ```
 * @since 0.1.0
 */
export const classifyTransport = (url: string, error: unknown): JudgeError => {
  const code = errorCode(error)
  return code === undefined
    ? new JudgeError({ kind: "Transient", message: `connection to ${url} failed: ${rootMessage(error)}` })
    : new JudgeError({ kind: "Unreachable", message: `cannot connect to ${url}: ${UNREACHABLE[code]} (${code})` })
}
