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
import type { RunOutcome } from "@assay/core"
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
  /** Set the exit code of a finished run, printing first why it is what it is. */
  static settle = (result: RunOutcome, minPassRate: number | null) =>
    Effect.zipRight(
      Effect.forEach([...notices(result), reason(result, minPassRate)], (line) => Console.error(line), { discard: true }),
      ExitStatus.set(verdict(result, minPassRate))
    )
}

/**
 * A warning about a run that evaluated nothing (an empty dataset); why a gate fails on it is {@link reason}'s.
 *
 * @example
 * ```ts
 * notices(emptyResult, 0.9) // ["warning: the dataset has no cases: nothing was evaluated"]
 * ```
 */
export const notices = (result: RunOutcome): ReadonlyArray<string> =>
  result.summary.total === 0 ? ["warning: the dataset has no cases: nothing was evaluated"] : []

const pct = (rate: number) => `${Math.round(rate * 1000) / 10}%`

/**
 * Why a finished run exits as it does, in one line that starts with the exit code.
 *
 * @example
 * ```ts
 * reason(result, 0.7) // "exit 0: pass rate 75% ≥ the minimum 70% (--min-pass-rate)"
 * ```
 */
export const reason = (result: RunOutcome, minPassRate: number | null): string => {
  const s = result.summary
  const code = verdict(result, minPassRate)
  if (result.status === "budget") return `exit ${code}: the cost budget (--max-cost) was reached with ${result.unfinished.length} cases unfinished`
  const bad = s.failed + s.errored
  if (minPassRate !== null && s.passRate === null) {
    return `exit ${code}: --min-pass-rate ${pct(minPassRate)}: nothing was scored, so the gate fails`
  }
  const gate = minPassRate === null ? null : `the minimum ${pct(minPassRate)} (--min-pass-rate)`
  if (bad === 0 && result.unfinished.length === 0) return `exit ${code}: every scored case passed (${s.passed} of ${s.total})`
  if (gate !== null && s.passRate !== null) return `exit ${code}: pass rate ${pct(s.passRate)} ${code === 0 ? "≥" : "<"} ${gate}`
  const unfinished = result.unfinished.length > 0 ? `, ${result.unfinished.length} unfinished` : ""
  return `exit ${code}: ${bad} of ${s.total} cases failed or errored${unfinished}; no --min-pass-rate gate allows that`
}

/**
 * The exit code of a run the cost budget (`--max-cost`) stopped before every case ran.
 *
 * @example
 * ```ts
 * verdict({ ...result, status: "budget" }, null) // 4
 * ```
 */
export const BUDGET_REACHED = 4

/**
 * The exit code of a finished run: 4 when the cost budget stopped it; 0 when every case passed (or the pass rate reached `minPassRate`), else 1.
 * A `minPassRate` gate fails a run that scored nothing (a CI gate must not pass on an empty dataset).
 *
 * @example
 * ```ts
 * verdict(result, null) // 1 when any case failed or errored
 * ```
 */
export const verdict = (result: RunOutcome, minPassRate: number | null): number => {
  if (result.status === "budget") return BUDGET_REACHED
  const s = result.summary
  if (minPassRate !== null && s.passRate === null) return 1
  if (s.failed + s.errored === 0 && result.unfinished.length === 0) return 0
  if (minPassRate !== null && s.passRate !== null && s.passRate >= minPassRate) return 0
  return 1
}
