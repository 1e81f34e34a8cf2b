/** Test helpers: cases and metrics whose timing is driven by the TestClock. */
import { type Duration, Effect, Exit } from "effect"
import { LLMTestCase, Metric, MetricError } from "@assay/core"

/** n single-turn cases named c0…c(n-1); `actualOutput` is the index as a string. */
export const makeCases = (n: number): Array<LLMTestCase> =>
  Array.from({ length: n }, (_, i) => LLMTestCase.make({ name: `c${i}`, input: `q${i}`, actualOutput: String(i), expectedOutput: String(i) }))

/** Index of a case built by makeCases. */
export const indexOf = (c: { readonly name?: string | undefined }): number => Number(c.name!.slice(1))

/** A probe that counts metric executions in flight per case and overall. */
export const makeProbe = () => {
  const state = { inFlightCases: new Map<number, number>(), maxCases: 0, started: 0, finished: 0, interrupted: 0 }
  const enter = (i: number) => {
    state.started++
    state.inFlightCases.set(i, (state.inFlightCases.get(i) ?? 0) + 1)
    state.maxCases = Math.max(state.maxCases, state.inFlightCases.size)
  }
  const leave = (i: number) => {
    const n = state.inFlightCases.get(i)! - 1
    if (n === 0) state.inFlightCases.delete(i)
    else state.inFlightCases.set(i, n)
  }
  /** A metric that sleeps `delay(i)` then scores `score(i)` (or fails when `fails(i)`). */
  const metric = (opts: {
    readonly name?: string
    readonly delay: (i: number) => Duration.DurationInput
    readonly score?: (i: number) => number
    readonly fails?: (i: number) => boolean
  }) =>
    Metric.make({
      name: opts.name ?? "probe",
      measure: (c) => {
        const i = indexOf(c)
        return Effect.sync(() => enter(i)).pipe(
          Effect.zipRight(Effect.sleep(opts.delay(i))),
          Effect.zipRight(
            opts.fails?.(i) === true
              ? Effect.fail(new MetricError({ metric: opts.name ?? "probe", message: `boom ${i}` }))
              : Effect.succeed({ score: opts.score?.(i) ?? 1, reason: `case ${i}` })
          ),
          Effect.onExit((exit) =>
            Effect.sync(() => {
              leave(i)
              if (Exit.isInterrupted(exit)) state.interrupted++
              else state.finished++
            })
          )
        )
      }
    })
  return { state, metric }
}
