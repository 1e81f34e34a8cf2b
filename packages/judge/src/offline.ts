/**
 * `Offline`: whether the program may reach the network. A runner sets it (the CLI's `--offline`) in the context
 * its evaluation runs in, and every Judge built there — the CLI's own, or one a user's Eval builds in its layer
 * with `judgeLayer` — answers only from its reply cache or a replayed recording: a call that would reach the
 * provider fails with a {@link JudgeError} naming the case instead. `recordedHttpClient` refuses requests the
 * same way when no recording answers them.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provideService(Offline, true)) // no judge call leaves the process
 * ```
 */
import { CurrentCase, describeCase } from "@assay/core"
import { Context, Effect, FiberRef, Option } from "effect"
import { JudgeError } from "./errors.js"

/**
 * Whether calls may reach the network: false (online) unless provided.
 *
 * @example
 * ```ts
 * const offline = yield* Offline
 * ```
 * @since 0.1.0
 */
export class Offline extends Context.Reference<Offline>()("assay/judge/Offline", { defaultValue: () => false }) {}

/**
 * The refusal of a call that would reach `target` under {@link Offline}, naming the case it was made for.
 *
 * @example
 * ```ts
 * offline ? offlineRefusal("openai:gpt-4o-mini") : call
 * ```
 * @since 0.1.0
 */
export const offlineRefusal = (target: string): Effect.Effect<never, JudgeError> =>
  Effect.flatMap(FiberRef.get(CurrentCase), (current) => {
    const where = Option.match(current, { onNone: () => "outside any case", onSome: (c) => `case ${describeCase(c)}` })
    return Effect.fail(new JudgeError({
      kind: "BadRequest",
      message: `--offline: ${where} would call ${target}; answer it from a recording with --replay <file> (made with --record)`
    }))
  })
