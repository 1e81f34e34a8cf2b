/**
 * The bookkeeping of one case in flight: its metric results as they arrive, and the CaseResult they make.
 *
 * @example
 * ```ts
 * const state = newCaseState(0, testCase, 3, startedAt)
 * state.results[1] = metricResult
 * const result = toCaseResult(state)
 * ```
 */
import type { CachedOutcome } from "../cache/eval-cache.js"
import type { TestCase } from "../model/test-case.js"
import { caseContent } from "../result/case-content.js"
import type { CaseResult, MetricResult } from "../result/run-result.js"
import type { TaskSlot } from "./task-outputs.js"

/** Mutable state of a case in flight; only the engine touches it. */
export interface CaseState {
  readonly index: number
  /** The case as measured: replaced by the task's output when the run has a task. */
  testCase: TestCase
  readonly startedAt: number
  readonly results: Array<MetricResult | undefined>
  /** The case's cache key, when a cache is provided (with a task: set once the task produced the case). */
  cacheKey: string | undefined
  /** What the task spent producing the case (undefined without a task). */
  taskSpend: { readonly cost: number; readonly input: number; readonly output: number } | undefined
  /** The case's kept and fresh task outputs, when the run keeps them (shared with its epochs' states). */
  task: TaskSlot | undefined
  /** Why the task failed: the case is errored and its metrics do not run. */
  taskError: string | undefined
  /** Fresh successful outcomes by metric tag, to write to the cache when the case finishes. */
  fresh: Record<string, CachedOutcome> | undefined
  /** I/O metrics still running. */
  remaining: number
  /** Which epoch of the case this state measures (`epochs.ts`); undefined for the case's own state. */
  epoch: number | undefined
  /** When the case's last metric finished (set by its worker; the result is delivered a little later). */
  finishedAt: number
}

/**
 * A fresh state for a case with `metricCount` metrics.
 *
 * @example
 * ```ts
 * newCaseState(4, testCase, 2, 0, undefined) // no cache
 * ```
 */
export const newCaseState = (
  index: number,
  testCase: TestCase,
  metricCount: number,
  startedAt: number,
  cacheKey: string | undefined
): CaseState => ({
  index,
  testCase,
  startedAt,
  results: new Array(metricCount),
  cacheKey,
  taskSpend: undefined,
  task: undefined,
  taskError: undefined,
  fresh: undefined,
  remaining: 0,
  epoch: undefined,
  finishedAt: startedAt
})

/**
 * The result of a finished case: it passes when every metric that ran passed (and at least one ran); it is
 * skipped when no metric ran; it is errored when any metric errored or its task failed. Its totals include
 * the task's spend. It carries the case as measured (`testCase`).
 *
 * @example
 * ```ts
 * toCaseResult(state).success
 * ```
 */
export const toCaseResult = (state: CaseState): CaseResult => {
  if (state.taskError !== undefined) return taskErroredResult(state, state.taskError)
  const metrics = state.results as ReadonlyArray<MetricResult>
  let ran = 0
  let allPassed = true
  let errored = false
  let cost = state.taskSpend?.cost ?? 0
  let input = state.taskSpend?.input ?? 0
  let output = state.taskSpend?.output ?? 0
  for (const m of metrics) {
    cost += m.cost
    input += m.tokens.input
    output += m.tokens.output
    if (m.skipped) continue
    ran++
    if (m.error !== null) errored = true
    if (!m.success) allPassed = false
  }
  return {
    index: state.index,
    name: state.testCase.name ?? null,
    success: ran > 0 && allPassed,
    skipped: ran === 0,
    errored,
    metrics,
    durationMs: state.finishedAt - state.startedAt,
    cost,
    tokens: { input, output },
    testCase: caseContent(state.testCase)
  }
}

/** A case whose task failed: errored, no metric results. */
const taskErroredResult = (state: CaseState, error: string): CaseResult => ({
  index: state.index,
  name: state.testCase.name ?? null,
  success: false,
  skipped: false,
  errored: true,
  metrics: [],
  durationMs: state.finishedAt - state.startedAt,
  cost: state.taskSpend?.cost ?? 0,
  tokens: { input: state.taskSpend?.input ?? 0, output: state.taskSpend?.output ?? 0 },
  error,
  testCase: caseContent(state.testCase)
})
