/**
 * Running an Eval: its data decoded into cases, its task adapted to the engine's task stage, its layer
 * provided, its options overridden by the caller's.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { runEval } from "@assay/core"
 * const result = await Effect.runPromise(runEval(capitals, { concurrency: 50 }))
 * ```
 */
import { Chunk, Effect, Either, Stream } from "effect"
import { loadDataset } from "../dataset/index.js"
import type { EvalError } from "../engine/errors.js"
import { cachedTask, type CachedTaskOptions } from "../cache/task-cache.js"
import { evaluate } from "../engine/evaluate.js"
import type { EvalOptions, Task } from "../engine/options.js"
import { decodeTestCaseEither, InvalidTestCase } from "../model/decode.js"
import type { TestCase } from "../model/test-case.js"
import type { RunResult } from "../result/run-result.js"
import type { Eval, EvalTask, TaskResult } from "./eval.js"

/**
 * The cases of an Eval whose data is items or a Stream, decoded (snake_case keys accepted); an invalid item
 * fails with the eval's name, the item's index and the path of every bad field. A path is read by `load`, by
 * default {@link loadDataset} (from the working directory; errors name the file, line and field).
 *
 * @example
 * ```ts
 * Stream.runCollect(evalCases(capitals)) // Stream<TestCase, InvalidTestCase | …>
 * ```
 * @since 0.1.0
 */
export const evalCases = <R, E, E2 = never, R2 = never>(
  self: Eval<R, E>,
  load?: (path: string) => Stream.Stream<TestCase, E2, R2>
): Stream.Stream<TestCase, E | E2 | InvalidTestCase, R | R2> => {
  const data = self.data
  if (typeof data === "string") return load === undefined ? readPath<E, R>(data) : load(data)
  let index = 0
  const decodeChunk = (items: Iterable<unknown>): Either.Either<Array<TestCase>, InvalidTestCase> => {
    const out: Array<TestCase> = []
    for (const item of items) {
      const decoded = decodeTestCaseEither(item, { file: `eval "${self.name}"`, index: index++ })
      if (Either.isLeft(decoded)) return Either.left(decoded.left)
      out.push(decoded.right)
    }
    return Either.right(out)
  }
  if (Array.isArray(data)) return Stream.suspend(() => Either.match(decodeChunk(data), { onLeft: Stream.fail, onRight: Stream.fromIterable }))
  return Stream.mapChunksEffect(data as Stream.Stream<unknown, E, R>, (chunk) => Effect.map(decodeChunk(chunk), Chunk.unsafeFromArray))
}

/**
 * Core's loaders on an Eval's dataset path. `Eval.make` puts what they need and raise (`FileSystem`,
 * `DatasetError`) in the type of an Eval whose data is a path, which is why the stream may claim `R` and `E`.
 */
const readPath = <E, R>(path: string): Stream.Stream<TestCase, E, R> => loadDataset(path) as Stream.Stream<TestCase, never, never>

/** Fields of a task's result that join the case; the rest (cost, tokens) is the task's spend. */
const merged = (testCase: TestCase, out: string | TaskResult): unknown => {
  const { _tag, ...fields } = testCase
  if (typeof out === "string") return { ...fields, actualOutput: out }
  if (typeof out !== "object" || out === null) return { ...fields, actualOutput: out } // fails decoding, naming the field
  const { cost: _cost, tokens: _tokens, metadata, ...rest } = out
  return { ...fields, ...rest, ...(metadata === undefined ? {} : { metadata: { ...fields.metadata, ...metadata } }) }
}

/**
 * The engine's task stage for an Eval's task: its result merged into the case and decoded again, so a task
 * returning a malformed field is an error on that case naming the field.
 *
 * @example
 * ```ts
 * evaluate(cases, metrics, { task: toEngineTask((c) => Effect.succeed("Paris")) })
 * ```
 * @since 0.1.0
 */
export const toEngineTask = <R>(task: EvalTask<R>): Task<R> => (testCase, index) =>
  Effect.flatMap(task(testCase), (out) =>
    Either.match(decodeTestCaseEither(merged(testCase, out), { index }), {
      onLeft: (invalid) => Effect.fail(new InvalidTestCase({ index, issues: invalid.issues.map((issue) => `task output: ${issue}`) })),
      onRight: (decoded) =>
        Effect.succeed({
          testCase: decoded,
          cost: typeof out === "object" ? out.cost : undefined,
          tokens: typeof out === "object" ? out.tokens : undefined
        })
    }))

/**
 * The engine task of an Eval (undefined without a task): its task through {@link toEngineTask}, and with a
 * `version` through {@link cachedTask} as `eval:<name>` (served from a provided `TaskCache`; `read: false`
 * produces every output again and keeps it).
 *
 * @example
 * ```ts
 * evaluate(cases, metrics, { task: evalTask(capitals, { temperature: 0 }) })
 * ```
 * @since 0.1.0
 */
export const evalTask = <R, E>(
  self: Eval<R, E>,
  hyperparameters: Readonly<Record<string, unknown>> = {},
  options: CachedTaskOptions = {}
): Task<R> | undefined => {
  if (self.task === undefined) return undefined
  const task = toEngineTask(self.task)
  return self.version === undefined ? task : cachedTask(task, { name: `eval:${self.name}`, version: self.version, hyperparameters }, options)
}

/**
 * Options of {@link runEval}: engine options over the Eval's defaults, and a reader for dataset paths.
 *
 * @since 0.1.0
 */
export interface RunEvalOptions<E2 = never, R2 = never> extends Omit<EvalOptions, "task"> {
  /** Reads an Eval whose `data` is a path, in place of core's {@link loadDataset} (another format, a store…). */
  readonly loadDataset?: ((path: string) => Stream.Stream<TestCase, E2, R2>) | undefined
}

/**
 * Run an Eval: every case through its task and metrics, under its options overridden by `options`, with its
 * layer provided. Fails like `evaluate`, or with the data's or the layer's error. A dataset path is read with
 * the environment's `FileSystem`.
 *
 * @example
 * ```ts
 * const result = yield* runEval(capitals, { concurrency: 10, ignoreErrors: true })
 * result.summary.passRate
 * runEval(Eval.make({ name: "qa", data: "cases.jsonl", metrics: [exactMatch()] })).pipe(Effect.provide(NodeContext.layer))
 * ```
 * @since 0.1.0
 */
export const runEval = <R, E, E2 = never, R2 = never>(
  self: Eval<R, E>,
  options: RunEvalOptions<E2, R2> = {}
): Effect.Effect<RunResult, EvalError | InvalidTestCase | E | E2, R | R2> => {
  const { loadDataset, ...engine } = options
  const merged = { ...self.options, ...engine }
  const task = evalTask(self, merged.hyperparameters)
  const run = evaluate(evalCases(self, loadDataset), self.metrics, { ...merged, ...(task === undefined ? {} : { task }) })
  return self.layer === undefined ? run : Effect.provide(run, self.layer)
}
