/**
 * The call counters of the clients a run talks to (the judge, the target): as {@link CallsView}s for the
 * progress display, and as the run's closing `calls:` line.
 *
 * @example
 * ```ts
 * import { callsLine, callsViews } from "./calls.js"
 * const views = yield* callsViews([{ label: "judge", stats: judge.stats }])
 * const line = yield* callsLine([{ label: "target", stats: target.stats }]) // "target 40 calls · 0 retries · …"
 * ```
 */
import type { JudgeStats } from "@assay/judge"
import { Effect } from "effect"
import type { CallsView } from "./render.js"

/**
 * A client whose calls are shown: its label and its counters.
 *
 * @example
 * ```ts
 * const client: CallClient = { label: "judge", stats: judge.stats }
 * ```
 */
export interface CallClient {
  readonly label: string
  readonly stats: Effect.Effect<JudgeStats>
}

/**
 * A client's counters as one text: calls, retries after failures, 429s (waited out, counted apart), failed
 * calls and the adaptive connection cap. Empty when the client has no call policy.
 *
 * @example
 * ```ts
 * judgeStatus(stats) // "judge 120 calls · 3 retries · 2×429 · cap 4 (3 in flight)"
 * judgeStatus(stats, "target") // "target 40 calls · 0 retries · 9×429 · 1 failed · cap 2 (0 in flight)"
 * ```
 */
export const judgeStatus = (stats: JudgeStats, label = "judge"): string => {
  const p = stats.policy
  const b = stats.batch
  if (b !== undefined) {
    // Batch mode: batches and requests, and the cost at the batch price beside what it would have been live.
    return `${label} ${b.submitted} batches · ${b.requests} requests${b.failed > 0 ? ` · ${b.failed} failed` : ""}` +
      ` · cost $${stats.cost.toFixed(4)} (live $${(stats.liveCost ?? stats.cost).toFixed(4)})`
  }
  return p === undefined
    ? ""
    : `${label} ${p.calls} calls · ${p.retries} retries · ${p.rateLimited}×429${p.failed > 0 ? ` · ${p.failed} failed` : ""}` +
      ` · cap ${p.cap} (${p.inFlight} in flight)`
}

/**
 * The clients' counters for the renderer (clients without a call policy left out).
 *
 * @example
 * ```ts
 * const views = yield* callsViews(clients)
 * ```
 */
export const callsViews = (clients: ReadonlyArray<CallClient>): Effect.Effect<ReadonlyArray<CallsView>> =>
  Effect.map(
    Effect.forEach(clients, (c) => Effect.map(c.stats, (s) => ({ label: c.label, policy: s.policy, batch: s.batch }))),
    (all) =>
      all.flatMap(({ batch, label, policy: p }) =>
        p === undefined
          ? []
          : [{ label, calls: p.calls, inFlight: p.inFlight, cap: p.cap, retries: p.retries, rateLimited: p.rateLimited, backingOff: p.backingOff, failed: p.failed, batch }]
      )
  )

/**
 * The run's closing `calls:` text, undefined when the run made no calls through a client.
 *
 * @example
 * ```ts
 * const line = yield* callsLine(clients) // "judge 120 calls · … · target 40 calls · …"
 * ```
 */
export const callsLine = (clients: ReadonlyArray<CallClient>): Effect.Effect<string | undefined> =>
  Effect.map(
    Effect.forEach(clients, (c) => Effect.map(c.stats, (s) => judgeStatus(s, c.label))),
    (lines) => (clients.length === 0 ? undefined : lines.filter((l) => l !== "").join(" · "))
  )
