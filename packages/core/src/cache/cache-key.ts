/**
 * Stable cache keys: sha256 over canonical JSON (sorted keys, camelCase spelling).
 *
 * The case part covers every model field that can affect a score (inputs, outputs, contexts, tools, turns,
 * scenario, metadata…); `name` and `tags` are labels and are left out, so renaming a case keeps its cache.
 * The metric part is its name, threshold, strict mode and whole `config` (implementation version, options,
 * judge model, prompt hash). The run's hyperparameters are the third part.
 *
 * @example
 * ```ts
 * const k = metricCacheKey(caseFingerprint(testCase), metric, { model: "gpt-4o" })
 * ```
 */
import { createHash } from "node:crypto"
import type { Metric } from "../metric/metric.js"
import type { TestCase } from "../model/test-case.js"

/**
 * JSON with object keys sorted at every depth; `undefined` members dropped (as JSON does).
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value))

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== "object") return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const inner = (value as Record<string, unknown>)[key]
    if (inner !== undefined) out[key] = sortKeys(inner)
  }
  return out
}

/**
 * sha256 hex of a string.
 *
 * @example
 * ```ts
 * sha256("abc").length // 64
 * ```
 */
export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")

const LABELS = new Set(["name", "tags"])

/**
 * The fingerprint of a case's scoring content.
 *
 * @example
 * ```ts
 * caseFingerprint(LLMTestCase.make({ input: "q" })) === caseFingerprint(LLMTestCase.make({ input: "q", name: "x" })) // true
 * ```
 */
export const caseFingerprint = (testCase: TestCase): string => {
  const content: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(testCase)) if (!LABELS.has(key)) content[key] = value
  return sha256(canonicalJson(content))
}

/**
 * The identity of a metric: everything that changes what it computes or how it is judged.
 *
 * @example
 * ```ts
 * metricIdentity(metric) // '{"config":{...},"name":"bleu","strict":false,"threshold":0.5}'
 * ```
 */
export const metricIdentity = (metric: Metric<unknown>): string =>
  canonicalJson({ name: metric.name, threshold: metric.threshold, strict: metric.strict, config: metric.config })

/**
 * The cache key of one metric on one case under a run's hyperparameters.
 *
 * @example
 * ```ts
 * metricCacheKey(caseFingerprint(c), metric, {})
 * ```
 */
export const metricCacheKey = (
  fingerprint: string,
  metric: Metric<unknown>,
  hyperparameters: Readonly<Record<string, unknown>>
): string => sha256(fingerprint + metricKeySuffix(metric, hyperparameters))

/**
 * The part of a cache key that depends only on the metric and the run (computed once per run by the engine;
 * `sha256(fingerprint + suffix)` equals {@link metricCacheKey}).
 *
 * @example
 * ```ts
 * const suffix = metricKeySuffix(metric, hyperparameters)
 * sha256(caseFingerprint(c) + suffix) === metricCacheKey(caseFingerprint(c), metric, hyperparameters) // true
 * ```
 */
export const metricKeySuffix = (metric: Metric<unknown>, hyperparameters: Readonly<Record<string, unknown>>): string =>
  `\n${metricIdentity(metric)}\n${canonicalJson(hyperparameters)}`
