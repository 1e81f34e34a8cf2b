/**
 * The plan of a run: the metrics and every setting resolved once at its start. Each stage of the pipeline
 * (`source` → `lookup` → `cases` → `deliver`, wired by `run`) reads it and never changes it.
 *
 * @example
 * ```ts
 * const plan = yield* makePlan([exactMatch()], { concurrency: 8 })
 * plan.ioMetrics // indices of the metrics that wait on I/O (none here)
 * ```
 */
import { Duration, Effect, Option } from "effect"
import { EvalCache, type EvalCacheApi, type NamedTag, noEvalCache } from "../cache/eval-cache.js"
import { hyperparameterSuffix, metricCacheTag } from "../cache/cache-key.js"
import { TaskCache } from "../cache/task-cache.js"
import { cachedTaskParts } from "../internal/task-cache.js"
import type { Metric } from "../metric/metric.js"
import type { MeasureSettings } from "./measure.js"
import { type EvalOptions, type ResolvedOptions, resolveOptions, type Task } from "./options.js"
import type { TaskOutputs } from "./task-outputs.js"
import { recordsSpans } from "./tracing.js"

/** What every stage of one run reads. */
export interface RunPlan<R, RT> {
  readonly metrics: ReadonlyArray<Metric<R>>
  readonly options: EvalOptions<RT>
  readonly resolved: ResolvedOptions
  /** The task; a `cachedTask`'s own task when a `TaskCache` is provided (the engine then does the caching). */
  readonly task: Task<RT> | undefined
  /** The task cache, when the task is a `cachedTask` and a `TaskCache` is provided. */
  readonly taskOutputs: TaskOutputs | undefined
  /** Metric errors are recorded on the case rather than failing the run. */
  readonly tolerate: boolean
  /** How a metric is measured on a case as given. */
  readonly settings: MeasureSettings
  /** How a metric is measured on one epoch of a case with a task (`epochs.ts` reduces across epochs). */
  readonly perEpoch: MeasureSettings
  /** Indices of the metrics that wait on I/O (judges); the others are measured inline by the case worker. */
  readonly ioMetrics: ReadonlyArray<number>
  /** Metric workers per case worker: the I/O metrics a case hands to the metric pool. */
  readonly pooledPerCase: number
  /** The metric cache, unless absent or bypassed (epochs are fresh samples, not scores of the content). */
  readonly cache: EvalCacheApi | undefined
  /** Each metric's cache tag, by metric index (empty without a cache). */
  readonly tags: ReadonlyArray<NamedTag>
  /** The hyperparameters' part of every cache key. */
  readonly hyperSuffix: string
}

/**
 * Resolve a run's plan from its metrics and options, reading the optional {@link EvalCache} and
 * {@link TaskCache} services.
 *
 * @example
 * ```ts
 * const plan = yield* makePlan(metrics, options)
 * ```
 */
export const makePlan = <R, RT>(metrics: ReadonlyArray<Metric<R>>, options: EvalOptions<RT>): Effect.Effect<RunPlan<R, RT>> =>
  Effect.map(Effect.all([Effect.serviceOption(EvalCache), Effect.serviceOption(TaskCache), recordsSpans]), ([service, taskCache, spans]) => {
    const resolved = resolveOptions(options)
    const parts = options.task === undefined ? undefined : cachedTaskParts(options.task)
    const taskOutputs: TaskOutputs | undefined = parts === undefined || Option.isNone(taskCache)
      ? undefined
      : { cache: taskCache.value, identity: parts.identity, read: parts.read, repeat: resolved.repeat }
    const found = Option.getOrUndefined(service)
    const cache = resolved.repeat > 1 || found === noEvalCache ? undefined : found
    const settings: MeasureSettings = {
      timeout: options.timeout === undefined ? undefined : Duration.decode(options.timeout),
      repeat: resolved.repeat,
      repeatReducer: resolved.repeatReducer,
      spans
    }
    const ioMetrics = metrics.flatMap((m, i) => (m.inline ? [] : [i]))
    return {
      metrics,
      options,
      resolved,
      task: taskOutputs === undefined ? options.task : parts!.task,
      taskOutputs,
      tolerate: resolved.ignoreErrors || options.maxErrors !== undefined,
      settings,
      perEpoch: { ...settings, repeat: 1 },
      ioMetrics,
      // A case's worker measures one of its I/O metrics itself unless it has inline metrics to measure.
      pooledPerCase: metrics.some((m) => m.inline) ? ioMetrics.length : Math.max(0, ioMetrics.length - 1),
      cache,
      tags: cache === undefined ? [] : metrics.map((m) => ({ tag: metricCacheTag(m), name: m.name })),
      hyperSuffix: cache === undefined ? "" : hyperparameterSuffix(resolved.hyperparameters)
    }
  })
