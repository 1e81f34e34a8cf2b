/**
 * `regex`: 1 when the actual output matches a JavaScript regular expression, else 0.
 *
 * The pattern is compiled once, when the metric is built. An invalid pattern or flag is reported there: the
 * constructor throws a `RangeError` naming the pattern and the engine's reason (a programming error in code
 * that builds metrics by hand), and the factory's params Schema rejects it as a decode error, so a config file
 * never reaches the constructor with a bad pattern.
 *
 * @example
 * ```ts
 * import { regex } from "@assay/core"
 * const m = regex({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" })
 * ```
 */
import { Either, Schema } from "effect"
import { contentText } from "../model/content.js"
import { type BaseOptions, deterministic, type MetricInfo, optionError, preview } from "./define.js"
import { defineFactory, NonEmpty, optional } from "./params.js"

const REGEX: MetricInfo = { id: "regex", version: 1, defaultThreshold: 1 }

/**
 * Options of {@link regex}.
 *
 * @example
 * ```ts
 * const o: RegexOptions = { pattern: "^yes$", flags: "i" }
 * ```
 */
export interface RegexOptions extends BaseOptions {
  /** JavaScript regular expression source, without slashes. Required. */
  readonly pattern: string
  /** Any of `d i m s u v`. `g` and `y` are rejected: they make matching stateful. Default "". */
  readonly flags?: string | undefined
  /** Require the whole output to match (Python's `re.fullmatch`), instead of a match anywhere. Default false. */
  readonly fullMatch?: boolean | undefined
}

const ALLOWED_FLAGS = /^[dimsuv]*$/

/**
 * Compile a pattern the way {@link regex} does, or explain why it is invalid. A full match wraps the pattern
 * in lookarounds that only hold at the very start and end of the text, even under the `m` flag.
 *
 * @example
 * ```ts
 * compilePattern("a+", "", true) // Either.right(/(?<![\s\S])(?:a+)(?![\s\S])/)
 * ```
 */
export const compilePattern = (pattern: string, flags: string, fullMatch: boolean): Either.Either<RegExp, string> => {
  if (!ALLOWED_FLAGS.test(flags)) return Either.left(`flags ${JSON.stringify(flags)} are not allowed: use any of d, i, m, s, u, v`)
  const source = fullMatch ? `(?<![\\s\\S])(?:${pattern})(?![\\s\\S])` : pattern
  return Either.try({
    try: () => new RegExp(source, flags),
    catch: (e) => `invalid pattern ${JSON.stringify(pattern)}: ${e instanceof Error ? e.message : String(e)}`
  })
}

/**
 * 1 when the actual output matches `pattern` (anywhere, or entirely with `fullMatch`), else 0. Default
 * threshold 1. Throws a `RangeError` for an invalid pattern or flags.
 *
 * @example
 * ```ts
 * regex({ pattern: "yes|no", flags: "i", fullMatch: true })
 * ```
 */
export const regex = (options: RegexOptions) => {
  const flags = options.flags ?? ""
  const fullMatch = options.fullMatch ?? false
  const compiled = compilePattern(options.pattern, flags, fullMatch)
  if (Either.isLeft(compiled)) throw optionError(REGEX.id, "pattern", compiled.left)
  const re = compiled.right
  const shown = `/${options.pattern}/${flags}`
  return deterministic({
    ...REGEX,
    options,
    config: { pattern: options.pattern, flags, fullMatch },
    requires: ["actualOutput"],
    score: (c) => {
      const text = contentText(c.actualOutput)
      const match = re.exec(text)
      if (match === null) return { score: 0, reason: `${fullMatch ? "does not fully match" : "no match for"} ${shown}` }
      return { score: 1, reason: `matched ${preview(match[0])} at ${match.index}` }
    }
  })
}

/**
 * Factory for `regex`; `pattern` is required and checked while decoding.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(regexFactory.params)({ pattern: "(" }) // throws: invalid pattern "(": …
 * ```
 */
export const regexFactory = defineFactory({
  ...REGEX,
  description: "1 when the actual output matches a regular expression",
  fields: { pattern: NonEmpty, flags: optional(Schema.String), fullMatch: optional(Schema.Boolean) },
  docs: [
    { name: "pattern", type: "string (required)", description: "JavaScript regular expression source, without slashes" },
    { name: "flags", type: "string", default: "\"\"", description: "any of d, i, m, s, u, v (g and y are rejected)" },
    { name: "fullMatch", type: "boolean", default: "false", description: "the whole output must match, not just a part" }
  ],
  check: (p) => {
    const compiled = compilePattern(p.pattern, p.flags ?? "", p.fullMatch ?? false)
    return Either.isLeft(compiled) ? { path: ["pattern"], message: compiled.left } : undefined
  },
  make: regex
})
