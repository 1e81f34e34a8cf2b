/**
 * `regex`: 1 when the actual output matches a regular expression, else 0.
 *
 * The pattern is written in JavaScript syntax and matched by RE2 in time linear in the output (see
 * ./linear-regex.ts): lookahead and backreferences are refused, and `.`, `\s` and case folding follow RE2
 * (code points, with or without the `u` flag). It is compiled once, when the metric is built. An invalid or
 * unsupported pattern or flag is reported there: the constructor throws a `RangeError` naming the pattern and
 * the reason (a programming error in code that builds metrics by hand), and the factory's params Schema
 * rejects it as a decode error, so a config file never reaches the constructor with a bad pattern.
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
import { compileLinear } from "./linear-regex.js"
import { defineFactory, NonEmpty, optional } from "./params.js"

// Version 2: matched by RE2 (code points; no lookahead or backreferences) instead of JavaScript's engine.
const REGEX: MetricInfo = { id: "regex", version: 2, defaultThreshold: 1 }

/**
 * Options of {@link regex}.
 *
 * @example
 * ```ts
 * const o: RegexOptions = { pattern: "^yes$", flags: "i" }
 * ```
 * @since 0.1.0
 */
export interface RegexOptions extends BaseOptions {
  /** Regular expression source in JavaScript syntax, without slashes (no lookahead or backreferences). Required. */
  readonly pattern: string
  /** Any of `d i m s u`. `g` and `y` are rejected (they make matching stateful), and so is `v`. Default "". */
  readonly flags?: string | undefined
  /** Require the whole output to match (Python's `re.fullmatch`), instead of a match anywhere. Default false. */
  readonly fullMatch?: boolean | undefined
}

/**
 * A compiled pattern: the first match in a text (its start in UTF-16 units, and the matched text), or
 * undefined when there is none.
 *
 * @example
 * ```ts
 * const p: CompiledPattern = { find: () => undefined }
 * ```
 * @since 0.1.0
 */
export interface CompiledPattern {
  readonly find: (text: string) => { readonly index: number; readonly match: string } | undefined
}

/**
 * Compile a pattern the way {@link regex} does, or explain why it is invalid or unsupported. A full match is
 * RE2's anchored test of the whole text (under the `m` flag too), so it may take any alternative: `a|ab`
 * fully matches "ab".
 *
 * @example
 * ```ts
 * compilePattern("a+", "", true) // Either.right({ find })
 * ```
 * @since 0.1.0
 */
export const compilePattern = (pattern: string, flags: string, fullMatch: boolean): Either.Either<CompiledPattern, string> =>
  Either.map(compileLinear(pattern, flags), (re): CompiledPattern => ({
    find: fullMatch
      ? (text) => (re.testExact(text) ? { index: 0, match: text } : undefined)
      : (text) => {
        // re2js types exec's result as a bare array; it is a RegExpExecArray, with `index`.
        const found = re.exec(text) as RegExpExecArray | null
        return found === null ? undefined : { index: found.index, match: found[0] }
      }
  }))

/**
 * 1 when the actual output matches `pattern` (anywhere, or entirely with `fullMatch`), else 0. Default
 * threshold 1. Throws a `RangeError` for an invalid pattern or flags.
 *
 * @example
 * ```ts
 * regex({ pattern: "yes|no", flags: "i", fullMatch: true })
 * ```
 * @since 0.1.0
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
      const found = re.find(contentText(c.actualOutput))
      if (found === undefined) return { score: 0, reason: `${fullMatch ? "does not fully match" : "no match for"} ${shown}` }
      return { score: 1, reason: `matched ${preview(found.match)} at ${found.index}` }
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
 * @since 0.1.0
 */
export const regexFactory = defineFactory({
  ...REGEX,
  description: "1 when the actual output matches a regular expression",
  fields: { pattern: NonEmpty, flags: optional(Schema.String), fullMatch: optional(Schema.Boolean) },
  docs: [
    { name: "pattern", type: "string (required)", description: "regular expression (JavaScript syntax, without slashes; matched in linear time by RE2: no lookahead or backreferences)" },
    { name: "flags", type: "string", default: "\"\"", description: "any of d, i, m, s, u" },
    { name: "fullMatch", type: "boolean", default: "false", description: "the whole output must match, not just a part" }
  ],
  check: (p) => {
    const compiled = compilePattern(p.pattern, p.flags ?? "", p.fullMatch ?? false)
    return Either.isLeft(compiled) ? { path: ["pattern"], message: compiled.left } : undefined
  },
  make: regex,
  requiresDoc: "actualOutput"
})
