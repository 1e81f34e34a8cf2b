/**
 * Run options: deepeval's AsyncConfig + ErrorConfig, plus budgets, deadlines and repeats.
 *
 * @example
 * ```ts
 * evaluate(cases, metrics, { concurrency: 50, throttle: "100 millis", ignoreErrors: true, timeout: "30 seconds" })
 * ```
 */
import type { Duration, Effect } from "effect"
import type { TokenUsage } from "../metric/metric.js"
import type { TestCase } from "../model/test-case.js"
import type { CaseResult } from "../result/run-result.js"
import type { SinkError } from "./errors.js"

/**
 * What a task made of a case: the case to measure (e.g. with the system under test's output filled in) and
 * what producing it cost.
 *
 * @example
 * ```ts
 * const out: TaskOutput = { testCase: { ...testCase, actualOutput: "Paris" }, cost: 0.0001, tokens: { input: 12, output: 1 } }
 * ```
 * @since 0.1.0
 */
export interface TaskOutput {
  readonly testCase: TestCase
  readonly cost?: number | undefined
  readonly tokens?: TokenUsage | undefined
}

/**
 * The stage before a case's metrics: runs in the case's worker (under `concurrency`, `timeout` and the
 * deadline). Its failure — a typed error or a defect — is an error on that case under the run's error policy,
 * like a metric's; its time, cost and tokens count in the case's totals. `index` is the case's input index.
 *
 * @example
 * ```ts
 * const task: Task<Model> = (c) => Effect.map(Model.answer(c), (text) => ({ testCase: { ...c, actualOutput: text } }))
 * ```
 * @since 0.1.0
 */
export type Task<R = never> = (testCase: TestCase, index: number) => Effect.Effect<TaskOutput, unknown, R>

/**
 * How a metric's scores over a case's epochs (`repeat`) are combined: `mean`, `min`, `pass@k` (passes when any
 * epoch passed) or `pass^k` (passes only when every epoch passed). See `epochs.ts`.
 *
 * @since 0.1.0
 */
export type RepeatReducer = "mean" | "min" | "pass@k" | "pass^k"

/**
 * Options of a run; every field is optional. `R` is what the `task` needs.
 *
 * @since 0.1.0
 */
export interface EvalOptions<R = never> {
  /**
   * Produce each case before it is measured (call the system under test). With a task, cache lookups happen
   * after it, on the case it produced.
   */
  readonly task?: Task<R> | undefined
  /** Cases in flight at once (default 20). A case's metrics run concurrently inside that bound. */
  readonly concurrency?: number | undefined
  /** Pause between case starts (default none). */
  readonly throttle?: Duration.DurationInput | undefined
  /** Record a metric error on that metric instead of failing the run. */
  readonly ignoreErrors?: boolean | undefined
  /** A metric whose required fields are missing is skipped instead of erroring. */
  readonly skipOnMissingParams?: boolean | undefined
  /**
   * Errored cases tolerated before the run fails: a count (e.g. 5) or a fraction of all cases (e.g. 0.1,
   * any value below 1). Within the budget errors are recorded as with `ignoreErrors`.
   */
  readonly maxErrors?: number | undefined
  /** Time limit for one metric (and the task) on one case; exceeding it is an error on that case. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Time limit for the whole run: finished results are kept, the rest are listed as unfinished. */
  readonly deadline?: Duration.DurationInput | undefined
  /**
   * Spending limit for the whole run in USD, over every priced model call (judge and target): a call starts
   * only when its worst-case cost fits; once one does not, calls in flight finish, the finished results are
   * kept and the run ends with status `budget`, the rest unfinished (see `cost-budget.ts`). A `CostBudget`
   * service in the context (the CLI's, which counts a resumed run's earlier spend) takes its place.
   */
  readonly maxCost?: number | undefined
  /**
   * Epochs per case (default 1). With a `task`, each epoch re-runs the task and then the metrics on that
   * epoch's output; without one, every metric is measured this many times on the case as given. Each metric's
   * epoch scores are combined by `repeatReducer` (default mean) and kept in its `epochScores`. Runs with
   * epochs neither read nor write the metric cache: fresh samples are their point (a judge's reply cache,
   * keyed by epoch, still replays each sample).
   */
  readonly repeat?: number | undefined
  /** See {@link RepeatReducer}. */
  readonly repeatReducer?: RepeatReducer | undefined
  /** Part of every cache key (prompt version, model under test…). */
  readonly hyperparameters?: Readonly<Record<string, unknown>> | undefined
  /** Copied into the RunResult. */
  readonly runId?: string | undefined
  readonly identifier?: string | undefined
  /** Cases to leave out (e.g. already finished in a resumed run), by input index. */
  readonly skipIndex?: ((index: number) => boolean) | undefined
  /** Called with each case result as it finishes, before it is emitted (run store, JSONL, progress). */
  readonly onResult?: ((result: CaseResult) => Effect.Effect<void, SinkError>) | undefined
  /**
   * Called with each batch of finished case results, before any of them reaches `onResult`: a sink that
   * commits (the run store) writes a batch in one transaction instead of one per case. Batches hold what
   * finished while the previous one was being written — one case at a time when cases finish slowly.
   */
  readonly onResults?: ((results: ReadonlyArray<CaseResult>) => Effect.Effect<void, SinkError>) | undefined
  /** Called once per case as it is admitted (progress "total" for streamed sources). */
  readonly onCaseStart?: ((index: number) => Effect.Effect<void>) | undefined
}

/**
 * Every {@link RepeatReducer}, in the order help texts list them.
 *
 * @example
 * ```ts
 * REDUCERS.includes("pass^k") // true
 * ```
 * @since 0.1.0
 */
export const REDUCERS: ReadonlyArray<RepeatReducer> = ["mean", "min", "pass@k", "pass^k"]

/**
 * Options with defaults applied.
 *
 * @since 0.1.0
 */
export interface ResolvedOptions {
  readonly concurrency: number
  readonly ignoreErrors: boolean
  readonly skipOnMissingParams: boolean
  readonly repeat: number
  readonly repeatReducer: RepeatReducer
  readonly hyperparameters: Readonly<Record<string, unknown>>
}

/**
 * Apply defaults and validate numbers (a bad value is a defect: options are program input, not data).
 *
 * @example
 * ```ts
 * resolveOptions({}).concurrency // 20
 * ```
 * @since 0.1.0
 */
export const resolveOptions = <R>(options: EvalOptions<R>): ResolvedOptions => {
  const concurrency = options.concurrency ?? 20
  const repeat = options.repeat ?? 1
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`)
  if (!Number.isInteger(repeat) || repeat < 1) throw new RangeError(`repeat must be a positive integer, got ${repeat}`)
  if (options.repeatReducer !== undefined && !REDUCERS.includes(options.repeatReducer)) {
    throw new RangeError(`repeatReducer must be one of ${REDUCERS.join(", ")}, got ${String(options.repeatReducer)}`)
  }
  if (options.maxCost !== undefined && !(options.maxCost >= 0)) throw new RangeError(`maxCost must be ≥ 0, got ${options.maxCost}`)
  if (options.maxErrors !== undefined && !(options.maxErrors >= 0)) throw new RangeError(`maxErrors must be ≥ 0, got ${options.maxErrors}`)
  return {
    concurrency,
    ignoreErrors: options.ignoreErrors ?? false,
    skipOnMissingParams: options.skipOnMissingParams ?? false,
    repeat,
    repeatReducer: options.repeatReducer ?? "mean",
    hyperparameters: options.hyperparameters ?? {}
  }
}
