/**
 * Rendering of a run's progress, as pure functions of a {@link ProgressSnapshot}: the live region's lines for a
 * terminal of a given width ({@link liveLines}), and the one plain line for logs ({@link plainLine}).
 *
 * The live region fits its width by dropping, never by cutting counts: the bar shrinks first (down to
 * nothing), then the least important parts of a line go (ETA before rate before pass rate; on the calls
 * line the total calls, failures, retries, 429s — in that order — before the calls backing off now), and
 * only a line whose essential count is itself wider than the terminal is cut.
 *
 * @example
 * ```ts
 * import { liveLines, plainLine } from "./render.js"
 * liveLines(snapshot, 80, makeStyle(false)) // ["██████░░░░ 12/40 30.0% · pass 91.7% · 12.0/s · ETA 2.3s", "judge 3/8 in flight · …"]
 * plainLine(snapshot) // "progress 12/40 30.0% · pass 91.7% · 12.0/s · ETA 2.3s · judge 3/8 in flight, 0 backing off, …"
 * ```
 */
import { formatMillis, percent } from "../report/text.js"
import type { Style } from "../report/style.js"
import type { BatchStats } from "@assay/judge"

/**
 * One client's call counters (the judge's or the target's), as the renderer needs them.
 *
 * @example
 * ```ts
 * const view: CallsView = { label: "judge", calls: 40, inFlight: 3, cap: 8, retries: 1, rateLimited: 2, backingOff: 1, failed: 0 }
 * ```
 */
export interface CallsView {
  readonly label: string
  readonly calls: number
  readonly inFlight: number
  readonly cap: number
  readonly retries: number
  readonly rateLimited: number
  /** Calls waiting out a backoff right now. */
  readonly backingOff: number
  readonly failed: number
  /** In batch mode: the batches' counters (shown instead of the live-call counters). */
  readonly batch?: BatchStats | undefined
}

/**
 * Everything shown about a run at one instant.
 *
 * @example
 * ```ts
 * const snapshot: ProgressSnapshot = { done: 12, total: 40, passed: 11, judged: 12, elapsedMs: 1000, metrics: [], calls: [] }
 * ```
 */
export interface ProgressSnapshot {
  readonly done: number
  /** Cases this run evaluates; undefined when unknown. */
  readonly total: number | undefined
  readonly passed: number
  /** Finished cases that were not skipped (the pass rate's denominator). */
  readonly judged: number
  readonly elapsedMs: number
  readonly metrics: ReadonlyArray<{ readonly name: string; readonly passed: number; readonly ran: number }>
  readonly calls: ReadonlyArray<CallsView>
  /** What the run's model calls cost so far, and its budget (absent: nothing to show). */
  readonly spend?: SpendView | undefined
}

/**
 * Spend so far in USD (`undefined`: unknown, a model without a price was called) and the `--max-cost` budget.
 *
 * @example
 * ```ts
 * const spend: SpendView = { spent: 0.42, limit: 5 } // shown as "$0.42 of $5.00"
 * ```
 */
export interface SpendView {
  readonly spent: number | undefined
  readonly limit: number | undefined
}

/**
 * Dollars as the progress line and the summary show them: cents, or four decimals below a dollar.
 *
 * @example
 * ```ts
 * usd(0.01234) // "$0.0123"
 * ```
 */
export const usd = (amount: number): string => `$${amount >= 1 ? amount.toFixed(2) : amount.toFixed(4)}`

/** The spend part: `$0.0123 of $5.00`, `$0.0123`, or `cost unknown`. */
const spendText = (spend: SpendView): string => {
  const spent = spend.spent === undefined ? "cost unknown" : usd(spend.spent)
  return spend.limit === undefined ? spent : `${spent} of ${usd(spend.limit)}`
}

/** A part of a line; `keep` ranks what stays when the line is too wide (higher stays longer). */
interface Part {
  readonly text: string
  readonly keep: number
}

const SEP = " · "
const BAR_MAX = 30
const BAR_MIN = 6

/** The parts in display order, minus the least kept ones until they fit `width` (the top-ranked one always stays). */
const fit = (parts: ReadonlyArray<Part>, width: number): string => {
  let kept = [...parts]
  const length = (ps: ReadonlyArray<Part>) => ps.reduce((n, p) => n + p.text.length, 0) + SEP.length * Math.max(0, ps.length - 1)
  while (kept.length > 1 && length(kept) > width) {
    const least = kept.reduce((low, p) => (p.keep < low.keep ? p : low))
    kept = kept.filter((p) => p !== least)
  }
  const line = kept.map((p) => p.text).join(SEP)
  return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line
}

const rateOf = (s: ProgressSnapshot) => (s.done * 1000) / Math.max(1, s.elapsedMs)

const fraction = (s: ProgressSnapshot): number | undefined =>
  s.total === undefined || s.total === 0 ? undefined : Math.min(1, s.done / s.total)

/** The overall counts: done/total and percent, pass rate, rate, ETA. */
const overallParts = (s: ProgressSnapshot): ReadonlyArray<Part> => {
  const rate = rateOf(s)
  const parts: Array<Part> = [
    { text: s.total === undefined ? `${s.done} done` : `${s.done}/${s.total} ${percent(fraction(s) ?? 0)}`, keep: 9 },
    { text: `pass ${percent(s.judged === 0 ? null : s.passed / s.judged)}`, keep: 8 },
    { text: `${rate.toFixed(1)}/s`, keep: 7 },
    // A budget's spend stays longest after the counts; a spend without a budget goes before the ETA.
    ...(s.spend === undefined ? [] : [{ text: spendText(s.spend), keep: s.spend.limit === undefined ? 5 : 8.5 }])
  ]
  if (s.total !== undefined && s.done > 0 && s.done < s.total) {
    parts.push({ text: `ETA ${formatMillis(((s.total - s.done) / rate) * 1000)}`, keep: 6 })
  }
  return parts
}

/**
 * One client's batch counters: batches in progress, ended and submitted always stay, then the requests still
 * waiting, the time spent waiting, the requests sent and those that failed.
 */
const batchParts = (label: string, b: BatchStats): ReadonlyArray<Part> => [
  { text: `${label} batches ${b.inProgress} in progress, ${b.ended} done of ${b.submitted}`, keep: 9 },
  { text: `${b.waiting} requests waiting`, keep: 8 },
  { text: `waited ${formatMillis(b.waitingMillis)}`, keep: 7 },
  { text: `${b.requests} requests sent`, keep: 6 },
  ...(b.failed > 0 ? [{ text: `${b.failed} failed`, keep: 5 }] : [])
]

/** One client's call counters; in flight against the cap always stays, then the calls backing off now. */
const callParts = (c: CallsView): ReadonlyArray<Part> => c.batch !== undefined ? batchParts(c.label, c.batch) : [
  { text: `${c.label} ${c.inFlight}/${c.cap} in flight`, keep: 9 },
  { text: `${c.backingOff} backing off`, keep: 8 },
  { text: `${c.rateLimited}×429`, keep: 7 },
  { text: `${c.retries} retries`, keep: 6 },
  ...(c.failed > 0 ? [{ text: `${c.failed} failed`, keep: 5 }] : []),
  { text: `${c.calls} calls`, keep: 4 }
]

const metricsText = (s: ProgressSnapshot) => s.metrics.map((m) => `${m.name} ${m.passed}/${m.ran}`).join(" ")

/** The bar of `width` cells, or nothing. */
const bar = (f: number | undefined, width: number, style: Style): string => {
  if (f === undefined || width < BAR_MIN) return ""
  const full = Math.round(f * width)
  return `${style.green("█".repeat(full))}${style.dim("░".repeat(width - full))} `
}

/**
 * The live region at `width` columns: the overall line (with a bar when there is room), a line per client
 * that makes calls, and the per-metric pass counts. No line is wider than `width` (colour codes aside).
 *
 * @example
 * ```ts
 * liveLines(snapshot, 80, makeStyle(true)).join("\n")
 * ```
 */
export const liveLines = (s: ProgressSnapshot, width: number, style: Style): ReadonlyArray<string> => {
  const columns = Math.max(1, width)
  const counts = fit(overallParts(s), columns)
  const room = Math.min(BAR_MAX, columns - counts.length - 1)
  const lines = [`${bar(fraction(s), room, style)}${counts}`]
  for (const c of s.calls) lines.push(fit(callParts(c), columns))
  const metrics = metricsText(s)
  if (metrics !== "") lines.push(style.dim(fit([{ text: metrics, keep: 1 }], columns)))
  return lines
}

/**
 * The plain line for logs (no colour, no bar, nothing dropped).
 *
 * @example
 * ```ts
 * plainLine(snapshot) // "progress 40/40 100.0% · pass 75.0% · 20.0/s · exact-match 30/40"
 * ```
 */
export const plainLine = (s: ProgressSnapshot): string => {
  const parts = [...overallParts(s).map((p) => p.text)]
  const metrics = metricsText(s)
  if (metrics !== "") parts.push(metrics)
  for (const c of s.calls) parts.push(callParts(c).map((p) => p.text).join(", "))
  return `progress ${parts.join(SEP)}`
}
