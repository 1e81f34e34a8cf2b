/**
 * List prices (USD / 1M tokens) of common Gemini and Bedrock judge models, merged into `defaultPrices`
 * (`./pricing.ts`). Gemini's by model-family prefix (`gemini-2.5-flash*` covers dated previews; the longest
 * prefix wins, so `gemini-2.5-flash-lite*` has its own price); Gemini 2.5 Pro at its ≤200k-token-prompt price.
 * Bedrock's by model id prefix, at on-demand prices, also under the cross-region inference profile prefixes
 * (`us.`, `eu.`, `apac.`, `global.`), which bill as the model does.
 *
 * @example
 * ```ts
 * priceOf(cloudPrices, "us.amazon.nova-lite-v1:0") // { input: 0.06, output: 0.24 }
 * ```
 */
import type { Price, PriceTable } from "./pricing.js"

const GEMINI: PriceTable = {
  "gemini-2.5-pro*": { input: 1.25, output: 10 },
  "gemini-2.5-flash*": { input: 0.3, output: 2.5 },
  "gemini-2.5-flash-lite*": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash*": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash-lite*": { input: 0.075, output: 0.3 },
  "gemini-1.5-flash*": { input: 0.075, output: 0.3 },
  "gemini-1.5-pro*": { input: 1.25, output: 5 }
}

const BEDROCK: Readonly<Record<string, Price>> = {
  "anthropic.claude-3-haiku*": { input: 0.25, output: 1.25 },
  "anthropic.claude-3-5-haiku*": { input: 0.8, output: 4 },
  "anthropic.claude-haiku-4-5*": { input: 1, output: 5 },
  "anthropic.claude-3-5-sonnet*": { input: 3, output: 15 },
  "anthropic.claude-3-7-sonnet*": { input: 3, output: 15 },
  "anthropic.claude-sonnet-4*": { input: 3, output: 15 },
  "anthropic.claude-opus-4*": { input: 15, output: 75 },
  "amazon.nova-micro*": { input: 0.035, output: 0.14 },
  "amazon.nova-lite*": { input: 0.06, output: 0.24 },
  "amazon.nova-pro*": { input: 0.8, output: 3.2 },
  "meta.llama3-1-8b-instruct*": { input: 0.22, output: 0.22 },
  "meta.llama3-1-70b-instruct*": { input: 0.72, output: 0.72 },
  "mistral.mistral-large-2407*": { input: 2, output: 6 }
}

/** Cross-region inference profiles: `<geo>.<model id>`. */
const PROFILE_PREFIXES = ["", "us.", "eu.", "apac.", "global."] as const

/**
 * The Gemini and Bedrock prices (see the module doc).
 *
 * @example
 * ```ts
 * cloudPrices["gemini-2.0-flash*"] // { input: 0.1, output: 0.4 }
 * ```
 */
export const cloudPrices: PriceTable = {
  ...GEMINI,
  ...Object.fromEntries(PROFILE_PREFIXES.flatMap((geo) => Object.entries(BEDROCK).map(([id, price]) => [`${geo}${id}`, price])))
}
