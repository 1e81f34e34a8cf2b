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
import { Effect, Ref } from "effect"

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
}

/**
 * The exit code of a finished run: 0 when every case passed (or the pass rate reached `minPassRate`), else 1.
 *
 * @example
 * ```ts
 * verdict(result, null) // 1 when any case failed or errored
 * ```
 */
export const verdict = (result: RunResult, minPassRate: number | null): number => {
  const s = result.summary
  if (s.failed + s.errored === 0 && result.unfinished.length === 0) return 0
  if (minPassRate !== null && s.passRate !== null && s.passRate >= minPassRate) return 0
  return 1
}
