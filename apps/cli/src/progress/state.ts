/**
 * Progress counters of a run: done, passed, per-metric pass counts, turned into a {@link ProgressSnapshot} for
 * the renderer (`./render.ts`).
 *
 * @example
 * ```ts
 * import { ProgressState } from "./state.js"
 * const state = new ProgressState(40, 0)
 * state.add(caseResult)
 * state.snapshot(1_000, []) // { done: 1, total: 40, passed: 1, judged: 1, elapsedMs: 1000, … }
 * ```
 */
import type { CaseResult } from "@assay/core"
import type { CallsView, ProgressSnapshot, SpendView } from "./render.js"

/**
 * Mutable counters; only the progress reporter touches them.
 *
 * @example
 * ```ts
 * const state = new ProgressState(10, 0); state.add(result); state.snapshot(2000, [])
 * ```
 */
export class ProgressState {
  done = 0
  passed = 0
  judged = 0
  private readonly metrics = new Map<string, { passed: number; ran: number }>()

  constructor(readonly total: number | undefined, readonly startedAt: number) {}

  /** Count one finished case. */
  add(result: CaseResult): void {
    this.done++
    if (!result.skipped) {
      this.judged++
      if (result.success) this.passed++
    }
    for (const m of result.metrics) {
      if (m.skipped) continue
      const acc = this.metrics.get(m.name) ?? { passed: 0, ran: 0 }
      acc.ran++
      if (m.success) acc.passed++
      this.metrics.set(m.name, acc)
    }
  }

  /** Everything the renderer shows, at time `now` (ms), with the clients' call counters. */
  snapshot(now: number, calls: ReadonlyArray<CallsView>, spend?: SpendView): ProgressSnapshot {
    return {
      done: this.done,
      total: this.total,
      passed: this.passed,
      judged: this.judged,
      elapsedMs: Math.max(0, now - this.startedAt),
      metrics: [...this.metrics].map(([name, m]) => ({ name, passed: m.passed, ran: m.ran })),
      calls,
      ...(spend === undefined ? {} : { spend })
    }
  }
}
