/**
 * Deterministic metrics: string matching, regular expressions, JSON, edit distance, BLEU, ROUGE and tool-call
 * correctness. Each is a function from options to a {@link Metric}; `deterministicFactories` exposes them to
 * config files and the CLI by id.
 *
 * @example
 * ```ts
 * import { bleu, exactMatch, rouge } from "@assay/core"
 * const metrics = [exactMatch(), bleu(), rouge({ variant: "rougeL" })]
 * ```
 * @since 0.1.0
 */
export type { BaseOptions } from "./define.js"
export * from "./exact-match.js"
export * from "./contains.js"
export * from "./regex.js"
export * from "./json.js"
export * from "./levenshtein.js"
export * from "./bleu.js"
export * from "./rouge.js"
export * from "./tool-correctness.js"
export * from "./factories.js"
