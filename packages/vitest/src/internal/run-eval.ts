/**
 * Run an Eval (`Eval.make` from @assay/core) as `runEval` does — its cases, its task, its metrics, its layer —
 * while keeping the case each input index was measured as (the task's output merged in), so a failure table
 * can show input, expected and actual output even though case results do not carry their test case yet.
 *
 * @example
 * ```ts
 * const { result, cases } = yield* runEvalKeepingCases(myEval)
 * ```
 */
import {
  evalCases,
  evaluate,
  type Eval,
  type EvalError,
  type InvalidTestCase,
  type RunEvalOptions,
  type RunResult,
  type Task,
  type TestCase,
  toEngineTask
} from "@assay/core"
import { Effect, Stream } from "effect"

/** A run's result and the case each input index was measured as. */
export interface EvalRun {
  readonly result: RunResult
  readonly cases: ReadonlyMap<number, TestCase>
}

/**
 * Run an Eval with `options` over its own (as `runEval`), keeping every case as measured.
 *
 * @example
 * ```ts
 * const { result } = yield* runEvalKeepingCases(capitals, { concurrency: 4 })
 * ```
 */
export const runEvalKeepingCases = <E, E2 = never>(
  ev: Eval.Eval<never, E>,
  options: RunEvalOptions<E2, never> = {}
): Effect.Effect<EvalRun, EvalError | InvalidTestCase | E | E2> =>
  Effect.suspend(() => {
    const cases = new Map<number, TestCase>()
    const { loadDataset, ...engine } = options
    let next = 0
    const source = Stream.tap(evalCases(ev, loadDataset), (c) => Effect.sync(() => void cases.set(next++, c)))
    const produce = ev.task === undefined ? undefined : toEngineTask(ev.task)
    const task: Task | undefined = produce === undefined
      ? undefined
      : (testCase, index) => Effect.tap(produce(testCase, index), (output) => void cases.set(index, output.testCase))
    const run = evaluate(source, ev.metrics, { ...ev.options, ...engine, ...(task === undefined ? {} : { task }) })
    return Effect.map(ev.layer === undefined ? run : Effect.provide(run, ev.layer), (result) => ({ result, cases }))
  })
