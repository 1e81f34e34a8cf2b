/**
 * The results of a run and their stable JSON encoding (`RunResult` is a Schema; the CLI writes it with
 * `--out`). Scores are `null` where a metric was skipped or errored.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { RunResult } from "@assay/core"
 * const json = Schema.encodeSync(RunResult)(result)
 * ```
 */
import { Schema } from "effect"
import { TokenUsage } from "../metric/metric.js"
import { Content } from "../model/content.js"
import { Turn } from "../model/test-case.js"
import { ToolCall } from "../model/tool-call.js"

/**
 * One metric's result on one case.
 *
 * @since 0.1.0
 */
export const MetricResult = Schema.Struct({
  name: Schema.String,
  score: Schema.NullOr(Schema.Number),
  threshold: Schema.Number,
  strict: Schema.Boolean,
  success: Schema.Boolean,
  reason: Schema.NullOr(Schema.String),
  error: Schema.NullOr(Schema.String),
  skipped: Schema.Boolean,
  cached: Schema.Boolean,
  cost: Schema.Number,
  tokens: TokenUsage,
  durationMs: Schema.Number,
  verbose: Schema.optional(Schema.Array(Schema.String)),
  /**
   * With `repeat` above 1: every epoch's score (null where it skipped or errored), reduced into `score`;
   * `cost`, `tokens` and `durationMs` are then the epochs' sums.
   */
  epochScores: Schema.optional(Schema.Array(Schema.NullOr(Schema.Number)))
})
export type MetricResult = typeof MetricResult.Type

const Strings = Schema.Array(Schema.String)

/**
 * The test case as it was evaluated (after the task, if any, produced its output), in camelCase and without
 * a kind tag: only the fields the case has. Reports and the run store keep it, so a past run shows what the
 * application was asked and what it said.
 *
 * @since 0.1.0
 */
export const CaseContent = Schema.Struct({
  name: Schema.optional(Schema.String),
  input: Schema.optional(Content),
  actualOutput: Schema.optional(Content),
  expectedOutput: Schema.optional(Content),
  context: Schema.optional(Strings),
  retrievalContext: Schema.optional(Strings),
  toolsCalled: Schema.optional(Schema.Array(ToolCall)),
  expectedTools: Schema.optional(Schema.Array(ToolCall)),
  turns: Schema.optional(Schema.Array(Turn)),
  scenario: Schema.optional(Schema.String),
  expectedOutcome: Schema.optional(Schema.String),
  chatbotRole: Schema.optional(Schema.String),
  userDescription: Schema.optional(Schema.String),
  tags: Schema.optional(Strings),
  metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type CaseContent = typeof CaseContent.Type

/**
 * One case's result. `success`: every non-skipped metric passed and at least one ran. `error` is present when
 * the case's task (e.g. the CLI's `--target` call) failed: the case is errored and its metrics did not run.
 * `durationMs`, `cost` and `tokens` include the task's. `testCase` is the case as evaluated (absent in results
 * stored by earlier versions).
 *
 * @since 0.1.0
 */
export const CaseResult = Schema.Struct({
  index: Schema.Number,
  name: Schema.NullOr(Schema.String),
  success: Schema.Boolean,
  skipped: Schema.Boolean,
  errored: Schema.Boolean,
  metrics: Schema.Array(MetricResult),
  durationMs: Schema.Number,
  cost: Schema.Number,
  tokens: TokenUsage,
  error: Schema.optional(Schema.String),
  testCase: Schema.optional(CaseContent),
  /** The cluster runner that produced the result (`host:port`), in a run sharded with `assay run --cluster`. */
  runner: Schema.optional(Schema.String)
})
export type CaseResult = typeof CaseResult.Type

/**
 * A two-sided 95 % confidence interval.
 *
 * @since 0.1.0
 */
export const Interval = Schema.Struct({ low: Schema.Number, high: Schema.Number })
export type Interval = typeof Interval.Type

/**
 * Aggregates of one metric over the run (scores of skipped/errored results excluded).
 *
 * @since 0.1.0
 */
export const MetricSummary = Schema.Struct({
  name: Schema.String,
  count: Schema.Number,
  passed: Schema.Number,
  errored: Schema.Number,
  skipped: Schema.Number,
  mean: Schema.NullOr(Schema.Number),
  min: Schema.NullOr(Schema.Number),
  max: Schema.NullOr(Schema.Number),
  passRate: Schema.NullOr(Schema.Number),
  /** 95 % interval of `mean` (normal approximation); absent below two scores and in older results. */
  meanCI: Schema.optional(Interval),
  /** 95 % Wilson interval of `passRate`; absent when nothing ran and in older results. */
  passRateCI: Schema.optional(Interval)
})
export type MetricSummary = typeof MetricSummary.Type

/**
 * Totals of a run. `passRate` = passed ÷ (passed + failed + errored); null when nothing was scored.
 *
 * @since 0.1.0
 */
export const RunSummary = Schema.Struct({
  total: Schema.Number,
  passed: Schema.Number,
  failed: Schema.Number,
  errored: Schema.Number,
  skipped: Schema.Number,
  passRate: Schema.NullOr(Schema.Number),
  /** 95 % Wilson interval of `passRate`; absent when nothing was scored and in older results. */
  passRateCI: Schema.optional(Interval),
  durationMs: Schema.Number,
  cost: Schema.Number,
  tokens: TokenUsage,
  metrics: Schema.Array(MetricSummary)
})
export type RunSummary = typeof RunSummary.Type

/**
 * A case the run did not finish (deadline or cost budget reached, or run interrupted).
 *
 * @since 0.1.0
 */
export const UnfinishedCase = Schema.Struct({ index: Schema.Number, name: Schema.NullOr(Schema.String) })
export type UnfinishedCase = typeof UnfinishedCase.Type

/**
 * The whole run: cases in input order.
 *
 * @since 0.1.0
 */
export const RunResult = Schema.Struct({
  runId: Schema.NullOr(Schema.String),
  identifier: Schema.NullOr(Schema.String),
  /** `budget`: the run's `maxCost` was reached; the rest are unfinished (resumable with a higher budget). */
  status: Schema.Literal("completed", "deadline", "cancelled", "budget"),
  summary: RunSummary,
  cases: Schema.Array(CaseResult),
  unfinished: Schema.Array(UnfinishedCase)
})
export type RunResult = typeof RunResult.Type
