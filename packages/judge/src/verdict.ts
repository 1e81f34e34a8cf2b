/**
 * Structured verdicts: ask the judge for JSON (JSON mode), decode it with a Schema, and when the reply is not
 * valid JSON or violates the schema, show the model what was wrong and ask again — at most `repairs` times —
 * before failing with a `MetricError` that quotes the last reply. Also tallies the tokens and cost of every
 * call a metric makes ({@link Spend}).
 *
 * @example
 * ```ts
 * const Verdict = Schema.Struct({ score: Schema.Number, reason: Schema.String })
 * const { value, spend } = yield* structured(Verdict, { metric: "g-eval", messages: [{ role: "user", content: prompt }] })
 * ```
 */
import { MetricError } from "@assay/core"
import { Effect, Either, ParseResult, Schema } from "effect"
import type { ChatMessage, ChatReply } from "./chat.js"
import { Judge } from "./judge.js"

/**
 * Tokens and money spent by a metric's judge calls.
 *
 * @example
 * ```ts
 * const spend: Spend = addSpend(noSpend, { input: 10, output: 2, cost: 0.0001 })
 * ```
 * @since 0.1.0
 */
export interface Spend {
  readonly input: number
  readonly output: number
  readonly cost: number
}

/**
 * Nothing spent yet.
 *
 * @example
 * ```ts
 * addSpend(noSpend, spend) // equals spend
 * ```
 * @since 0.1.0
 */
export const noSpend: Spend = { input: 0, output: 0, cost: 0 }

/**
 * Add two spends.
 *
 * @example
 * ```ts
 * addSpend(noSpend, { input: 10, output: 2, cost: 0.001 })
 * ```
 * @since 0.1.0
 */
export const addSpend = (a: Spend, b: Spend): Spend => ({ input: a.input + b.input, output: a.output + b.output, cost: a.cost + b.cost })

const spendOf = (reply: ChatReply): Spend => ({ input: reply.usage.input, output: reply.usage.output, cost: reply.cost })

/**
 * Options of {@link structured}.
 *
 * @example
 * ```ts
 * structured(Verdict, { metric: "faithfulness", messages, repairs: 1 })
 * ```
 * @since 0.1.0
 */
export interface StructuredOptions {
  readonly metric: string
  readonly messages: ReadonlyArray<ChatMessage>
  /** Extra attempts after an unusable reply (default 2). */
  readonly repairs?: number | undefined
  /** Ask for token logprobs (G-Eval). */
  readonly topLogprobs?: number | undefined
}

/**
 * A decoded verdict with the reply it came from and the spend of all attempts.
 *
 * @example
 * ```ts
 * const { spend, value } = yield* structured(Verdict, options)
 * ```
 * @since 0.1.0
 */
export interface Structured<A> {
  readonly value: A
  readonly reply: ChatReply
  readonly spend: Spend
}

const QUOTE = 500

/**
 * The JSON text inside a reply: strips Markdown code fences and prose around the outermost object.
 *
 * @example
 * ```ts
 * jsonText('Sure! ```json\n{"a":1}\n```') // '{"a":1}'
 * ```
 * @since 0.1.0
 */
export const jsonText = (reply: string): string => {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(reply)
  const text = fenced ? fenced[1]! : reply
  const start = text.indexOf("{")
  const end = text.lastIndexOf("}")
  return start >= 0 && end > start ? text.slice(start, end + 1) : text.trim()
}

const quote = (text: string) => JSON.stringify(text.length > QUOTE ? `${text.slice(0, QUOTE)}…` : text)

/** What is wrong with a reply, one clause per problem: `verdict: Expected "yes" | "no", actual "maybe"`. */
const problemsOf = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`))
    .join("; ")

/**
 * Ask for a JSON verdict and decode it; see the module doc.
 *
 * @example
 * ```ts
 * structured(Schema.Struct({ verdict: Schema.Literal("yes", "no") }), { metric: "x", messages })
 * ```
 * @since 0.1.0
 */
export const structured = <A, I>(
  schema: Schema.Schema<A, I>,
  options: StructuredOptions
): Effect.Effect<Structured<A>, MetricError, Judge> =>
  Effect.gen(function*() {
    const judge = yield* Judge
    const decode = Schema.decodeUnknownEither(Schema.parseJson(schema), { errors: "all" })
    // The last reply's decoding, shared by `accept` and the verdict (attempts of one call run one at a time).
    let last: { readonly text: string; readonly decoded: ReturnType<typeof decode> } | undefined
    const decodeReply = (text: string) => {
      if (last?.text !== text) last = { text, decoded: decode(jsonText(text)) }
      return last.decoded
    }
    // Only a reply that decodes is cached: an unusable one is asked again on the next run, not replayed.
    const accept = (text: string) => Either.isRight(decodeReply(text))
    const repairs = options.repairs ?? 2
    const attempt = (
      messages: ReadonlyArray<ChatMessage>,
      spent: Spend,
      n: number
    ): Effect.Effect<Structured<A>, MetricError> =>
      Effect.gen(function*() {
        const reply = yield* judge.chat({ messages, json: true, topLogprobs: options.topLogprobs }, { accept }).pipe(
          Effect.mapError((e) => new MetricError({ metric: options.metric, message: `judge call failed (${e.kind}): ${e.message}` }))
        )
        const spend = addSpend(spent, spendOf(reply))
        const decoded = decodeReply(reply.text)
        if (Either.isRight(decoded)) return { value: decoded.right, reply, spend }
        const problem = problemsOf(decoded.left)
        if (n >= repairs) {
          return yield* new MetricError({
            metric: options.metric,
            message: `judge reply unusable after ${n + 1} attempt(s): ${problem}; last reply: ${quote(reply.text)}`
          })
        }
        yield* Effect.logDebug(`${options.metric}: judge reply unusable (${problem}), asking again`)
        const repair: ReadonlyArray<ChatMessage> = [
          { role: "assistant", content: reply.text },
          {
            role: "user",
            content: `Your reply could not be used:\n${problem}\nReply again with only the JSON object in the requested format, nothing else.`
          }
        ]
        return yield* attempt([...messages, ...repair], spend, n + 1)
      })
    return yield* attempt(options.messages, noSpend, 0)
  })
