/**
 * The process exit code a command decided on (0 by default). Commands set it; `main` reads it after the CLI
 * finishes and hands it to the runtime's teardown, so no command ever calls `process.exit`.
 *
 * @example
 * ```ts
 * import { ExitStatus, verdict } from "./exit-status.js"
 * yield* ExitStatus.set(verdict(result, 0.8))
 * ```
 */
import type { RunResult } from "@assay/core"
import { Console, Effect, Ref } from "effect"

/**
 * The exit code service.
 *
 * @example
 * ```ts
 * program.pipe(Effect.zipRight(ExitStatus.set(1)), Effect.provide(ExitStatus.Default))
 * ```
 */
export class ExitStatus extends Effect.Service<ExitStatus>()("assay/cli/ExitStatus", {
  effect: Effect.map(Ref.make(0), (ref) => ({
    set: (code: number) => Ref.set(ref, code),
    get: Ref.get(ref)
  }))
}) {
  /** Set the exit code. */
  static set = (code: number) => Effect.flatMap(ExitStatus, (s) => s.set(code))
  /** Set the exit code of a finished run, printing first why a run that scored nothing passes or fails. */
  static settle = (result: RunResult, minPassRate: number | null) =>
    Effect.zipRight(
      Effect.forEach(notices(result, minPassRate), (line) => Console.error(line), { discard: true }),
      ExitStatus.set(verdict(result, minPassRate))
    )
}

/**
 * Warnings about a run that scored nothing (an empty dataset, or every metric skipped).
 *
 * @example
 * ```ts
 * notices(emptyResult, 0.9) // ["warning: the dataset has no cases", "--min-pass-rate 90%: nothing was scored…"]
 * ```
 */
export const notices = (result: RunResult, minPassRate: number | null): ReadonlyArray<string> => {
  const lines: Array<string> = []
  if (result.summary.total === 0) lines.push("warning: the dataset has no cases: nothing was evaluated")
  if (minPassRate !== null && result.summary.passRate === null && result.unfinished.length === 0) {
    lines.push(`--min-pass-rate ${Math.round(minPassRate * 1000) / 10}%: nothing was scored, so the gate fails (exit 1)`)
  }
  return lines
}

/**
 * The exit code of a finished run: 0 when every case passed (or the pass rate reached `minPassRate`), else 1.
 * A `minPassRate` gate fails a run that scored nothing (a CI gate must not pass on an empty dataset).
 *
 * @example
 * ```ts
 * verdict(result, null) // 1 when any case failed or errored
 * ```
 */
export const verdict = (result: RunResult, minPassRate: number | null): number => {
  const s = result.summary
  if (minPassRate !== null && s.passRate === null) return 1
  if (s.failed + s.errored === 0 && result.unfinished.length === 0) return 0
  if (minPassRate !== null && s.passRate !== null && s.passRate >= minPassRate) return 0
  return 1
}
