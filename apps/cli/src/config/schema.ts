/**
 * The `assay.config.json` / `assay.config.yaml` file: metrics with parameters and thresholds, the judge, the
 * target under test and run options. Every field is optional; command-line flags override it.
 *
 * @example
 * ```yaml
 * metrics:
 *   - exact-match
 *   - { metric: levenshtein, threshold: 0.8 }
 * judge: openai:gpt-4o-mini
 * concurrency: 10
 * timeout: 30s
 * maxErrors: 10%
 * minPassRate: 80%
 * hyperparameters: { prompt: v3 }
 * ```
 */
import { Schema } from "effect"
import { Budget, Concurrency, Connections, Pause, PerMinute, Rate, Repeat, Retries, TimeLimit } from "./values.js"

/**
 * A metric reference: its id, or an object `{ metric: id, ...params }`.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(MetricEntry)({ metric: "rouge", variant: "rougeL" })
 * ```
 */
export const MetricEntry = Schema.Union(
  Schema.String,
  Schema.Struct({ metric: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
)
export type MetricEntry = typeof MetricEntry.Type

/**
 * The system under test: a model that produces `actualOutput` from `input`.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(TargetConfig)({ model: "openai:gpt-4o-mini", prompt: "Q: {{input}}" })
 * ```
 */
export const TargetConfig = Schema.Struct({
  /** `openai:<model>` */
  model: Schema.String,
  /** Prompt template; `{{input}}` is replaced by the case's input (default: the input alone). */
  prompt: Schema.optional(Schema.String),
  baseUrl: Schema.optional(Schema.String),
  /** Part of the task cache key: bump it to produce every case again. */
  version: Schema.optional(Schema.String)
})
export type TargetConfig = typeof TargetConfig.Type

/**
 * The whole config file.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(AssayConfig)({ metrics: ["exact-match"], timeout: "30s" })
 * ```
 */
export const AssayConfig = Schema.Struct({
  metrics: Schema.optional(Schema.Array(MetricEntry)),
  judge: Schema.optional(Schema.String),
  target: Schema.optional(Schema.Union(Schema.String, TargetConfig)),
  concurrency: Schema.optional(Concurrency),
  throttle: Schema.optional(Pause),
  ignoreErrors: Schema.optional(Schema.Boolean),
  skipOnMissingParams: Schema.optional(Schema.Boolean),
  maxErrors: Schema.optional(Budget),
  timeout: Schema.optional(TimeLimit),
  deadline: Schema.optional(TimeLimit),
  repeat: Schema.optional(Repeat),
  maxConnections: Schema.optional(Connections),
  rpm: Schema.optional(PerMinute),
  tpm: Schema.optional(PerMinute),
  maxRetries: Schema.optional(Retries),
  attemptTimeout: Schema.optional(TimeLimit),
  callDeadline: Schema.optional(TimeLimit),
  minPassRate: Schema.optional(Rate),
  cache: Schema.optional(Schema.String),
  /** Record every model call into this JSONL file (`--record`). */
  record: Schema.optional(Schema.String),
  /** Answer every model call from this recording, with no network (`--replay`). */
  replay: Schema.optional(Schema.String),
  /** No network at all (`--offline`). */
  offline: Schema.optional(Schema.Boolean),
  identifier: Schema.optional(Schema.String),
  hyperparameters: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type AssayConfig = typeof AssayConfig.Type
