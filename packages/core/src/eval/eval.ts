/**
 * The `Eval` value: a named dataset, the task that calls the system under test for each case, the metrics that
 * score it and the Layer that provides what task and metrics need — one typed value that the CLI
 * (`assay run file.eval.ts`) and a program (`runEval`) run unchanged.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Eval, exactMatch } from "@assay/core"
 * export default Eval.make({
 *   name: "capitals",
 *   data: [{ input: "France", expectedOutput: "Paris" }],
 *   task: (testCase) => Effect.flatMap(Atlas, (atlas) => atlas.capital(String(testCase.input))),
 *   metrics: [exactMatch()],
 *   layer: AtlasLive
 * })
 * ```
 */
import type { FileSystem } from "@effect/platform/FileSystem"
import type { Effect, Layer, Stream } from "effect"
import type { DatasetError } from "../dataset/errors.js"
import type { EvalOptions } from "../engine/options.js"
import type { Metric, TokenUsage } from "../metric/metric.js"
import type { Content } from "../model/content.js"
import type { ToolCall } from "../model/tool-call.js"
import type { TestCase, Turn } from "../model/test-case.js"

/**
 * Marks Eval values (`isEval` tests for it; a module may export other things beside its evals).
 *
 * @since 0.1.0
 */
export const TypeId: unique symbol = Symbol.for("@assay/core/Eval")
export type TypeId = typeof TypeId

/**
 * What a task may return besides a plain string: the output and what came with it, merged into the case
 * before its metrics run (metadata is merged key by key).
 *
 * @example
 * ```ts
 * const out: TaskResult = { actualOutput: "Paris", retrievalContext: ["Paris is the capital of France."], cost: 0.0002 }
 * ```
 * @since 0.1.0
 */
export interface TaskResult {
  readonly actualOutput?: Content | undefined
  readonly retrievalContext?: ReadonlyArray<string> | undefined
  readonly toolsCalled?: ReadonlyArray<ToolCall> | undefined
  readonly turns?: ReadonlyArray<Turn> | undefined
  readonly cost?: number | undefined
  readonly tokens?: TokenUsage | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

/**
 * The case a task receives: a test case whose `input` reads as undefined on conversational cases, so a task
 * can use `testCase.input` without narrowing first.
 *
 * @since 0.1.0
 */
export type EvalCase = TestCase & { readonly input?: Content | undefined }

/**
 * The task of an Eval: call the system under test for one case. A failure (typed error or defect) is an error
 * on that case, under the run's error policy.
 *
 * @example
 * ```ts
 * const task: EvalTask<Atlas> = (c) => Effect.flatMap(Atlas, (a) => a.capital(String(c.input)))
 * ```
 * @since 0.1.0
 */
export type EvalTask<R = never> = (testCase: EvalCase) => Effect.Effect<string | TaskResult, unknown, R>

/**
 * Where an Eval's cases come from: plain items with the fields of a dataset file (camelCase or snake_case),
 * the path of a `.json`, `.jsonl` or `.csv` dataset (the CLI resolves it against the eval file's folder;
 * `runEval` reads it from the working directory with the `FileSystem` of its environment, e.g.
 * `NodeContext.layer`), or a Stream of such items.
 *
 * @example
 * ```ts
 * const data: EvalData = [{ input: "France", expected_output: "Paris" }]
 * ```
 * @since 0.1.0
 */
export type EvalData<E = never, R = never> = ReadonlyArray<unknown> | string | Stream.Stream<unknown, E, R>

/**
 * Run options an Eval may set as defaults (the CLI's flags and `runEval`'s options override them).
 *
 * @since 0.1.0
 */
export type EvalDefaults = Omit<EvalOptions, "task" | "onResult" | "onResults" | "onCaseStart" | "skipIndex">

/**
 * An evaluation. `R` is what running it still needs (never once `layer` provides everything; a dataset path
 * still needs the `FileSystem` that reads it), `E` how its data or its layer can fail.
 *
 * @since 0.1.0
 */
export interface Eval<R = never, E = never> {
  readonly [TypeId]: TypeId
  readonly name: string
  readonly data: EvalData<E, R>
  readonly task: EvalTask<R> | undefined
  /** The task's version: with one, its outputs are cached (see {@link EvalSpec.version}). */
  readonly version: string | undefined
  readonly metrics: ReadonlyArray<Metric<R>>
  readonly layer: Layer.Layer<never, E> | undefined
  readonly options: EvalDefaults
}

/**
 * What reading an Eval's data needs from the environment: a `FileSystem` when the data is a dataset path.
 *
 * @since 0.1.0
 */
export type PathNeeds<D> = D extends string ? FileSystem : never

/**
 * How reading an Eval's data can fail beyond its own stream's errors: a `DatasetError` when it is a path.
 *
 * @since 0.1.0
 */
export type PathErrors<D> = D extends string ? DatasetError : never

/**
 * What {@link make} takes; `RT` is what the task needs, `RM` what the metrics need.
 *
 * @since 0.1.0
 */
export interface EvalSpec<RT, RM, ED, RD> {
  readonly name: string
  readonly data: EvalData<ED, RD>
  readonly task?: EvalTask<RT> | undefined
  /**
   * The task's version. With one, what the task produced for a case is kept in the run's `TaskCache` (the
   * CLI's database) keyed by the case's content, the eval's name, this version and the hyperparameters, so a
   * rerun does not call the task again for an unchanged case; bump it when the task's behaviour changes.
   * Without one, the task runs every time.
   */
  readonly version?: string | number | undefined
  readonly metrics: ReadonlyArray<Metric<RM>>
  readonly options?: EvalDefaults | undefined
}

/**
 * Build an Eval. With a `layer`, the layer must provide every service the task, the metrics and a streamed
 * data source require — a missing one is a type error here; without one, the requirements stay in the Eval's
 * type for the caller of `runEval` to provide. A dataset path adds `FileSystem` (which reads it) to what
 * the Eval needs — unless its layer provides one — and `DatasetError` to how it fails.
 *
 * @example
 * ```ts
 * Eval.make({ name: "qa", data: "cases.jsonl", metrics: [exactMatch()] }) // cases already carry actualOutput
 * ```
 * @since 0.1.0
 */
export function make<RT = never, RM = never, ED = never, RD = never, LO = never, LE = never, D extends EvalData<ED, RD> = EvalData<ED, RD>>(
  spec: EvalSpec<RT, RM, ED, RD> & { readonly data: D; readonly layer: Layer.Layer<LO, LE> & Layer.Layer<NoInfer<RT | RM | RD>, LE> }
): Eval<Exclude<PathNeeds<D>, LO>, ED | LE | PathErrors<D>>
export function make<RT = never, RM = never, ED = never, RD = never, D extends EvalData<ED, RD> = EvalData<ED, RD>>(
  spec: EvalSpec<RT, RM, ED, RD> & { readonly data: D; readonly layer?: undefined }
): Eval<RT | RM | RD | PathNeeds<D>, ED | PathErrors<D>>
export function make(
  spec: EvalSpec<unknown, unknown, unknown, unknown> & { readonly layer?: Layer.Layer<unknown, unknown> | undefined }
): Eval<unknown, unknown> {
  if (typeof spec.name !== "string" || spec.name.trim() === "") throw new TypeError("Eval.make: name must be a non-empty string")
  if (!Array.isArray(spec.metrics)) throw new TypeError(`Eval.make(${spec.name}): metrics must be an array`)
  return {
    [TypeId]: TypeId,
    name: spec.name,
    data: spec.data,
    task: spec.task,
    version: spec.version === undefined ? undefined : String(spec.version),
    metrics: spec.metrics,
    layer: spec.layer as Layer.Layer<never, unknown> | undefined,
    options: spec.options ?? {}
  }
}

/**
 * True for values built by {@link make} (used to find the evals among a module's exports).
 *
 * @example
 * ```ts
 * Object.values(await import("./qa.eval.ts")).filter(isEval)
 * ```
 * @since 0.1.0
 */
export const isEval = (value: unknown): value is Eval<unknown, unknown> =>
  typeof value === "object" && value !== null && TypeId in value
