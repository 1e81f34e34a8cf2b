/**
 * Kept task outputs, a slice at a time: with a task made by `cachedTask` and a `TaskCache` provided, the
 * engine reads the outputs of a whole slice of cases in one `getMany` (in `lookup`), a case worker uses a
 * kept output instead of running the task, and delivery keeps the outputs of a batch of finished cases in one
 * `setMany`, with the batch's metric outcomes. A cache failure costs only the reuse: it is logged.
 *
 * @example
 * ```ts
 * const slot = newTaskSlot(outputs, testCase) // keys for every epoch
 * yield* readSlots(outputs, [slot])
 * ```
 */
import { Effect, Option } from "effect"
import { taskCacheKey, type TaskCacheApi, type TaskCacheEntry } from "../cache/task-cache.js"
import { type Identity, keptOutput, storedOutput } from "../internal/task-cache.js"
import type { TestCase } from "../model/test-case.js"
import type { CaseState } from "./case-state.js"
import type { TaskOutput } from "./options.js"

/** The task cache of a run: where outputs are kept, the task's identity, and whether kept ones are served. */
export interface TaskOutputs {
  readonly cache: TaskCacheApi
  readonly identity: Identity
  readonly read: boolean
  readonly repeat: number
}

/** One case's kept and fresh outputs, by epoch (shared by the case's state and its epochs' states). */
export interface TaskSlot {
  readonly testCase: TestCase
  readonly keys: ReadonlyArray<string>
  /** Filled by {@link readSlots}: the kept output of each epoch, if any. */
  readonly kept: Array<TaskOutput | undefined>
  /** Produced by the task in this run, to keep when the case is delivered. */
  readonly fresh: Array<{ readonly key: string; readonly testCase: TestCase }>
}

const warn = (what: string) => (e: { readonly message: string }) => Effect.logWarning(`${what}: ${e.message}`)

/**
 * A case's slot, keyed for each of its epochs.
 *
 * @example
 * ```ts
 * newTaskSlot(outputs, testCase).keys.length === outputs.repeat
 * ```
 */
export const newTaskSlot = ({ identity, repeat }: TaskOutputs, testCase: TestCase): TaskSlot => {
  const keys: Array<string> = []
  for (let r = 0; r < repeat; r++) keys.push(taskCacheKey(testCase, identity, r))
  return { testCase, keys, kept: [], fresh: [] }
}

/**
 * Read the kept outputs of many slots in one round trip (nothing when kept outputs are not served).
 *
 * @example
 * ```ts
 * yield* readSlots(outputs, slots)
 * ```
 */
export const readSlots = ({ cache, read }: TaskOutputs, slots: ReadonlyArray<TaskSlot>): Effect.Effect<void> => {
  if (!read || slots.length === 0) return Effect.void
  const keys = slots.flatMap((slot) => slot.keys)
  return cache.getMany(keys).pipe(
    Effect.map((stored) => {
      let k = 0
      for (const slot of slots) {
        for (let r = 0; r < slot.keys.length; r++, k++) {
          const found = stored[k]
          slot.kept[r] = found !== undefined && Option.isSome(found) ? keptOutput(found.value, slot.testCase) : undefined
        }
      }
    }),
    Effect.catchAll(warn("task cache read failed"))
  )
}

/**
 * The kept output for the epoch a state produces, if any.
 *
 * @example
 * ```ts
 * const kept = keptFor(state)
 * ```
 */
export const keptFor = (state: CaseState): TaskOutput | undefined => state.task?.kept[state.epoch ?? 0]

/**
 * Note what the task produced for the epoch a state measures, to keep at delivery.
 *
 * @example
 * ```ts
 * noteFresh(state) // after the task filled state.testCase
 * ```
 */
export const noteFresh = (state: CaseState): void => {
  const slot = state.task
  if (slot !== undefined) slot.fresh.push({ key: slot.keys[state.epoch ?? 0]!, testCase: state.testCase })
}

/**
 * Keep the fresh outputs of a batch of finished cases in one `setMany`; undefined when there are none.
 *
 * @example
 * ```ts
 * const write = writeSlots(outputs, batch)
 * ```
 */
export const writeSlots = ({ cache }: TaskOutputs, batch: ReadonlyArray<CaseState>): Effect.Effect<void> | undefined => {
  const entries: Array<TaskCacheEntry> = []
  for (const state of batch) {
    for (const { key, testCase } of state.task?.fresh ?? []) entries.push({ key, output: storedOutput(testCase) })
  }
  return entries.length === 0 ? undefined : Effect.catchAll(cache.setMany(entries), warn("task cache write failed"))
}
