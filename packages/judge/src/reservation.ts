/**
 * What a model call reserves from the run's cost budget before it starts: its input tokens, counted from the
 * request (≈ 4 characters a token), plus its expected output — the request's `maxTokens` when set, else the
 * running mean of the output tokens this model has replied with in this run (starting from a prior of
 * {@link PRIOR_OUTPUT_TOKENS} counted as one reply) — at the model's price. The reply's real usage replaces
 * the reservation (`CostBudget.guard`).
 *
 * @example
 * ```ts
 * const reservation = makeReservation({ input: 0.15, output: 0.6 })
 * budget.guard(reservation.estimate(request), Effect.tap(call, reservation.observe), reservation.costOf)
 * ```
 */
import type { ChatRequest, ProviderReply } from "./chat.js"
import { type CallMode, costAt, type Price } from "./pricing.js"

/**
 * The output tokens assumed of a model's first reply, before the run has seen any.
 *
 * @since 0.1.0
 */
export const PRIOR_OUTPUT_TOKENS = 256

/**
 * A model's reservations; see the module doc.
 *
 * @example
 * ```ts
 * const r: Reservation = makeReservation(price)
 * ```
 * @since 0.1.0
 */
export interface Reservation {
  /** The worst-case cost of a request, in USD (0 without a price). */
  readonly estimate: (request: ChatRequest) => number
  /** Count a reply's output tokens into the running mean. */
  readonly observe: (reply: ProviderReply) => void
  /** The real cost of a reply (0 without a price). */
  readonly costOf: (reply: ProviderReply) => number
}

/**
 * Reservations at `price` (its batch price in batch mode).
 *
 * @example
 * ```ts
 * makeReservation({ input: 1, output: 1 }).estimate({ messages: [{ role: "user", content: "abcd" }], maxTokens: 9 }) // 10e-6
 * ```
 * @since 0.1.0
 */
export const makeReservation = (price: Price | undefined, mode: CallMode = "live"): Reservation => {
  // Plain counters: each update is one synchronous step, atomic between fibers.
  let replies = 1
  let outputTokens = PRIOR_OUTPUT_TOKENS
  return {
    estimate: (request) => {
      let input = 0
      for (const m of request.messages) input += Math.ceil(m.content.length / 4)
      const output = request.maxTokens ?? Math.ceil(outputTokens / replies)
      return costAt(price, { input, output }, mode) ?? 0
    },
    observe: (reply) => {
      replies++
      outputTokens += reply.usage.output
    },
    costOf: (reply) => costAt(price, reply.usage, mode) ?? 0
  }
}
