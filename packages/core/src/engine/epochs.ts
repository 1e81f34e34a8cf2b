/**
 * Epochs (`repeat: k`): with a task, a case is run k times — the task, then the metrics on that epoch's
 * output — and each metric's k epoch scores are reduced to one result; without a task, each metric is measured
 * k times on the case as given (`measure.ts`). The reducers:
 *
 * - `mean` (default): the mean score, passing at the metric's threshold;
 * - `min`: the worst score;
 * - `pass@k`: passes when any epoch passed (the best score);
 * - `pass^k`: passes only when every epoch passed (the worst score — it reads as `min`, said as a pass rule).
 *
 * Each epoch runs with its index in {@link currentRepetition}, so a reply cache keyed on it keeps k samples.
 *
 * @example
 * ```ts
 * reduceScores([0.2, 0.9, 0.4], "pass@k") // { score: 0.9, pick: 1 }
 * ```
 */
import { Effect } from "effect"
import { type Metric, passes } from "../metric/metric.js"
import { currentRepetition } from "../metric/repetition.js"
import type { MetricResult } from "../result/run-result.js"
import { type CaseState, newCaseState } from "./case-state.js"
import type { RepeatReducer } from "./options.js"

/**
 * Reduce k epoch scores: the score, and the epoch whose score it is (the first for `mean`), whose reason
 * explains the result.
 *
 * @example
 * ```ts
 * reduceScores([1, 0, 1], "pass^k") // { score: 0, pick: 1 }
 * ```
 */
export const reduceScores = (scores: ReadonlyArray<number>, reducer: RepeatReducer): { readonly score: number; readonly pick: number } => {
  if (reducer === "mean") return { score: scores.reduce((a, b) => a + b, 0) / scores.length, pick: 0 }
  const best = reducer === "pass@k"
  let pick = 0
  for (let i = 1; i < scores.length; i++) if (best ? scores[i]! > scores[pick]! : scores[i]! < scores[pick]!) pick = i
  return { score: scores[pick]!, pick }
}

/**
 * The reason of a reduced result: the reducer, every epoch's score, and the reason of the epoch that decided.
 *
 * @example
 * ```ts
 * reducedReason("min", [0.2, null, 0.9], 0, "too short") // "min of 3 epochs (0.200, -, 0.900); epoch 1: too short"
 * ```
 */
export const reducedReason = (
  reducer: RepeatReducer,
  scores: ReadonlyArray<number | null>,
  pick: number,
  reason: string | null | undefined
): string =>
  `${reducer} of ${scores.length} epochs (${scores.map((s) => (s === null ? "-" : s.toFixed(3))).join(", ")})` +
  (reason ? `; epoch ${pick + 1}: ${reason}` : "")

const sumOf = (results: ReadonlyArray<MetricResult>, f: (r: MetricResult) => number): number => results.reduce((acc, r) => acc + f(r), 0)

/**
 * One metric's result over a case's epochs: errored when an epoch errored, skipped when every epoch skipped,
 * otherwise the reduction of the scored epochs. Cost, tokens and duration are the epochs' sums; `epochScores`
 * lists every epoch's score (null where it skipped or errored).
 *
 * @example
 * ```ts
 * reduceEpochResults(exactMatch(), [pass, fail, fail], "pass@k").success // true
 * ```
 */
export const reduceEpochResults = (
  metric: Metric<unknown>,
  results: ReadonlyArray<MetricResult>,
  reducer: RepeatReducer
): MetricResult => {
  const totals = {
    cost: sumOf(results, (r) => r.cost),
    tokens: { input: sumOf(results, (r) => r.tokens.input), output: sumOf(results, (r) => r.tokens.output) },
    durationMs: sumOf(results, (r) => r.durationMs),
    epochScores: results.map((r) => (r.skipped || r.error !== null ? null : r.score))
  }
  const errored = results.findIndex((r) => r.error !== null)
  if (errored >= 0) return { ...results[errored]!, ...totals, error: `epoch ${errored + 1} of ${results.length}: ${results[errored]!.error}` }
  const scored = results.filter((r) => !r.skipped && r.score !== null)
  if (scored.length === 0) return { ...results[0]!, ...totals }
  const { pick, score } = reduceScores(scored.map((r) => r.score!), reducer)
  const decided = scored[pick]!
  const { verbose: _, ...rest } = decided
  return {
    ...rest,
    ...(decided.verbose === undefined ? {} : { verbose: decided.verbose }),
    ...totals,
    score,
    success: passes(metric, score),
    reason: reducedReason(reducer, totals.epochScores, results.indexOf(decided), decided.reason),
    cached: false
  }
}

/**
 * Fold a case's `repeat` epochs (fewer when a task failed) into its state: the reduced metric results, the
 * tasks' summed spend, the first task error (the case is errored), and the case as measured — from the first epoch where a metric did not pass
 * (the output worth reading), else from the last epoch.
 *
 * @example
 * ```ts
 * foldEpochs(state, epochs, metrics, "mean", 3)
 * ```
 */
export const foldEpochs = (
  state: CaseState,
  epochs: ReadonlyArray<CaseState>,
  metrics: ReadonlyArray<Metric<unknown>>,
  reducer: RepeatReducer,
  repeat: number
): void => {
  let cost = 0
  let input = 0
  let output = 0
  for (const epoch of epochs) {
    cost += epoch.taskSpend?.cost ?? 0
    input += epoch.taskSpend?.input ?? 0
    output += epoch.taskSpend?.output ?? 0
  }
  state.taskSpend = { cost, input, output }
  const failedTask = epochs.find((e) => e.taskError !== undefined)
  if (failedTask !== undefined) {
    state.taskError = `epoch ${failedTask.epoch! + 1} of ${repeat}: ${failedTask.taskError}`
    state.testCase = failedTask.testCase
    return
  }
  for (let i = 0; i < metrics.length; i++) {
    state.results[i] = reduceEpochResults(metrics[i]!, epochs.map((e) => e.results[i]!), reducer)
  }
  const telling = epochs.find((e) => e.results.some((r) => r !== undefined && !r.skipped && !r.success)) ?? epochs[epochs.length - 1]!
  state.testCase = telling.testCase
}

/**
 * Run a case's `repeat` epochs one after another (each a fresh state from the case as given, with its index in
 * {@link currentRepetition}), then fold them into `state`. An epoch whose task failed ends the case: the
 * remaining epochs are not run.
 *
 * @example
 * ```ts
 * runEpochs(state, 3, "pass@k", metrics, (epoch) => produceAndMeasure(epoch))
 * ```
 */
export const runEpochs = <E, R>(
  state: CaseState,
  repeat: number,
  reducer: RepeatReducer,
  metrics: ReadonlyArray<Metric<unknown>>,
  runEpoch: (epoch: CaseState) => Effect.Effect<void, E, R>
): Effect.Effect<void, E, R> => {
  const epochs: Array<CaseState> = []
  const next = (e: number): Effect.Effect<void, E, R> => {
    if (e === repeat || epochs.at(-1)?.taskError !== undefined) {
      return Effect.sync(() => foldEpochs(state, epochs, metrics, reducer, repeat))
    }
    const epoch = newCaseState(state.index, state.testCase, metrics.length, state.startedAt, undefined)
    epoch.epoch = e
    epoch.task = state.task
    epochs.push(epoch)
    return Effect.flatMap(Effect.locally(runEpoch(epoch), currentRepetition, e), () => next(e + 1))
  }
  return Effect.suspend(() => next(0))
}
