/**
 * The public entry points: `evaluate` (all results, in input order — asyncio's gather), `evaluateStream`
 * (results as they complete — asyncio's as_completed) and `evaluateToSinks` (results only to the options'
 * `onResults`/`onResult` sinks, never collected: memory independent of the number of cases).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { evaluate, exactMatch, LLMTestCase } from "@assay/core"
 * const program = evaluate([LLMTestCase.make({ input: "2+2", actualOutput: "4", expectedOutput: "4" })], [exactMatch()])
 * const result = await Effect.runPromise(program) // result.summary.passRate === 1
 * ```
 */
import { Effect, Exit, Mailbox, Stream } from "effect"
import type { Metric } from "../metric/metric.js"
import type { CaseResult, RunResult, RunSummary, UnfinishedCase } from "../result/run-result.js"
import type { EvalError } from "./errors.js"
import type { EvalOptions } from "./options.js"
import { runEngine } from "./run.js"
import type { CaseSource } from "./source.js"

/**
 * Score every case with every metric; the result lists cases in input order. Fails fast with an
 * {@link EvalError} unless errors are ignored or within `maxErrors`.
 *
 * @example
 * ```ts
 * const result = yield* evaluate(cases, [exactMatch(), bleu()], { concurrency: 10 })
 * ```
 * @since 0.1.0
 */
export const evaluate = <R, E = never, RS = never, RT = never>(
  source: CaseSource<E, RS>,
  metrics: ReadonlyArray<Metric<R>>,
  options: EvalOptions<RT> = {}
): Effect.Effect<RunResult, EvalError | E, R | RS | RT> =>
  Effect.gen(function*() {
    const cases: Array<CaseResult> = []
    const run = yield* runEngine(source, metrics, options, (result) => Effect.sync(() => void cases.push(result)))
    cases.sort((a, b) => a.index - b.index)
    return {
      runId: options.runId ?? null,
      identifier: options.identifier ?? null,
      status: run.status,
      summary: run.summary,
      cases,
      unfinished: run.unfinished
    }
  })

/**
 * A run's outcome without its case results (they went to the sinks).
 *
 * @example
 * ```ts
 * const outcome: RunOutcome = yield* evaluateToSinks(cases, metrics, { onResults })
 * ```
 * @since 0.1.0
 */
export interface RunOutcome {
  readonly runId: string | null
  readonly identifier: string | null
  readonly status: RunResult["status"]
  readonly summary: RunSummary
  readonly unfinished: ReadonlyArray<UnfinishedCase>
}

/**
 * Score every case, handing each result only to `options.onResults` / `options.onResult` (completion order)
 * and keeping none: the outcome holds the summary, accumulated as results arrive. Fails like {@link evaluate}.
 *
 * @example
 * ```ts
 * const outcome = yield* evaluateToSinks(stream, [exactMatch()], { onResult: (r) => Console.log(r.index) })
 * ```
 * @since 0.1.0
 */
export const evaluateToSinks = <R, E = never, RS = never, RT = never>(
  source: CaseSource<E, RS>,
  metrics: ReadonlyArray<Metric<R>>,
  options: EvalOptions<RT> = {}
): Effect.Effect<RunOutcome, EvalError | E, R | RS | RT> =>
  Effect.map(runEngine(source, metrics, options, () => Effect.void), (run) => ({
    runId: options.runId ?? null,
    identifier: options.identifier ?? null,
    status: run.status,
    summary: run.summary,
    unfinished: run.unfinished
  }))

/**
 * Score every case, emitting each case result as soon as it finishes (completion order). The stream ends when
 * every case is done or the deadline passes; it fails like {@link evaluate}. Stopping the stream early
 * interrupts the run.
 *
 * @example
 * ```ts
 * yield* evaluateStream(Stream.fromIterable(cases), metrics).pipe(Stream.runForEach((r) => Console.log(r.index)))
 * ```
 * @since 0.1.0
 */
export const evaluateStream = <R, E = never, RS = never, RT = never>(
  source: CaseSource<E, RS>,
  metrics: ReadonlyArray<Metric<R>>,
  options: EvalOptions<RT> = {}
): Stream.Stream<CaseResult, EvalError | E, R | RS | RT> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      // A bounded Mailbox: workers wait when the consumer is slow; `done` ends or fails the stream after
      // everything offered before it has been read.
      const out = yield* Mailbox.make<CaseResult, EvalError | E>(1024)
      yield* runEngine(source, metrics, options, (result) => out.offer(result)).pipe(
        Effect.exit,
        Effect.flatMap((exit) => out.done(Exit.asVoid(exit))),
        Effect.forkScoped
      )
      return Mailbox.toStream(out)
    })
  )
