/**
 * The Judge service: send chat messages to the configured model under the shared call policy and get text,
 * usage, cost and (when the provider returns them) logprobs. Metrics depend on `Judge` only; which provider
 * and limits stand behind it is decided by the Layer (see {@link judgeLayer}).
 *
 * @example
 * ```ts
 * const text = Effect.gen(function*() {
 *   const judge = yield* Judge
 *   const reply = yield* judge.chat({ messages: [{ role: "user", content: "Say hi" }] })
 *   return reply.text
 * })
 * ```
 */
import { CostBudget } from "@assay/core"
import { Context, type Deferred, Effect, Layer, Option, Schema } from "effect"
import { BatchCalls, type BatchStats } from "./batch/api.js"
import { type ChatReply, type ChatRequest, estimateTokens, type ProviderReply } from "./chat.js"
import { JudgeError } from "./errors.js"
import { CallPolicy, type PolicyStats } from "./policy.js"
import { makeReservation } from "./reservation.js"
import { costAt, defaultPrices, howToPrice, type PriceTable, priceOf } from "./pricing.js"
import { ChatProvider } from "./provider.js"
import { Offline, offlineRefusal } from "./offline.js"
import { Recording, type RecordingApi } from "./recording.js"
import { ReplyCache, type ReplyFilter } from "./reply-cache.js"
import { spendAttributes, traced } from "./tracing.js"

/**
 * Totals of a judge, plus its policy counters.
 *
 * @example
 * ```ts
 * const { cost, policy } = yield* judge.stats
 * ```
 * @since 0.1.0
 */
export interface JudgeStats {
  readonly model: string
  readonly inputTokens: number
  readonly outputTokens: number
  /** Cost of the calls made, in USD (0 when the model has no price: see `priced`). */
  readonly cost: number
  /** False when the model has no known price: its cost is unknown, not 0. */
  readonly priced?: boolean | undefined
  /** The call policy's counters for this judge's model (zeros before the first call). */
  readonly policy: PolicyStats | undefined
  /** In batch mode: what the calls would have cost live (`cost` is at the batch price). */
  readonly liveCost?: number | undefined
  /** In batch mode: the batches' counters. */
  readonly batch?: BatchStats | undefined
}

/**
 * The Judge: `chat` sends messages to the configured model under the call policy.
 *
 * @example
 * ```ts
 * const judge: JudgeApi = yield* Judge
 * ```
 * @since 0.1.0
 */
export interface JudgeApi {
  /** `provider:model`, e.g. `openai:gpt-4o-mini`; part of every judge metric's cache identity. */
  readonly model: string
  /**
   * Send a request. `options.accept` says whether a reply is usable (a metric's schema check): the reply
   * cache keeps and replays only usable replies, so an unusable one is asked again on the next run.
   */
  readonly chat: (request: ChatRequest, options?: ChatOptions) => Effect.Effect<ChatReply, JudgeError>
  readonly stats: Effect.Effect<JudgeStats>
  /** The provider's fatal failure, when it is guarded (see `stopOnFatal` in `./guard.ts`). */
  readonly fatal?: Deferred.Deferred<never, JudgeError> | undefined
}

/**
 * Options of one {@link JudgeApi.chat} call.
 *
 * @example
 * ```ts
 * judge.chat(request, { accept: (text) => Either.isRight(decode(text)) })
 * ```
 * @since 0.1.0
 */
export interface ChatOptions {
  readonly accept?: ReplyFilter | undefined
}

/**
 * The judge service tag.
 *
 * @example
 * ```ts
 * const reply = yield* Effect.flatMap(Judge, (j) => j.chat({ messages: [{ role: "user", content: "hi" }] }))
 * ```
 * @since 0.1.0
 */
export class Judge extends Context.Tag("assay/Judge")<Judge, JudgeApi>() {
  /**
   * The Judge of a run that selected no judged metric, so none was configured: metrics are typed with `Judge`
   * whichever are selected, and this satisfies that without a provider or a key. Nothing in such a run calls
   * it; a call that still comes (an Eval's own metric needing a judge its layer does not provide) fails with a
   * `BadRequest` JudgeError saying to pass `--judge`.
   *
   * @example
   * ```ts
   * run.pipe(Effect.provide(judged === 0 ? Judge.unavailable : judgeLayer(spec)))
   * ```
   */
  static readonly unavailable: Layer.Layer<Judge> = Layer.succeed(this, {
    model: "none",
    chat: () => Effect.fail(new JudgeError({ kind: "BadRequest", message: "no judge configured (pass --judge)" })),
    stats: Effect.succeed({ model: "none", inputTokens: 0, outputTokens: 0, cost: 0, policy: undefined })
  })
}

/**
 * The Judge from a provider and a call policy.
 *
 * @example
 * ```ts
 * const judge = yield* makeJudge(defaultPrices)
 * ```
 * @since 0.1.0
 */
export const makeJudge = (prices: PriceTable = defaultPrices): Effect.Effect<JudgeApi, never, ChatProvider | CallPolicy> =>
  Effect.gen(function*() {
    const provider = yield* ChatProvider
    const policy = yield* CallPolicy
    // Plain mutable totals, updated in one synchronous step per reply (atomic between fibers, like a Ref).
    const totals = { inputTokens: 0, outputTokens: 0, cost: 0, liveCost: 0 }
    const model = `${provider.provider}:${provider.model}`
    const price = priceOf(prices, provider.model)
    // Batch mode (a BatchCalls service): calls go through the provider's batch API, at its batch price.
    const batch = Option.getOrUndefined(yield* Effect.serviceOption(BatchCalls))
    const record = (reply: ProviderReply) =>
      Effect.sync((): ChatReply => {
        const live = costAt(price, reply.usage) ?? 0
        const cost = batch === undefined ? live : costAt(price, reply.usage, "batch") ?? 0
        totals.inputTokens += reply.usage.input
        totals.outputTokens += reply.usage.output
        totals.cost += cost
        totals.liveCost += live
        return { text: reply.text, usage: reply.usage, cost, model, logprobs: reply.logprobs }
      })
    const replies = Option.getOrUndefined(yield* Effect.serviceOption(ReplyCache))
    /** A replayed reply made no call: it costs nothing and adds no tokens to the totals. */
    const replayed = (reply: ProviderReply): ChatReply => ({ text: reply.text, usage: reply.usage, cost: 0, model, logprobs: reply.logprobs })
    const { completeWithin } = provider
    // Under Offline no request reaches the provider: only the reply cache or a replayed recording answers.
    const offline = yield* Offline
    const live = (request: ChatRequest) =>
      batch !== undefined ? batch.call(request) : offline ? offlineRefusal(model) : policy.run(
        model,
        estimateTokens(request),
        completeWithin === undefined ? provider.complete(request) : (deadline) => completeWithin(request, deadline)
      )
    const reservation = makeReservation(price, batch === undefined ? "live" : "batch")
    const unpriced = new JudgeError({ kind: "BadRequest", message: `${model} has no known price, and the run has a cost budget: ${howToPrice(provider.model)}` })
    /** A call to the model, under the run's cost budget when it has one (looked up per call: the run provides it). */
    const call = (request: ChatRequest) =>
      Effect.flatMap(Effect.serviceOption(CostBudget), (budget) => {
        if (Option.isNone(budget)) return live(request)
        if (price === undefined) return Effect.fail(unpriced)
        return budget.value.guard(reservation.estimate(request), Effect.tap(live(request), reservation.observe), reservation.costOf)
      })
    const direct = (request: ChatRequest, options?: ChatOptions) =>
      replies === undefined
        ? Effect.flatMap(call(request), record)
        : Effect.flatMap(
          replies.through(model, request, call(request), options?.accept),
          (r) => (r.replayed ? Effect.succeed(replayed(r.reply)) : record(r.reply))
        )
    const recording = Option.getOrUndefined(yield* Effect.serviceOption(Recording))
    const route = provider.route ?? `/${provider.provider}`
    const through = recording === undefined ? direct : recorded(recording, route, model, direct)
    const chat = (request: ChatRequest, options?: ChatOptions) => through(request, options).pipe(traced("assay.judge.chat", {
      attributes: { "gen_ai.operation.name": "chat", "gen_ai.system": provider.provider, "gen_ai.request.model": provider.model },
      annotate: (reply) => ({ "gen_ai.response.model": reply.model, ...spendAttributes(reply.cost, reply.usage) })
    }))
    const batchStats = batch === undefined ? Effect.succeedNone : Effect.asSome(batch.stats)
    const stats = Effect.zip(policy.stats, batchStats).pipe(
      Effect.map(([all, batched]): JudgeStats => ({
        model,
        inputTokens: totals.inputTokens,
        outputTokens: totals.outputTokens,
        cost: totals.cost,
        priced: price !== undefined,
        ...(Option.isSome(batched) ? { liveCost: totals.liveCost, batch: batched.value } : {}),
        // Before the first call the policy has no entry for the model yet: report its idle state.
        policy: all.find((s) => s.model === model) ?? {
          model,
          cap: policy.settings.maxConnections,
          inFlight: 0,
          calls: 0,
          succeeded: 0,
          failed: 0,
          retries: 0,
          rateLimited: 0,
          backingOff: 0
        }
      }))
    )
    return { model, chat, stats, fatal: batch?.fatal ?? provider.fatal }
  })

/** A chat reply as a recording keeps it (what the run saw: a reply-cache hit's zero cost included). */
const RecordedReply = Schema.Struct({
  text: Schema.String,
  usage: Schema.Struct({ input: Schema.Number, output: Schema.Number }),
  cost: Schema.Number,
  logprobs: Schema.optional(Schema.Array(Schema.Struct({
    token: Schema.String,
    logprob: Schema.Number,
    top: Schema.Array(Schema.Struct({ token: Schema.String, logprob: Schema.Number }))
  })))
})
const decodeRecorded = Schema.decodeUnknownEither(RecordedReply)

/**
 * Chat calls through a recording, keyed by the provider's route and the request with its model: recorded
 * whether the model or the reply cache answered; replayed without either.
 */
const recorded = (
  recording: RecordingApi,
  route: string,
  model: string,
  chat: (request: ChatRequest, options?: ChatOptions) => Effect.Effect<ChatReply, JudgeError>
) =>
(request: ChatRequest, options?: ChatOptions): Effect.Effect<ChatReply, JudgeError> =>
  recording.through(
    { method: "POST", path: route, body: { model, ...request } },
    Effect.map(chat(request, options), (reply) => ({
      text: reply.text,
      usage: reply.usage,
      cost: reply.cost,
      ...(reply.logprobs === undefined ? {} : { logprobs: reply.logprobs })
    }))
  ).pipe(
    Effect.flatMap((kept) =>
      Effect.mapError(decodeRecorded(kept), () => new JudgeError({ kind: "BadRequest", message: `recorded reply of ${model} is unreadable` }))
    ),
    Effect.map((reply): ChatReply => ({ ...reply, model, logprobs: reply.logprobs })),
    Effect.catchTag("ReplayMiss", (miss) => Effect.fail(new JudgeError({ kind: "BadRequest", message: miss.message })))
  )

/**
 * The Judge layer over a provider and a policy (provide both).
 *
 * @example
 * ```ts
 * layerJudge().pipe(Layer.provide(OpenAiCompatible.layer(options)), Layer.provide(CallPolicy.layer()))
 * ```
 * @since 0.1.0
 */
export const layerJudge = (prices: PriceTable = defaultPrices): Layer.Layer<Judge, never, ChatProvider | CallPolicy> =>
  Layer.effect(Judge, makeJudge(prices))
