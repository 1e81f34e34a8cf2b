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
import { REDUCERS, type RepeatReducer } from "@assay/core"
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
    const parsed = typeof input === "number" ? (input >= 0 ? Option.some(Duration.millis(input)) : Option.none()) : parseDuration(input)
    return Option.match(parsed, {
      onNone: () => ParseResult.fail(new ParseResult.Type(ast, input, `expected a duration such as 30s, 500ms or 2m, got ${JSON.stringify(input)}`)),
      onSome: ParseResult.succeed
    })
  },
  encode: (duration) => ParseResult.succeed(Duration.format(duration))
})

/** The longest run setting a flag or config value may ask for (beyond it the value is a typo, not a plan). */
const MAX_DURATION = Duration.days(7)

/**
 * A {@link DurationText} from 0 (`allowZero`) or above 0, up to 7 days.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(durationWithin(true))("0ms") // Duration.zero
 * ```
 */
export const durationWithin = (allowZero: boolean) =>
  DurationText.pipe(Schema.filter((d) => {
    const ms = Duration.toMillis(d)
    return (Duration.isFinite(d) && (allowZero ? ms >= 0 : ms > 0) && Duration.lessThanOrEqualTo(d, MAX_DURATION)) ||
      `expected a duration ${allowZero ? "from 0" : "above 0"} up to 7d, such as 30s, 500ms or 2m, got ${Duration.format(d)}`
  }))

/**
 * A positive time limit (`--timeout`, `--deadline`): above 0, up to 7 days.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(TimeLimit)("0s") // throws: expected a duration above 0 …
 * ```
 */
export const TimeLimit = durationWithin(false)

/**
 * A pause (`--throttle`): 0 (none) up to 7 days.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Pause)("100ms") // Duration.millis(100)
 * ```
 */
export const Pause = durationWithin(true)

/**
 * A whole number from `min` to `max`, written as a number (config files) or as text (flags).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(integerIn(1, 10))("3") // 3
 * ```
 */
export const integerIn = (min: number, max: number) =>
  Schema.transformOrFail(TextOrNumber, Schema.Number, {
    strict: true,
    decode: (input, _, ast) => {
      const value = typeof input === "number" ? input : /^\s*[-+]?\d+\s*$/.test(input) ? Number(input) : Number.NaN
      return Number.isInteger(value) && value >= min && value <= max
        ? ParseResult.succeed(value)
        : ParseResult.fail(new ParseResult.Type(ast, input, `expected an integer from ${min} to ${max}, got ${JSON.stringify(input)}`))
    },
    encode: (n) => ParseResult.succeed(n)
  })

/**
 * Cases in flight (`--concurrency`): each holds a fiber and its case in memory, so a million is refused.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Concurrency)("0") // throws: expected an integer from 1 to 10000
 * ```
 */
export const Concurrency = integerIn(1, 10_000)

/**
 * Repetitions per metric (`--repeat`): every one is a judge call for LLM metrics.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Repeat)(5) // 5
 * ```
 */
export const Repeat = integerIn(1, 1000)

/**
 * How epoch scores are combined (`--reducer`, config `reducer`): one of the engine's {@link REDUCERS}.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Reducer)("pass@k") // "pass@k"
 * ```
 */
export const Reducer: Schema.Schema<RepeatReducer, string | number> = Schema.transformOrFail(TextOrNumber, Schema.Literal(...REDUCERS), {
  strict: true,
  decode: (input, _, ast) =>
    typeof input === "string" && (REDUCERS as ReadonlyArray<string>).includes(input)
      ? ParseResult.succeed(input as RepeatReducer)
      : ParseResult.fail(new ParseResult.Type(ast, input, `expected one of ${REDUCERS.join(", ")}, got ${JSON.stringify(input)}`)),
  encode: ParseResult.succeed
})

/**
 * Connections per model (`--max-connections`).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Connections)("64") // 64
 * ```
 */
export const Connections = integerIn(1, 10_000)

/**
 * Requests or tokens per minute per model (`--rpm`, `--tpm`).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(PerMinute)("500") // 500
 * ```
 */
export const PerMinute = integerIn(1, 1_000_000_000)

/**
 * Retries after a failed call attempt (`--max-retries`); 429s never count against it.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Retries)("0") // 0
 * ```
 */
export const Retries = integerIn(0, 100)

/**
 * A spending limit in USD (`--max-cost`, config `maxCost`): `5`, `0.25` or `$5`.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(Usd)("$2.50") // 2.5
 * ```
 */
export const Usd = Schema.transformOrFail(Schema.Union(Schema.String, Schema.Number), Schema.Number, {
  strict: true,
  decode: (input, _, ast) => {
    const text = typeof input === "number" ? String(input) : input
    const m = /^\s*\$?\s*(\d+(?:\.\d+)?)\s*$/.exec(text)
    return m === null || !(Number(m[1]) > 0)
      ? ParseResult.fail(new ParseResult.Type(ast, input, `expected an amount of US dollars above 0 such as 5 or 0.25, got ${JSON.stringify(input)}`))
      : ParseResult.succeed(Number(m[1]))
  },
  encode: (n) => ParseResult.succeed(n)
})

/**
 * A model's price (config `prices`): USD per million input and output tokens, and the share a provider batch
 * API takes off (`batchDiscount`, 0 to 1; default 0.5).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(ModelPrice)({ input: 0.15, output: 0.6 })
 * ```
 */
export const ModelPrice = Schema.Struct({
  input: Schema.Number.pipe(Schema.nonNegative({ message: () => "input: expected USD per 1M input tokens, 0 or more" })),
  output: Schema.Number.pipe(Schema.nonNegative({ message: () => "output: expected USD per 1M output tokens, 0 or more" })),
  batchDiscount: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1, { message: () => "batchDiscount: expected a share from 0 to 1, e.g. 0.5" })), { exact: true })
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
  // A count above 1 is a number of cases (the engine reads values below 1 as fractions).
  return allowCount ? (value <= 1 || Number.isInteger(value) ? value : undefined) : value <= 1 ? value : undefined
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
export const Budget = fractionSchema(true, "a whole count such as 5 or a percentage such as 10%")

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
