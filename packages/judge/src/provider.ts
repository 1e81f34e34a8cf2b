/**
 * A model provider: one attempt of one chat call, without retries or limits (the call policy adds those).
 * Implementations: {@link "./providers/openai-compatible.js"}, {@link "./providers/openai.js"} and
 * {@link "./providers/anthropic.js"}.
 *
 * @example
 * ```ts
 * const fake = Layer.succeed(ChatProvider, { provider: "test", model: "m", complete: () => Effect.succeed(reply) })
 * ```
 */
import { Context, type Deferred, type Effect } from "effect"
import type { AttemptDeadline, ChatRequest, ProviderReply } from "./chat.js"
import type { JudgeError } from "./errors.js"

/**
 * One provider: `complete` makes one attempt of one chat call.
 *
 * @example
 * ```ts
 * const reply = yield* Effect.flatMap(ChatProvider, (p) => p.complete(request))
 * ```
 * @since 0.1.0
 */
export interface ChatProviderApi {
  readonly provider: string
  readonly model: string
  /**
   * The URL path the provider posts to (e.g. `/v1/chat/completions`), without host: part of the request key
   * of a recording (`./recording.ts`). Absent: `/<provider>`.
   */
  readonly route?: string | undefined
  readonly complete: (request: ChatRequest) => Effect.Effect<ProviderReply, JudgeError>
  /**
   * `complete` under an attempt deadline the provider enforces itself — a timer on the request, far cheaper
   * than the policy's `Effect.timeoutFail`, which forks a fiber per attempt to interrupt it. Optional: without it the
   * policy times `complete`.
   */
  readonly completeWithin?: ((request: ChatRequest, deadline: AttemptDeadline) => Effect.Effect<ProviderReply, JudgeError>) | undefined
  /**
   * Fails with the provider's first fatal error — a rejected key, an endpoint that cannot be reached — after
   * which every call fails the same way (set by `guard`, `./guard.ts`; absent on unguarded providers).
   */
  readonly fatal?: Deferred.Deferred<never, JudgeError> | undefined
}

/**
 * The provider service.
 *
 * @example
 * ```ts
 * Layer.succeed(ChatProvider, { provider: "test", model: "m", complete: () => Effect.succeed(reply) })
 * ```
 * @since 0.1.0
 */
export class ChatProvider extends Context.Tag("assay/judge/ChatProvider")<ChatProvider, ChatProviderApi>() {}
