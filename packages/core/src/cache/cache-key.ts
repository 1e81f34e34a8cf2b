/**
 * Stable cache keys. A cached result is addressed by two parts:
 * - the **case key**: a hash of the canonical JSON of the case's scoring content (sorted keys, camelCase
 *   spelling) followed by the run's hyperparameters;
 * - the **metric tag**: a hash of the metric's identity (name, threshold, strict mode and whole `config`:
 *   implementation version, options, judge model, prompt hash).
 *
 * `name` and `tags` of a case are labels and are left out, so renaming a case keeps its cache. One hash per
 * case and one per metric and run (not one per case × metric) keeps key computation off the hot path.
 *
 * @example
 * ```ts
 * const key = metricCacheKey(testCase, metric, { model: "gpt-4o" }) // "<case key>/<metric tag>"
 * ```
 */
import { hash } from "node:crypto"
import type { Metric } from "../metric/metric.js"
import type { TestCase } from "../model/test-case.js"

/**
 * JSON with object keys sorted at every depth; `undefined` members dropped (as JSON does).
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 * @since 0.1.0
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
 * @since 0.1.0
 */
export const sha256 = (text: string): string => hash("sha256", text, "hex")

/** 132 bits of sha256 in base64url: collision-free in practice for any cache size, and short to store. */
const shortHash = (text: string): string => hash("sha256", text, "base64url").slice(0, 22)

const LABELS = new Set(["name", "tags"])

/**
 * The fields of a case shape to write, sorted, labels left out, each with its quoted `"key":` prefix. Cases of
 * one dataset share one shape, so the plan of the last shape seen is kept: a case then costs an
 * `Object.keys` and a comparison instead of a sort and a quoting per field (most of the key's cost).
 */
let lastKeys: ReadonlyArray<string> = []
let lastPlan: ReadonlyArray<readonly [key: string, prefix: string]> = []
const fieldPlan = (keys: ReadonlyArray<string>) => {
  if (keys.length === lastKeys.length && keys.every((k, i) => k === lastKeys[i])) return lastPlan
  lastKeys = keys
  lastPlan = [...keys].sort().filter((k) => !LABELS.has(k)).map((k) => [k, `${JSON.stringify(k)}:`] as const)
  return lastPlan
}

/** Canonical JSON of the fields that can affect a score (written directly: it runs once per case). */
const scoringContent = (testCase: TestCase): string => {
  const fields = testCase as unknown as Record<string, unknown>
  let out = "{"
  for (const [key, prefix] of fieldPlan(Object.keys(fields))) {
    const value = fields[key]
    if (value === undefined) continue
    out += `${out.length === 1 ? "" : ","}${prefix}${typeof value === "string" ? JSON.stringify(value) : canonicalJson(value)}`
  }
  return `${out}}`
}

/**
 * The fingerprint of a case's scoring content (sha256 hex; used for dataset fingerprints).
 *
 * @example
 * ```ts
 * caseFingerprint(LLMTestCase.make({ input: "q" })) === caseFingerprint(LLMTestCase.make({ input: "q", name: "x" })) // true
 * ```
 * @since 0.1.0
 */
export const caseFingerprint = (testCase: TestCase): string => sha256(scoringContent(testCase))

/**
 * The run-constant part of case keys (computed once per run by the engine).
 *
 * @example
 * ```ts
 * const suffix = hyperparameterSuffix({ model: "gpt-4o" })
 * ```
 * @since 0.1.0
 */
export const hyperparameterSuffix = (hyperparameters: Readonly<Record<string, unknown>>): string =>
  `\n${canonicalJson(hyperparameters)}`

/**
 * The cache key of a case under a run's hyperparameters (pass {@link hyperparameterSuffix}).
 *
 * @example
 * ```ts
 * caseCacheKey(testCase, hyperparameterSuffix({})).length // 22
 * ```
 * @since 0.1.0
 */
export const caseCacheKey = (testCase: TestCase, suffix: string): string => shortHash(scoringContent(testCase) + suffix)

/**
 * The identity of a metric: everything that changes what it computes or how it is judged.
 *
 * @example
 * ```ts
 * metricIdentity(metric) // '{"config":{...},"name":"bleu","strict":false,"threshold":0.5}'
 * ```
 * @since 0.1.0
 */
export const metricIdentity = (metric: Metric<unknown>): string =>
  canonicalJson({ name: metric.name, threshold: metric.threshold, strict: metric.strict, config: metric.config })

/**
 * The metric part of a cache key: 66 bits, plenty to tell apart the metrics cached for one case, and short
 * because every cached case row repeats it.
 *
 * @example
 * ```ts
 * metricCacheTag(bleu()).length // 11
 * ```
 * @since 0.1.0
 */
export const metricCacheTag = (metric: Metric<unknown>): string => shortHash(metricIdentity(metric)).slice(0, 11)

/**
 * The full cache key of one metric on one case under a run's hyperparameters: `<case key>/<metric tag>`.
 *
 * @example
 * ```ts
 * metricCacheKey(testCase, metric, {}) // "q1w2…/e3r4…"
 * ```
 * @since 0.1.0
 */
export const metricCacheKey = (
  testCase: TestCase,
  metric: Metric<unknown>,
  hyperparameters: Readonly<Record<string, unknown>>
): string => `${caseCacheKey(testCase, hyperparameterSuffix(hyperparameters))}/${metricCacheTag(metric)}`
