/**
 * The task-output cache (`TaskCache` of @assay/core) on the command's database: outputs are rows of the
 * response cache (SQLite or Postgres, whichever the `Database` is) under the model name `task`, kept for
 * {@link TASK_OUTPUT_TTL} — a task's output does not go stale by age, only by its identity's version.
 *
 * @example
 * ```ts
 * run.pipe(Effect.provide(SqlTaskCache.pipe(Layer.provide(ResponseCache.Default))))
 * ```
 */
import { TaskCache, type TaskCacheEntry } from "@assay/core"
import { type Duration, Effect, Layer } from "effect"
import { ResponseCache } from "./response-cache.js"

/** How long a task output is kept: ten years (the cache's rows need an expiry; outputs are versioned instead). */
export const TASK_OUTPUT_TTL: Duration.DurationInput = "3650 days"

/**
 * The task-output cache on the response cache's table, under the model name `task`.
 *
 * @example
 * ```ts
 * Layer.provide(SqlTaskCache, ResponseCache.Default)
 * ```
 */
export const SqlTaskCache: Layer.Layer<TaskCache, never, ResponseCache> = Layer.effect(
  TaskCache,
  Effect.map(ResponseCache, (responses) => ({
    getMany: (keys: ReadonlyArray<string>) => responses.getMany(keys.map(request)),
    setMany: (entries: ReadonlyArray<TaskCacheEntry>) =>
      responses.setMany(entries.map(({ key, output }) => ({ request: request(key), response: output })), TASK_OUTPUT_TTL)
  }))
)

/** A task output's row: the response cache's request for the key, under the model name `task`. */
const request = (key: string) => ({ model: "task", baseUrl: "", body: key })
