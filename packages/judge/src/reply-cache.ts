/**
 * The judge's reply cache: identical requests to the same model are answered once and replayed — across
 * metrics (two metrics asking the same question), across runs, and offline (`offline: true` answers only
 * from the cache and fails a request it has never seen, without touching the network).
 *
 * The key is the model (`provider:model`), the request (messages, JSON mode, logprobs, temperature, token
 * limit) and the engine's {@link currentRepetition}, so the k repetitions of a measurement stay k samples.
 * A replayed reply costs nothing. A reply the caller cannot use (`accept` says no: e.g. JSON that does not fit
 * the verdict's schema) is never kept, and a kept one it cannot use is not replayed — a rerun asks the model
 * again instead of replaying the same unusable answer for the TTL. The storage is anything with `get`/`set` by
 * request — `@assay/store`'s
 * `ResponseCache` (SQLite, with a TTL) is the one the CLI uses.
 *
 * @example
 * ```ts
 * const layer = Layer.effect(ReplyCache, Effect.map(ResponseCache, (responses) => makeReplyCache(responses)))
 * ```
 */
import { currentRepetition } from "@assay/core"
import { Context, type Duration, Effect, FiberRef, Option, Schema } from "effect"
import type { ChatRequest, ProviderReply } from "./chat.js"
import { JudgeError } from "./errors.js"

/**
 * Where replies are kept: `@assay/store`'s `ResponseCache` has this shape.
 *
 * @example
 * ```ts
 * const storage: ReplyStorage = yield* ResponseCache
 * ```
 * @since 0.1.0
 */
export interface ReplyStorage {
  readonly get: (request: { readonly model: string; readonly baseUrl: string; readonly body: unknown }) => Effect.Effect<Option.Option<unknown>, { readonly message: string }>
  readonly set: (
    request: { readonly model: string; readonly baseUrl: string; readonly body: unknown },
    response: unknown,
    ttl?: Duration.DurationInput
  ) => Effect.Effect<void, { readonly message: string }>
}

/**
 * The reply cache's interface (see the module doc).
 *
 * @example
 * ```ts
 * const reply = yield* replies.through("openai:gpt-4o-mini", request, provider.complete(request))
 * ```
 * @since 0.1.0
 */
export interface ReplyCacheApi {
  /**
   * Answer from the cache, or run `call` and keep its reply (offline: fail instead of calling). Only replies
   * that `accept` (default: all) are kept or replayed.
   */
  readonly through: (
    model: string,
    request: ChatRequest,
    call: Effect.Effect<ProviderReply, JudgeError>,
    accept?: ReplyFilter | undefined
  ) => Effect.Effect<CachedReply, JudgeError>
}

/**
 * Whether a reply's text is usable by the caller (a metric's schema check): only usable replies are cached.
 *
 * @example
 * ```ts
 * const accept: ReplyFilter = (text) => text.trim().startsWith("{")
 * ```
 * @since 0.1.0
 */
export type ReplyFilter = (text: string) => boolean

/**
 * A reply and whether it was replayed.
 *
 * @example
 * ```ts
 * const { reply, replayed } = yield* replies.through(model, request, call)
 * ```
 * @since 0.1.0
 */
export interface CachedReply {
  readonly reply: ProviderReply
  readonly replayed: boolean
}

/**
 * The reply cache service; when it is not provided, every judge call goes to the model.
 *
 * @example
 * ```ts
 * Layer.succeed(ReplyCache, makeReplyCache(storage, { offline: true }))
 * ```
 * @since 0.1.0
 */
export class ReplyCache extends Context.Tag("assay/judge/ReplyCache")<ReplyCache, ReplyCacheApi>() {}

const StoredReply = Schema.Struct({
  text: Schema.String,
  usage: Schema.Struct({ input: Schema.Number, output: Schema.Number }),
  logprobs: Schema.optional(Schema.Array(Schema.Struct({
    token: Schema.String,
    logprob: Schema.Number,
    top: Schema.Array(Schema.Struct({ token: Schema.String, logprob: Schema.Number }))
  })))
})
const decodeStored = Schema.decodeUnknownOption(StoredReply)

/**
 * Build the reply cache over a storage. Storage failures never fail a call: a failed read is a miss (with a
 * warning), a failed write only loses the reuse.
 *
 * @example
 * ```ts
 * const replies = makeReplyCache(storage, { ttl: "30 days" })
 * ```
 * @since 0.1.0
 */
export const makeReplyCache = (
  storage: ReplyStorage,
  options: { readonly ttl?: Duration.DurationInput | undefined; readonly offline?: boolean | undefined } = {}
): ReplyCacheApi => ({
  through: (model, request, call, accept) =>
    Effect.flatMap(FiberRef.get(currentRepetition), (repetition) => {
      const key = { model, baseUrl: "", body: { request, repetition } }
      const usable = (reply: { readonly text: string }) => accept === undefined || accept(reply.text)
      const live = options.offline === true
        ? Effect.fail(new JudgeError({ kind: "BadRequest", message: `offline: no cached reply of ${model} for this request` }))
        : Effect.tap(call, (reply) =>
          usable(reply)
            ? storage.set(key, { text: reply.text, usage: reply.usage, ...(reply.logprobs === undefined ? {} : { logprobs: reply.logprobs }) }, options.ttl).pipe(
              Effect.catchAll((e) => Effect.logWarning(`reply cache write failed: ${e.message}`))
            )
            : Effect.void)
      return storage.get(key).pipe(
        // An unusable reply kept by an earlier version (or under another schema) is a miss: ask again.
        Effect.map(Option.flatMap((stored) => Option.filter(decodeStored(stored), usable))),
        Effect.catchAll((e) => Effect.as(Effect.logWarning(`reply cache read failed: ${e.message}`), Option.none<typeof StoredReply.Type>())),
        Effect.flatMap((stored): Effect.Effect<CachedReply, JudgeError> =>
          Option.isSome(stored)
            ? Effect.succeed({ reply: stored.value, replayed: true })
            : Effect.map(live, (reply) => ({ reply, replayed: false })))
      )
    })
})
