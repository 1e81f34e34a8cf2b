/**
 * Rate-limit information from response headers: `retry-after-ms`, `Retry-After` (seconds or an HTTP date),
 * OpenAI's `x-ratelimit-{limit,remaining}-{requests,tokens}` and `x-ratelimit-reset-{requests,tokens}`
 * (durations like `1s`, `6m0s`, `20ms`), and Anthropic's `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}`
 * (the reset an RFC 3339 time). Limits are per minute, as both providers state them.
 *
 * @example
 * ```ts
 * retryAfterMillis({ "retry-after": "2" }, 0) // 2000
 * parseResetDuration("1m30.5s") // 90500
 * ```
 */

/**
 * Header values by lower-case name.
 *
 * @example
 * ```ts
 * const headers: Headers = { "retry-after": "2" }
 * ```
 * @since 0.1.0
 */
export type Headers = Readonly<Record<string, string | undefined>>

/**
 * What the server said about the remaining budget.
 *
 * @example
 * ```ts
 * const info: RateLimitInfo = { remainingRequests: 0, resetRequestsMillis: 200 }
 * ```
 * @since 0.1.0
 */
export interface RateLimitInfo {
  /** Requests per minute the key may make. */
  readonly limitRequests?: number | undefined
  /** Tokens per minute the key may use. */
  readonly limitTokens?: number | undefined
  readonly remainingRequests?: number | undefined
  readonly resetRequestsMillis?: number | undefined
  readonly remainingTokens?: number | undefined
  readonly resetTokensMillis?: number | undefined
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Milliseconds of a reset duration (`6m0s`, `20ms`, `1.5s`, or a bare number of seconds); undefined when unreadable.
 *
 * @example
 * ```ts
 * parseResetDuration("6m0s") // 360000
 * ```
 * @since 0.1.0
 */
export const parseResetDuration = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) return undefined
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0)
}

/**
 * The wait the server asked for, in milliseconds: `retry-after-ms` first, then `Retry-After` as seconds or as
 * an HTTP date relative to `now` (ms since the epoch).
 *
 * @example
 * ```ts
 * retryAfterMillis({ "retry-after-ms": "150" }, 0) // 150
 * ```
 * @since 0.1.0
 */
export const retryAfterMillis = (headers: Headers, now: number): number | undefined => {
  const ms = headers["retry-after-ms"]
  if (ms !== undefined && Number.isFinite(Number(ms)) && ms.trim() !== "") return Math.max(0, Number(ms))
  const value = headers["retry-after"]?.trim()
  if (value === undefined || value === "") return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const count = (text: string | undefined): number | undefined =>
  text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : undefined

/**
 * The `x-ratelimit-*` headers of a response.
 *
 * @example
 * ```ts
 * rateLimitInfo({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20ms" })
 * // { remainingRequests: 0, resetRequestsMillis: 20, ... }
 * ```
 * @since 0.1.0
 */
export const rateLimitInfo = (headers: Headers): RateLimitInfo => ({
  limitRequests: count(headers["x-ratelimit-limit-requests"]),
  remainingRequests: count(headers["x-ratelimit-remaining-requests"]),
  resetRequestsMillis: parseResetDuration(headers["x-ratelimit-reset-requests"]),
  limitTokens: count(headers["x-ratelimit-limit-tokens"]),
  remainingTokens: count(headers["x-ratelimit-remaining-tokens"]),
  resetTokensMillis: parseResetDuration(headers["x-ratelimit-reset-tokens"])
})

/** Milliseconds from `now` to an RFC 3339 time (Anthropic's resets); undefined when unreadable. */
const untilTime = (text: string | undefined, now: number): number | undefined => {
  const at = text === undefined ? Number.NaN : Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * The `anthropic-ratelimit-*` headers of a response (`now`: ms since the epoch, for the reset times).
 *
 * @example
 * ```ts
 * anthropicRateLimitInfo({ "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49" }, Date.now())
 * // { limitRequests: 50, remainingRequests: 49, ... }
 * ```
 * @since 0.1.0
 */
export const anthropicRateLimitInfo = (headers: Headers, now: number): RateLimitInfo => ({
  limitRequests: count(headers["anthropic-ratelimit-requests-limit"]),
  remainingRequests: count(headers["anthropic-ratelimit-requests-remaining"]),
  resetRequestsMillis: untilTime(headers["anthropic-ratelimit-requests-reset"], now),
  limitTokens: count(headers["anthropic-ratelimit-tokens-limit"]),
  remainingTokens: count(headers["anthropic-ratelimit-tokens-remaining"]),
  resetTokensMillis: untilTime(headers["anthropic-ratelimit-tokens-reset"], now)
})
