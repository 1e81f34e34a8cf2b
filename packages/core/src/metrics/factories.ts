/**
 * The registry entries of the deterministic metrics, by kebab-case id.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { deterministicFactories } from "@assay/core"
 * const f = deterministicFactories.find((f) => f.id === "rouge")!
 * const metric = f.make(Schema.decodeUnknownSync(f.params)({ variant: "rougeL" }))
 * ```
 */
import type { MetricFactory } from "../metric/registry.js"
import { bleuFactory } from "./bleu.js"
import { containsAllFactory, containsAnyFactory, containsFactory } from "./contains.js"
import { exactMatchFactory } from "./exact-match.js"
import { jsonSchemaFactory, jsonValidFactory } from "./json.js"
import { levenshteinFactory } from "./levenshtein.js"
import { regexFactory } from "./regex.js"
import { rougeFactory } from "./rouge.js"
import { toolCorrectnessFactory } from "./tool-correctness.js"

/**
 * Every deterministic metric factory: exact-match, contains, contains-all, contains-any, regex, json-valid,
 * json-schema, levenshtein, bleu, rouge, tool-correctness.
 *
 * @example
 * ```ts
 * deterministicFactories.map((f) => f.id)
 * ```
 * @since 0.1.0
 */
export const deterministicFactories: ReadonlyArray<MetricFactory> = [
  exactMatchFactory,
  containsFactory,
  containsAllFactory,
  containsAnyFactory,
  regexFactory,
  jsonValidFactory,
  jsonSchemaFactory,
  levenshteinFactory,
  bleuFactory,
  rougeFactory,
  toolCorrectnessFactory
]
