/**
 * Schemas for the human-friendly values that flags and config files share: durations (`30s`, `500ms`,
 * `2m`, `1 minute`), error budgets (`5` or `10%`) and rates (`80%` or `0.8`).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { DurationText, Budget } from "./values.js"
 * Schema.decodeUnknownSync(DurationText)("30s")   // Duration 30 seconds
 * Schema.decodeUnknownSync(Budget)("10%")         // 0.1
 * ```
 */
import { Duration, Option, ParseResult, Schema } from "effect"

const UNITS: Record<string, Duration.Unit> = {
  ms: "millis", s: "seconds", m: "minutes", h: "hours", d: "days"
}

/**
 * Parse a duration: `250ms`, `30s`, `2m`, `1h`, or Effect's `"30 seconds"` form.
 *
 * @example
 * ```ts
 * parseDuration("1.5s") // Option.some(Duration.millis(1500))
 * ```
 */
export const parseDuration = (text: string): Option.Option<Duration.Duration> => {
  const short = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text)
  if (short) return Option.some(Duration.decode(`${Number(short[1])} ${UNITS[short[2]!]!}` as Duration.DurationInput))
  return Duration.decodeUnknown(text.trim())
}

const TextOrNumber = Schema.Union(Schema.String, Schema.Number)

/**
 * A duration written as text (see {@link parseDuration}) or a number of milliseconds (config files).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(DurationText)("500ms") // Duration.millis(500)
 * ```
 */
export const DurationText = Schema.transformOrFail(TextOrNumber, Schema.DurationFromSelf, {
  strict: true,
  decode: (input, _, ast) => {
    const parsed = typeof input === "number" ? Option.some(Duration.millis(input)) : parseDuration(input)
    return Option.match(parsed, {
      onNone: () => ParseResult.fail(new ParseResult.Type(ast, input, `expected a duration such as 30s, 500ms or 2m, got ${JSON.stringify(input)}`)),
      onSome: ParseResult.succeed
    })
  },
  encode: (duration) => ParseResult.succeed(Duration.format(duration))
})

const parseFraction = (input: string | number, allowCount: boolean): number | undefined => {
  if (typeof input === "number") return input >= 0 && (allowCount || input <= 1) ? input : undefined
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(input)
  if (percent) {
    const value = Number(percent[1]) / 100
    return value <= 1 ? value : undefined
  }
  const plain = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(input)
  if (!plain) return undefined
  const value = Number(plain[1])
  return allowCount ? value : value <= 1 ? value : undefined
}

const fractionSchema = (allowCount: boolean, expected: string) =>
  Schema.transformOrFail(Schema.Union(Schema.String, Schema.Number), Schema.Number, {
    strict: true,
    decode: (input, _, ast) => {
      const value = parseFraction(input, allowCount)
      return value === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, input, `expected ${expected}, got ${JSON.stringify(input)}`))
        : ParseResult.succeed(value)
    },
    encode: (n) => ParseResult.succeed(n)
  })

/**
 * An error budget: a count of cases (`5`) or a percentage of all cases (`10%`, which decodes to 0.1 — the
 * engine reads values below 1 as fractions). `0` tolerates no errored case.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Budget)("5") // 5
 * ```
 */
export const Budget = fractionSchema(true, "a count such as 5 or a percentage such as 10%")

/**
 * A rate in [0, 1]: `80%` or `0.8`.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Rate)("80%") // 0.8
 * ```
 */
export const Rate = fractionSchema(false, "a percentage such as 80% or a fraction such as 0.8")

/**
 * A command-line flag value (always text) decoded with one of the schemas above.
 *
 * @example
 * ```ts
 * Options.text("timeout").pipe(Options.withSchema(fromFlag(DurationText)))
 * ```
 */
export const fromFlag = <A>(schema: Schema.Schema<A, string | number>): Schema.Schema<A, string> =>
  Schema.compose(Schema.String, schema, { strict: false })
