/**
 * Small text helpers shared by the report writers: escaping for HTML/XML, truncation and number formats.
 *
 * @example
 * ```ts
 * import { escapeHtml, percent } from "./text.js"
 * escapeHtml("<script>") // "&lt;script&gt;"
 * percent(0.853)          // "85.3%"
 * ```
 */

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }

/**
 * Escape text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml(`"a" & <b>`) // "&quot;a&quot; &amp; &lt;b&gt;"
 * ```
 */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

/**
 * Escape text for XML, also dropping characters XML 1.0 cannot carry (control characters, lone surrogates).
 *
 * @example
 * ```ts
 * escapeXml("a\u0000<b>") // "a&lt;b&gt;"
 * ```
 */
export const escapeXml = (text: string): string =>
  escapeHtml(text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ""))

/**
 * Cut text to `max` characters on one line, marking the cut with `…`.
 *
 * @example
 * ```ts
 * truncate("hello world", 8) // "hello w…"
 * ```
 */
export const truncate = (text: string, max: number): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`
}

/**
 * A rate as a percentage with one decimal, or `n/a`.
 *
 * @example
 * ```ts
 * percent(null) // "n/a"
 * ```
 */
export const percent = (rate: number | null): string => (rate === null ? "n/a" : `${(rate * 100).toFixed(1)}%`)

/**
 * A 95 % interval for humans, as percentages or (with `digits`) as scores; empty when absent.
 *
 * @example
 * ```ts
 * interval({ low: 0.49, high: 0.943 }) // " [49.0–94.3%]"
 * interval({ low: 0.41, high: 0.52 }, 3) // " [0.410–0.520]"
 * ```
 */
export const interval = (ci: { readonly low: number; readonly high: number } | undefined, digits?: number): string =>
  ci === undefined ? "" : digits === undefined
  ? ` [${(ci.low * 100).toFixed(1)}–${(ci.high * 100).toFixed(1)}%]`
  : ` [${ci.low.toFixed(digits)}–${ci.high.toFixed(digits)}]`

/**
 * A duration in milliseconds for humans: `850ms`, `12.3s`, `4m 05s`.
 *
 * @example
 * ```ts
 * formatMillis(245000) // "4m 05s"
 * ```
 */
export const formatMillis = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const minutes = Math.floor(ms / 60_000)
  return `${minutes}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`
}

/**
 * Money with enough decimals for per-token prices.
 *
 * @example
 * ```ts
 * formatCost(0.01234) // "$0.0123"
 * ```
 */
export const formatCost = (cost: number): string => `$${cost.toFixed(4)}`
