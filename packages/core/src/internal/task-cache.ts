/**
 * What the engine needs to serve and keep task outputs itself, a slice of cases per round trip, rather than
 * through the per-case wrapper: the parts of a task made by `cachedTask`, and the stored form of an output.
 * Not part of the public surface.
 */
import { Option, Schema } from "effect"
import type { Task, TaskOutput } from "../engine/options.js"
import { TestCase } from "../model/test-case.js"

/** The identity of a task (see `TaskIdentity` in `cache/task-cache.ts`). */
export interface Identity {
  readonly name: string
  readonly version?: string | undefined
  readonly hyperparameters?: Readonly<Record<string, unknown>> | undefined
}

/** What `cachedTask` wrapped: the task itself, its identity, and whether kept outputs are served. */
export interface CachedTaskParts<R> {
  readonly task: Task<R>
  readonly identity: Identity
  readonly read: boolean
}

const partsKey = Symbol.for("assay/CachedTaskParts")

/** `wrapper`, marked as `cachedTask`'s wrapping of `parts` so the engine can take the parts back. */
export const markCached = <R>(wrapper: Task<R>, parts: CachedTaskParts<R>): Task<R> =>
  Object.assign(wrapper, { [partsKey]: parts })

/** The parts of a task made by `cachedTask`, else undefined. */
export const cachedTaskParts = <R>(task: Task<R>): CachedTaskParts<R> | undefined =>
  (task as Task<R> & { readonly [partsKey]?: CachedTaskParts<R> })[partsKey]

/** What is kept of an output: the produced case (its spend is not: a kept output costs nothing). */
const Stored = Schema.Struct({ testCase: TestCase })
const encode = Schema.encodeSync(Stored)
const decode = Schema.decodeUnknownOption(Stored)

/** The stored form of a produced case. */
export const storedOutput = (testCase: TestCase): unknown => encode({ testCase })

/** A kept output as the case to measure: labels (`name`, `tags`) are not part of the key, so they come from `testCase`. */
export const keptOutput = (stored: unknown, testCase: TestCase): TaskOutput | undefined =>
  Option.match(decode(stored), {
    onNone: () => undefined,
    onSome: ({ testCase: kept }) => {
      const { name: _name, tags: _tags, ...content } = kept
      return {
        testCase: {
          ...content,
          ...(testCase.name === undefined ? {} : { name: testCase.name }),
          ...(testCase.tags === undefined ? {} : { tags: testCase.tags })
        } as TestCase
      }
    }
  })
