/**
 * The task-output cache: what a task produced for a case, kept by case content and task identity, so an
 * unchanged case is not produced again on the next run (its model calls are not made again). The key is the
 * case's scoring content (labels — `name`, `tags` — left out, as for metric results), the task's identity
 * (`name`, a `version` the user bumps when the task's code changes, its hyperparameters) and the repetition
 * being produced (`CurrentCase`), so k epochs stay k samples. A cached output costs nothing.
 *
 * Provide a {@link TaskCache} (in memory here; SQLite/Postgres in @assay/store) and wrap a task with
 * {@link cachedTask}; without the service the wrapper just runs the task. In a run, the engine reads the
 * outputs of a slice of cases in one `getMany` and keeps those of a batch of finished cases in one `setMany`.
 *
 * @example
 * ```ts
 * const task = cachedTask(answer, { name: "capitals", version: "2" })
 * evaluate(cases, metrics, { task }).pipe(Effect.provide(TaskCache.memory))
 * ```
 */
import { Context, Effect, FiberRef, Layer, Option } from "effect"
import { CurrentCase } from "../engine/current-case.js"
import type { Task } from "../engine/options.js"
import { keptOutput, markCached, storedOutput } from "../internal/task-cache.js"
import type { TestCase } from "../model/test-case.js"
import { canonicalJson, caseCacheKey } from "./cache-key.js"
import type { CacheError } from "./eval-cache.js"

/**
 * The identity of a task: changing any part produces every case again.
 *
 * @example
 * ```ts
 * const identity: TaskIdentity = { name: "target:openai:gpt-4o-mini", version: "3", hyperparameters: { prompt: "v2" } }
 * ```
 * @since 0.1.0
 */
export interface TaskIdentity {
  readonly name: string
  /** Bump it when the task's behaviour changes (default: none). */
  readonly version?: string | undefined
  readonly hyperparameters?: Readonly<Record<string, unknown>> | undefined
}

/**
 * One kept output: its key and its stored form.
 *
 * @example
 * ```ts
 * const entry: TaskCacheEntry = { key, output: { testCase: { input: "France", actualOutput: "Paris" } } }
 * ```
 * @since 0.1.0
 */
export interface TaskCacheEntry {
  readonly key: string
  readonly output: unknown
}

/**
 * Where task outputs are kept: a key-value store of encoded outputs, read and written many at a time.
 *
 * @example
 * ```ts
 * const stored = yield* cache.getMany([key]) // [Option<unknown>]
 * ```
 * @since 0.1.0
 */
export interface TaskCacheApi {
  /** The stored output of each key, in the order of `keys`. */
  readonly getMany: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Option.Option<unknown>>, CacheError>
  /** Keep these outputs (a later entry for the same key wins). */
  readonly setMany: (entries: ReadonlyArray<TaskCacheEntry>) => Effect.Effect<void, CacheError>
}

/**
 * The task cache service; when it is not provided, {@link cachedTask} runs the task every time.
 *
 * @since 0.1.0
 */
export class TaskCache extends Context.Tag("assay/TaskCache")<TaskCache, TaskCacheApi>() {
  /** A fresh in-memory task cache. */
  static readonly memory: Layer.Layer<TaskCache> = Layer.sync(TaskCache, () => {
    const rows = new Map<string, unknown>()
    return {
      getMany: (keys) => Effect.sync(() => keys.map((key) => Option.fromNullable(rows.get(key)))),
      setMany: (entries) => Effect.sync(() => entries.forEach(({ key, output }) => rows.set(key, output)))
    }
  })
}

/**
 * The cache key of a case for a task (see the module doc).
 *
 * @example
 * ```ts
 * taskCacheKey(testCase, { name: "capitals" }, 0)
 * ```
 * @since 0.1.0
 */
export const taskCacheKey = (testCase: TestCase, identity: TaskIdentity, repetition: number): string =>
  caseCacheKey(testCase, `\u0000task:${canonicalJson({ ...identity, repetition })}`)

/**
 * Options of {@link cachedTask}.
 *
 * @example
 * ```ts
 * cachedTask(task, identity, { read: false }) // --fresh-task: produce again, keep the new outputs
 * ```
 * @since 0.1.0
 */
export interface CachedTaskOptions {
  /** Serve kept outputs (default true); false still keeps what the task produces. */
  readonly read?: boolean | undefined
}

/**
 * `task` served from the {@link TaskCache} when it holds an output for the case and identity, else run and
 * its output kept. Cache failures never fail a case: a failed read is a miss and a failed write only loses
 * the reuse (each with a warning).
 *
 * @example
 * ```ts
 * const task = cachedTask((c) => Effect.succeed({ testCase: { ...c, actualOutput: "Paris" } }), { name: "capitals", version: "1" })
 * ```
 * @since 0.1.0
 */
export const cachedTask = <R>(task: Task<R>, identity: TaskIdentity, options: CachedTaskOptions = {}): Task<R> => {
  const read = options.read !== false
  const wrapper: Task<R> = (testCase, index) =>
    Effect.flatMap(Effect.serviceOption(TaskCache), (service) => {
      if (Option.isNone(service)) return task(testCase, index)
      const cache = service.value
      return Effect.flatMap(FiberRef.get(CurrentCase), (current) => {
        const key = taskCacheKey(testCase, identity, Option.match(current, { onNone: () => 0, onSome: (c) => c.repetition }))
        const produce = Effect.tap(task(testCase, index), (output) =>
          cache.setMany([{ key, output: storedOutput(output.testCase) }]).pipe(
            Effect.catchAll((e) => Effect.logWarning(`task cache write failed: ${e.message}`))
          ))
        if (!read) return produce
        return cache.getMany([key]).pipe(
          Effect.map(([stored]) => (stored !== undefined && Option.isSome(stored) ? keptOutput(stored.value, testCase) : undefined)),
          Effect.catchAll((e) => Effect.as(Effect.logWarning(`task cache read failed: ${e.message}`), undefined)),
          Effect.flatMap((kept) => (kept !== undefined ? Effect.succeed(kept) : produce))
        )
      })
    })
  return markCached(wrapper, { task, identity, read })
}
