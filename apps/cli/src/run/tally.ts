/**
 * A run's outcome accumulated as its results arrive: the summary (`SummaryAccumulator`, memory O(metrics)),
 * which cases finished (one byte per case) and the console report's cases (`ConsoleDigest`, bounded), so the
 * CLI never keeps the results themselves, nor reads them back unless a report file is asked for.
 *
 * @example
 * ```ts
 * import { RunTally } from "./tally.js"
 * const tally = new RunTally(total)
 * tally.add(result)
 * const outcome = tally.outcome(runId, null, "completed", durationMs)
 * ```
 */
import { type CaseResult, type RunOutcome, SummaryAccumulator, type UnfinishedCase } from "@assay/core"
import { ConsoleDigest } from "../report/console.js"

/** A run's summary and finished-case flags, updated as results arrive. */
export class RunTally {
  private readonly summary = SummaryAccumulator.empty()
  private readonly done: Uint8Array
  /** The console report's cases. */
  readonly digest = new ConsoleDigest()
  /** Cases finished, earlier results of a resumed run included. */
  finished = 0

  constructor(private readonly total: number) {
    this.done = new Uint8Array(total)
  }

  /** Whether case `index` has finished (a resumed run does not evaluate it again). */
  has(index: number): boolean {
    return this.done[index] === 1
  }

  /** Count one finished case (a case already counted is not counted again). */
  add(result: CaseResult): void {
    const known = result.index < this.total
    if (known && this.done[result.index] === 1) return
    this.summary.add(result)
    this.digest.add(result)
    if (known) {
      this.done[result.index] = 1
      this.finished++
    }
  }

  /** What the cases added so far cost (USD). */
  get cost(): number {
    return this.summary.summary(0).cost
  }

  /** The outcome so far: every case not added is unfinished. */
  outcome(runId: string, identifier: string | null, status: RunOutcome["status"], durationMs: number): RunOutcome {
    const unfinished: Array<UnfinishedCase> = []
    for (let i = 0; i < this.total; i++) if (this.done[i] === 0) unfinished.push({ index: i, name: null })
    return { runId, identifier, status, summary: this.summary.summary(durationMs), unfinished }
  }
}
