/**
 * Cost of judge calls from a price table: USD (or any currency) per million input and output tokens, by model
 * name. Unknown models (local servers) cost 0. The default table holds a few OpenAI and Anthropic list prices; pass your own
 * to {@link costOf} / the Judge layer to override.
 *
 * @example
 * ```ts
 * costOf(defaultPrices, "gpt-4o-mini", { input: 1_000_000, output: 0 }) // 0.15
 * ```
 */
import type { TokenUsage } from "@assay/core"
import { cloudPrices } from "./pricing-cloud.js"

/**
 * Price per million tokens.
 *
 * @example
 * ```ts
 * const price: Price = { input: 0.15, output: 0.6 }
 * ```
 */
export interface Price {
  readonly input: number
  readonly output: number
  /** Fraction taken off in the provider's batch API (default {@link BATCH_DISCOUNT}). */
  readonly batchDiscount?: number | undefined
}

/**
 * Prices by model name (an exact name, or a prefix ending in `*`).
 *
 * @example
 * ```ts
 * const prices: PriceTable = { ...defaultPrices, "llama*": { input: 0, output: 0 } }
 * ```
 */
export type PriceTable = Readonly<Record<string, Price>>

/**
 * List prices (USD / 1M tokens) of common OpenAI and Anthropic judge models (Anthropic's by model-family prefix,
 * so dated snapshots and `-latest` aliases match).
 *
 * @example
 * ```ts
 * defaultPrices["gpt-4o-mini"] // { input: 0.15, output: 0.6 }
 * ```
 */
export const defaultPrices: PriceTable = {
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "claude-3-haiku*": { input: 0.25, output: 1.25 },
  "claude-3-5-haiku*": { input: 0.8, output: 4 },
  "claude-haiku-4-5*": { input: 1, output: 5 },
  "claude-3-5-sonnet*": { input: 3, output: 15 },
  "claude-3-7-sonnet*": { input: 3, output: 15 },
  "claude-sonnet-4*": { input: 3, output: 15 },
  "claude-opus-4*": { input: 15, output: 75 },
  // Gemini and Bedrock models: ./pricing-cloud.ts.
  ...cloudPrices
}

/**
 * The price of a model: exact match first, then the longest matching `prefix*` entry.
 *
 * @example
 * ```ts
 * priceOf({ "llama*": { input: 0.1, output: 0.1 } }, "llama3.1") // { input: 0.1, output: 0.1 }
 * ```
 */
export const priceOf = (table: PriceTable, model: string): Price | undefined => {
  const exact = table[model]
  if (exact) return exact
  const prefixes = Object.keys(table).filter((k) => k.endsWith("*") && model.startsWith(k.slice(0, -1)))
  const best = prefixes.sort((a, b) => b.length - a.length)[0]
  return best === undefined ? undefined : table[best]
}

/**
 * The cost of a usage at a model's price (0 when the model has no price).
 *
 * @example
 * ```ts
 * costOf(defaultPrices, "gpt-4o", { input: 1000, output: 1000 }) // 0.0125
 * ```
 */
export const costOf = (table: PriceTable, model: string, usage: TokenUsage): number => costAt(priceOf(table, model), usage)

/**
 * The cost of a usage at a price looked up once (0 without a price): what a judge does per reply.
 *
 * @example
 * ```ts
 * const price = priceOf(defaultPrices, "gpt-4o")
 * costAt(price, { input: 1000, output: 1000 }) // 0.0125
 * ```
 */
export const costAt = (price: Price | undefined, usage: TokenUsage): number =>
  price === undefined ? 0 : (usage.input * price.input + usage.output * price.output) / 1_000_000

/**
 * The discount OpenAI's Batch API and Anthropic's Message Batches give on their list prices: half off.
 *
 * @example
 * ```ts
 * costAt(price, usage) * (1 - BATCH_DISCOUNT)
 * ```
 */
export const BATCH_DISCOUNT = 0.5

/**
 * The cost of a usage made through a provider's batch API: the live cost less the price's batch discount
 * ({@link BATCH_DISCOUNT} unless the price says otherwise).
 *
 * @example
 * ```ts
 * batchCostAt({ input: 1, output: 1 }, { input: 1_000_000, output: 0 }) // 0.5
 * ```
 */
export const batchCostAt = (price: Price | undefined, usage: TokenUsage): number =>
  costAt(price, usage) * (1 - (price?.batchDiscount ?? BATCH_DISCOUNT))
