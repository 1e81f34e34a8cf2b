/**
 * A run plan: everything that decides what a run computes — dataset, metrics, judge, target, engine options,
 * cache — resolved from command-line flags over the config file over defaults. It is a Schema so the run
 * store can keep it with the run and `assay resume` can rebuild the exact same run.
 *
 * @example
 * ```ts
 * import { resolvePlan, toEvalOptions } from "./plan.js"
 * const plan = resolvePlan("cases.jsonl", flags, config, "/work/project")
 * evaluate(cases, metrics, toEvalOptions(plan))
 * ```
 */
import { type EvalOptions, REDUCERS, type RepeatReducer } from "@assay/core"
import { Duration, Option, Schema } from "effect"
import { resolve } from "node:path"
import { type AssayConfig, MetricEntry, TargetConfig } from "../config/schema.js"

/**
 * The stored, resolved run plan.
 *
 * @example
 * ```ts
 * Schema.encodeSync(RunPlan)(plan) // stored with the run for `assay resume`
 * ```
 */
/**
 * Call-policy settings for judge and target calls that flags or the config gave (absent: the run's own defaults,
 * then `ASSAY_JUDGE_*`, then the library's).
 *
 * @example
 * ```ts
 * const calls: CallLimits = { maxConnections: 16, maxRetries: 2 }
 * ```
 */
export const CallLimits = Schema.Struct({
  maxConnections: Schema.optionalWith(Schema.Number, { exact: true }),
  requestsPerMinute: Schema.optionalWith(Schema.Number, { exact: true }),
  tokensPerMinute: Schema.optionalWith(Schema.Number, { exact: true }),
  maxRetries: Schema.optionalWith(Schema.Number, { exact: true }),
  attemptTimeoutMs: Schema.optionalWith(Schema.Number, { exact: true }),
  callDeadlineMs: Schema.optionalWith(Schema.Number, { exact: true })
})
export type CallLimits = typeof CallLimits.Type

/**
 * A target as the run store keeps it: like {@link TargetConfig}, with headers as `[name, template]` pairs. Their
 * templates hold no secret (credentials are `{{env.NAME}}` references, see `TargetHeaders`), and as pairs they are
 * not masked by name when the plan is stored (an `Authorization` member would be), so `assay resume` sends them.
 *
 * @example
 * ```ts
 * Schema.encodeSync(StoredTarget)({ model: "http://h/ask", headers: { Authorization: "Bearer {{env.T}}" } }).headers // [["Authorization", "Bearer {{env.T}}"]]
 * ```
 */
export const StoredTarget = Schema.transform(
  Schema.Struct({ ...TargetConfig.fields, headers: Schema.optionalWith(Schema.Array(Schema.Tuple(Schema.String, Schema.String)), { exact: true }) }),
  Schema.typeSchema(TargetConfig),
  {
    strict: true,
    decode: ({ headers, ...rest }) => (headers === undefined ? rest : { ...rest, headers: Object.fromEntries(headers) }),
    encode: ({ headers, ...rest }) => (headers === undefined ? rest : { ...rest, headers: Object.entries(headers) })
  }
)

export const RunPlan = Schema.Struct({
  dataset: Schema.String,
  metrics: Schema.Array(MetricEntry),
  judge: Schema.NullOr(Schema.String),
  /** `--embedding-model` (plans stored before this field existed: none, the default model). */
  embeddingModel: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  target: Schema.NullOr(StoredTarget),
  concurrency: Schema.Number,
  throttleMs: Schema.NullOr(Schema.Number),
  timeoutMs: Schema.NullOr(Schema.Number),
  deadlineMs: Schema.NullOr(Schema.Number),
  ignoreErrors: Schema.Boolean,
  skipOnMissingParams: Schema.Boolean,
  maxErrors: Schema.NullOr(Schema.Number),
  repeat: Schema.Number,
  /** How epoch scores combine (plans stored before this field existed: mean). */
  reducer: Schema.optionalWith(Schema.Literal(...REDUCERS), { default: () => "mean" as const }),
  minPassRate: Schema.NullOr(Schema.Number),
  cache: Schema.NullOr(Schema.String),
  /** Judge calls are answered only from the response cache (plans stored before this field existed: false). */
  offline: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Record every model call into this file (plans stored before this field existed: none). */
  record: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** Answer every model call from this recording (plans stored before: none). */
  replay: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** Produce every task output again rather than serve it from the task cache (plans stored before: false). */
  freshTask: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Dataset lines that are not UTF-8 are an error rather than a warning (plans stored before: false). */
  strictInput: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  identifier: Schema.NullOr(Schema.String),
  hyperparameters: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  /** Call-policy settings (plans stored before this field existed: none). */
  calls: Schema.optionalWith(CallLimits, { default: () => ({}) }),
  /** Spending limit in USD for the whole run, earlier spend of a resumed run included (plans stored before: none). */
  maxCost: Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
  /** Config price overrides, USD per 1M tokens by bare model name (plans stored before: none). */
  prices: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Struct({ input: Schema.Number, output: Schema.Number, batchDiscount: Schema.optionalWith(Schema.Number, { exact: true }) }) }), { default: () => ({}) }),
  /** Judge and model-target calls go through the providers' batch APIs (plans stored before: false). */
  batch: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** The first wait between polls of a batch, in ms (plans stored before: the default). */
  batchPollMs: Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null })
})
export type RunPlan = typeof RunPlan.Type

/**
 * Flags of `assay run` that can override the config file (absent = not given).
 *
 * @example
 * ```ts
 * resolvePlan("/abs/cases.jsonl", toRunFlags(parsed) satisfies RunFlags, config, DEFAULT_CACHE)
 * ```
 */
export interface RunFlags {
  readonly metrics: ReadonlyArray<string>
  readonly judge: Option.Option<string>
  /** `--embedding-model` (absent: not given). */
  readonly embeddingModel?: Option.Option<string> | undefined
  readonly target: Option.Option<string>
  readonly baseUrl: Option.Option<string>
  readonly prompt: Option.Option<string>
  readonly concurrency: Option.Option<number>
  readonly throttle: Option.Option<Duration.Duration>
  readonly ignoreErrors: boolean
  readonly skipOnMissingParams: boolean
  readonly maxErrors: Option.Option<number>
  readonly timeout: Option.Option<Duration.Duration>
  readonly deadline: Option.Option<Duration.Duration>
  readonly maxCost: Option.Option<number>
  readonly repeat: Option.Option<number>
  readonly reducer: Option.Option<RepeatReducer>
  readonly maxConnections: Option.Option<number>
  readonly rpm: Option.Option<number>
  readonly tpm: Option.Option<number>
  readonly maxRetries: Option.Option<number>
  readonly attemptTimeout: Option.Option<Duration.Duration>
  readonly callDeadline: Option.Option<Duration.Duration>
  readonly minPassRate: Option.Option<number>
  readonly cache: Option.Option<string>
  readonly noCache: boolean
  readonly offline: boolean
  readonly record: Option.Option<string>
  readonly replay: Option.Option<string>
  readonly freshTask: boolean
  readonly strictInput: boolean
  readonly identifier: Option.Option<string>
  readonly hyperparameters: Readonly<Record<string, string>>
  /** `--batch` (absent: false). */
  readonly batch?: boolean | undefined
  /** `--batch-poll` (absent: not given). */
  readonly batchPoll?: Option.Option<Duration.Duration> | undefined
}

/**
 * Default cache location, relative to the working directory.
 *
 * @example
 * ```ts
 * path.resolve(DEFAULT_CACHE) // "/project/.assay/assay.db"
 * ```
 */
export const DEFAULT_CACHE = ".assay/assay.db"

const millis = (flag: Option.Option<Duration.Duration>, config: Duration.Duration | undefined): number | null => {
  const duration = Option.getOrElse(flag, () => config)
  return duration === undefined ? null : Duration.toMillis(duration)
}

const pick = <A>(flag: Option.Option<A>, config: A | undefined): A | null => Option.getOrElse(flag, () => config ?? null)

const targetOf = (flags: RunFlags, config: AssayConfig): TargetConfig | null => {
  const fromConfig = typeof config.target === "string" ? { model: config.target } : config.target
  const model = pick(flags.target, fromConfig?.model)
  if (model === null) return null
  const prompt = pick(flags.prompt, fromConfig?.prompt)
  const baseUrl = pick(flags.baseUrl, fromConfig?.baseUrl)
  // An http target's body, output path and headers come from the config only (`--target` may name the URL).
  const { body, headers, output, version } = fromConfig ?? {}
  return {
    model,
    ...(prompt !== null ? { prompt } : {}),
    ...(baseUrl !== null ? { baseUrl } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(headers !== undefined ? { headers } : {}),
    ...(version !== undefined ? { version } : {})
  }
}

const callLimitsOf = (flags: RunFlags, config: AssayConfig): CallLimits => {
  const given = {
    maxConnections: pick(flags.maxConnections, config.maxConnections),
    requestsPerMinute: pick(flags.rpm, config.rpm),
    tokensPerMinute: pick(flags.tpm, config.tpm),
    maxRetries: pick(flags.maxRetries, config.maxRetries),
    attemptTimeoutMs: millis(flags.attemptTimeout, config.attemptTimeout),
    callDeadlineMs: millis(flags.callDeadline, config.callDeadline)
  }
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== null)) as CallLimits
}

/**
 * Resolve the plan: flags over config over defaults. `--metric` flags replace the config's metric list.
 *
 * @example
 * ```ts
 * resolvePlan("/abs/cases.json", flags, {}, "/abs").concurrency // 20
 * ```
 */
export const resolvePlan = (dataset: string, flags: RunFlags, config: AssayConfig, cacheDefault: string): RunPlan => ({
  dataset,
  metrics: flags.metrics.length > 0 ? flags.metrics : config.metrics ?? [],
  judge: pick(flags.judge, config.judge),
  embeddingModel: pick(flags.embeddingModel ?? Option.none(), config.embeddingModel),
  target: targetOf(flags, config),
  concurrency: Option.getOrElse(flags.concurrency, () => config.concurrency ?? 20),
  throttleMs: millis(flags.throttle, config.throttle),
  timeoutMs: millis(flags.timeout, config.timeout),
  deadlineMs: millis(flags.deadline, config.deadline),
  ignoreErrors: flags.ignoreErrors || (config.ignoreErrors ?? false),
  skipOnMissingParams: flags.skipOnMissingParams || (config.skipOnMissingParams ?? false),
  maxErrors: pick(flags.maxErrors, config.maxErrors),
  repeat: Option.getOrElse(flags.repeat, () => config.repeat ?? 1),
  reducer: Option.getOrElse(flags.reducer, () => config.reducer ?? "mean"),
  minPassRate: pick(flags.minPassRate, config.minPassRate),
  cache: flags.noCache ? null : Option.getOrElse(flags.cache, () => config.cache ?? cacheDefault),
  offline: flags.offline || (config.offline ?? false),
  record: pick(flags.record, config.record),
  replay: pick(flags.replay, config.replay),
  freshTask: flags.freshTask,
  strictInput: flags.strictInput,
  identifier: pick(flags.identifier, config.identifier),
  hyperparameters: { ...config.hyperparameters, ...flags.hyperparameters },
  calls: callLimitsOf(flags, config),
  maxCost: pick(flags.maxCost, config.maxCost),
  prices: config.prices ?? {},
  batch: flags.batch === true || (config.batch ?? false),
  batchPollMs: millis(flags.batchPoll ?? Option.none(), config.batchPoll)
})

/**
 * The engine options of a plan (without the per-run callbacks).
 *
 * @example
 * ```ts
 * toEvalOptions(plan).concurrency
 * ```
 */
export const toEvalOptions = (plan: RunPlan): EvalOptions => ({
  concurrency: plan.concurrency,
  ignoreErrors: plan.ignoreErrors,
  skipOnMissingParams: plan.skipOnMissingParams,
  repeat: plan.repeat,
  repeatReducer: plan.reducer,
  hyperparameters: plan.hyperparameters,
  ...(plan.throttleMs !== null ? { throttle: Duration.millis(plan.throttleMs) } : {}),
  ...(plan.timeoutMs !== null ? { timeout: Duration.millis(plan.timeoutMs) } : {}),
  ...(plan.deadlineMs !== null ? { deadline: Duration.millis(plan.deadlineMs) } : {}),
  ...(plan.maxErrors !== null ? { maxErrors: plan.maxErrors } : {}),
  ...(plan.identifier !== null ? { identifier: plan.identifier } : {})
})

/**
 * The plan with `--record`/`--replay` files made absolute against `cwd`: they are named relative to the
 * working directory, and the stored plan keeps them absolute (for resume).
 *
 * @example
 * ```ts
 * withAbsoluteRecordings(plan, "/project").replay // "/project/rag.recording.jsonl"
 * ```
 */
export const withAbsoluteRecordings = (plan: RunPlan, cwd: string): RunPlan => ({
  ...plan,
  record: plan.record === null ? null : resolve(cwd, plan.record),
  replay: plan.replay === null ? null : resolve(cwd, plan.replay)
})
