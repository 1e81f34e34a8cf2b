/**
 * The shared shape of the deterministic metrics: common options (threshold, strict, name), their validation,
 * and {@link deterministic}, which turns a pure scoring function into a {@link Metric}.
 *
 * Constructors validate their options eagerly and throw a `RangeError` naming the metric and the option: a
 * bad option is a programming error in code that builds metrics by hand. Config files and the CLI go through
 * the factories' params Schemas instead (see ./params.ts), which report the same problems as decode errors.
 *
 * @example
 * ```ts
 * import { deterministic } from "./define.js"
 * const nonEmpty = deterministic({
 *   id: "non-empty", version: 1, defaultThreshold: 1, options: {}, config: {}, requires: ["actualOutput"],
 *   score: (c) => ({ score: c.actualOutput ? 1 : 0 })
 * })
 * ```
 */
import { Effect, Either } from "effect"
import { llmOnly, make, type Metric, type MetricError, type Outcome } from "../metric/metric.js"
import type { CaseField, LLMTestCase } from "../model/test-case.js"
import { internalError, runSlices, Slices } from "./sliced.js"

/**
 * Options every deterministic metric accepts.
 *
 * @example
 * ```ts
 * const o: BaseOptions = { threshold: 0.8, strict: false, name: "bleu-strict" }
 * ```
 * @since 0.1.0
 */
export interface BaseOptions {
  /** Pass mark in [0, 1]; each metric documents its default. */
  readonly threshold?: number | undefined
  /** Strict mode: only a score of 1 passes. Default false. */
  readonly strict?: boolean | undefined
  /** Result name; defaults to the metric id. Set it to run two differently configured copies side by side. */
  readonly name?: string | undefined
}

/**
 * What identifies a metric implementation; shared by its constructor and its factory.
 *
 * @example
 * ```ts
 * const info: MetricInfo = { id: "bleu", version: 1, defaultThreshold: 0.5 }
 * ```
 * @since 0.1.0
 */
export interface MetricInfo {
  /** kebab-case id: the default name, the factory id, and the prefix of option errors. */
  readonly id: string
  /** Implementation version: bump it whenever scores can change, so cached results are not reused. */
  readonly version: number
  readonly defaultThreshold: number
}

/**
 * What {@link deterministic} needs.
 *
 * @example
 * ```ts
 * const spec: DeterministicSpec = { id: "yes", version: 1, defaultThreshold: 1, options: {}, config: {}, requires: [], score: () => ({ score: 1 }) }
 * ```
 * @since 0.1.0
 */
export interface DeterministicSpec extends MetricInfo {
  readonly options: BaseOptions
  /** The metric's own options with defaults applied (the cache identity, with `version`). */
  readonly config: Readonly<Record<string, unknown>>
  readonly requires: ReadonlyArray<CaseField>
  /**
   * Scores one single-turn case; must not throw for any case content. Work that can take long on a large
   * input is returned as {@link Slices}, which the engine runs a slice at a time (see ./sliced.ts), or as an
   * interruptible Effect (json-schema hands long validations to a worker thread, see ./json-pool.ts).
   */
  readonly score: (testCase: LLMTestCase) => Outcome | Slices<Outcome> | Effect.Effect<Outcome, MetricError>
}

/**
 * A `RangeError` for a bad constructor option, prefixed with the metric id.
 *
 * @example
 * ```ts
 * throw optionError("regex", "pattern", "must not be empty")
 * ```
 * @since 0.1.0
 */
export const optionError = (id: string, option: string, message: string): RangeError =>
  new RangeError(`${id}: option "${option}" ${message}`)

/**
 * Build a deterministic single-turn metric: CPU-only, so the engine measures it inline. Conversational cases
 * fail with a MetricError.
 *
 * @example
 * ```ts
 * const m = deterministic({ id: "yes", version: 1, defaultThreshold: 1, options: {}, config: {}, requires: [],
 *   score: () => ({ score: 1 }) })
 * ```
 * @since 0.1.0
 */
export const deterministic = (spec: DeterministicSpec): Metric => {
  const threshold = spec.options.threshold ?? spec.defaultThreshold
  if (!(threshold >= 0 && threshold <= 1)) throw optionError(spec.id, "threshold", `must be in [0, 1], got ${threshold}`)
  const name = spec.options.name ?? spec.id
  if (name.length === 0) throw optionError(spec.id, "name", "must not be empty")
  const score = spec.score
  return make({
    name,
    threshold,
    strict: spec.options.strict ?? false,
    appliesTo: "LLMTestCase",
    requires: spec.requires,
    config: { metric: spec.id, version: spec.version, ...spec.config },
    inline: true,
    // A throw would be a bug in the metric; report it against this case instead of killing the run.
    measure: llmOnly(name, (testCase) => {
      const scored = Either.try({ try: () => score(testCase), catch: (e) => internalError(name, e) })
      if (Either.isLeft(scored)) return Effect.fail(scored.left)
      const outcome = scored.right
      if (outcome instanceof Slices) return runSlices(name, outcome.steps)
      return Effect.isEffect(outcome) ? outcome : Effect.succeed(outcome)
    })
  })
}

/**
 * Quote a string for a reason message, cut to `max` code points with an ellipsis when longer.
 *
 * @example
 * ```ts
 * preview("abcdef", 3) // the quoted string "ab…"
 * ```
 * @since 0.1.0
 */
export const preview = (text: string, max = 60): string => {
  if (text.length <= max) return JSON.stringify(text)
  // Walk `max` code points at most (a long output is not split into an array of all of them); a longer text is
  // cut after the first `max - 1`, where the ellipsis takes the last place.
  let end = 0
  let cut = 0
  for (let points = 0; points < max; points++) {
    if (end >= text.length) return JSON.stringify(text)
    if (points === max - 1) cut = end
    end += text.codePointAt(end)! > 0xffff ? 2 : 1
  }
  return JSON.stringify(end >= text.length ? text : `${text.slice(0, cut)}…`)
}
