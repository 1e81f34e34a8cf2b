/**
 * A stand-in for @assay/core's `Eval.make` / `runEval` (being built beside this package): the shape of an Eval
 * value this package runs, and a small adapter that runs one through core's `evaluate`. It keeps the case each
 * task produced, so a failure table can show input, expected and actual output even while case results do not
 * carry their `testCase` yet.
 *
 * @example
 * ```ts
 * const { result, cases } = yield* runEvalKeepingCases(myEval)
 * ```
 */
import { evaluate, type EvalError, type EvalOptions, type Metric, type RunResult, type Task, type TestCase } from "@assay/core"
import { Effect, Layer } from "effect"

/** What an Eval is made of, apart from the Layer (see {@link Eval}). */
export interface EvalSpec<R> {
  /** Names the eval in reports and in the vitest test. */
  readonly name: string
  /** The cases (test cases as `LLMTestCase.make` builds them). */
  readonly data: Iterable<TestCase>
  /** Produces each case's output (the system under test); cases that carry `actualOutput` may do without. */
  readonly task?: Task<R> | undefined
  readonly metrics: ReadonlyArray<Metric.Metric<R>>
  /** Defaults for the run (concurrency, repeat, timeout…); the caller's options override them. */
  readonly options?: Omit<EvalOptions<never>, "task"> | undefined
}

/**
 * An evaluation as a value: cases, the task, metrics, and the Layer that provides what task and metrics need
 * (required as soon as they need anything: a missing service is a type error).
 *
 * @example
 * ```ts
 * const capitals: Eval<Atlas> = { name: "capitals", data, task, metrics: [exactMatch()], layer: AtlasLive }
 * ```
 */
export type Eval<R = never, LE = never> = EvalSpec<R> & ([R] extends [never] ? { readonly layer?: Layer.Layer<never, LE> | undefined }
  : { readonly layer: Layer.Layer<R, LE> })

/** A run's result and the case each input index was measured as (the task's output where there is one). */
export interface EvalRun {
  readonly result: RunResult
  readonly cases: ReadonlyMap<number, TestCase>
}

/**
 * Run an Eval with `options` over its own, keeping every case as measured.
 *
 * @example
 * ```ts
 * const { result } = yield* runEvalKeepingCases(capitals, { concurrency: 4 })
 * ```
 */
export const runEvalKeepingCases = <R, LE>(
  ev: Eval<R, LE>,
  options: Omit<EvalOptions<never>, "task"> = {}
): Effect.Effect<EvalRun, EvalError | LE> =>
  Effect.suspend(() => {
    const cases = new Map<number, TestCase>()
    const data = Array.from(ev.data)
    data.forEach((c, i) => cases.set(i, c))
    const task = ev.task
    const keeping: Task<R> | undefined = task === undefined
      ? undefined
      : (testCase, index) => Effect.tap(task(testCase, index), (output) => void cases.set(index, output.testCase))
    const run = evaluate(data, ev.metrics, { ...ev.options, ...options, ...(keeping === undefined ? {} : { task: keeping }) })
    // The conditional type of `layer` guarantees it provides R whenever R is not never.
    const layer = (ev.layer ?? Layer.empty) as Layer.Layer<R, LE>
    return Effect.map(Effect.provide(run, layer), (result) => ({ result, cases }))
  })
