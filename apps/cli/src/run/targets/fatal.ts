/**
 * The fatal latch of the http and exec targets: the first failure that will fail every case the same way (a
 * rejected credential, nothing listening at the URL, a program that cannot be started) is kept; later calls fail
 * with it at once, and `stopOnFatal` ends the run with it. `guard` in @assay/judge does this for chat providers
 * (whose calls are chat requests); these targets' calls are not, so the same rule is kept here in a few lines.
 *
 * @example
 * ```ts
 * const latch = yield* makeLatch
 * const call = latch.guarded(attempt, (e) => (e.kind === "Auth" || e.kind === "Unreachable" ? e : undefined))
 * ```
 */
import type { JudgeError } from "@assay/judge"
import { Deferred, Effect } from "effect"

/**
 * The first fatal failure of a target, kept so later calls fail with it at once.
 *
 * @example
 * ```ts
 * stopOnFatal(latch.fatal, run)
 * ```
 */
export interface Latch {
  readonly fatal: Deferred.Deferred<never, JudgeError>
  /** `attempt`, failing at once once latched, and latching its own error when `fatalOf` finds it fatal. */
  readonly guarded: <A, E>(attempt: Effect.Effect<A, E>, fatalOf: (error: E) => JudgeError | undefined) => Effect.Effect<A, E | JudgeError>
}

/**
 * A new latch.
 *
 * @example
 * ```ts
 * const { fatal, guarded } = yield* makeLatch
 * ```
 */
export const makeLatch: Effect.Effect<Latch> = Effect.map(Deferred.make<never, JudgeError>(), (fatal) => {
  // A plain field, read and written in synchronous steps (atomic between fibers).
  let latched: JudgeError | undefined
  return {
    fatal,
    guarded: <A, E>(attempt: Effect.Effect<A, E>, fatalOf: (error: E) => JudgeError | undefined) =>
      Effect.suspend((): Effect.Effect<A, E | JudgeError> =>
        latched !== undefined ? Effect.fail(latched) : Effect.tapError(attempt, (error) => {
          const found = fatalOf(error)
          if (found === undefined) return Effect.void
          latched ??= found
          return Deferred.fail(fatal, latched)
        })
      )
  }
})
