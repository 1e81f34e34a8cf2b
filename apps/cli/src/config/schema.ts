/**
 * The `assay.config.json` / `assay.config.yaml` file: metrics with parameters and thresholds, the judge, the
 * target under test and run options. Every field is optional; command-line flags override it.
 *
 * @example
 * ```yaml
 * metrics:
 *   - exact-match
 *   - { metric: levenshtein, threshold: 0.8 }
 * judge: openai:gpt-4o-mini
 * concurrency: 10
 * timeout: 30s
 * maxErrors: 10%
 * minPassRate: 80%
 * maxCost: 5            # USD; the run stops before spending more (resume it with a higher budget)
 * prices: { my-model: { input: 0.2, output: 0.8 } }   # USD per 1M tokens, over the built-in table
 * hyperparameters: { prompt: v3 }
 * # the system under test: openai:<model>, or the user's app over HTTP or as a program (exec:…)
 * target:
 *   model: http://127.0.0.1:8000/ask
 *   body: { question: "{{input}}", context: "{{context}}" }
 *   output: $.answer
 *   headers: { Authorization: "Bearer {{env.APP_TOKEN}}" }
 * ```
 */
import { Either, ParseResult, Schema } from "effect"
import { parseOutputPath } from "../run/targets/json-path.js"
import { checkPlaceholder, placeholdersIn, templateProblems } from "../run/targets/placeholders.js"
import { Budget, Concurrency, Connections, ModelPrice, Pause, PerMinute, Rate, Reducer, Repeat, Retries, TimeLimit, Usd } from "./values.js"

/**
 * A metric reference: its id, or an object `{ metric: id, ...params }`.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(MetricEntry)({ metric: "rouge", variant: "rougeL" })
 * ```
 */
export const MetricEntry = Schema.Union(
  Schema.String,
  Schema.Struct({ metric: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
)
export type MetricEntry = typeof MetricEntry.Type

/**
 * An http target's body template (`target.body`): any JSON value whose strings may hold `{{input}}`,
 * `{{name}}`, `{{context}}`, `{{metadata.key}}` … (see `run/targets/placeholders.ts`); checked when the config
 * is read, so a misspelt placeholder names its field.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(BodyTemplate)({ messages: [{ role: "user", content: "{{input}}" }] })
 * ```
 */
export const BodyTemplate = Schema.Unknown.pipe(Schema.filter((body) => {
  const problems = templateProblems(body, false)
  return problems.length === 0 || problems.join("; ")
}))

/**
 * An http target's output path (`target.output`): `choices.0.message.content`, `$.answer`, `$.data[0].text`.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(OutputPath)("$.answer")
 * ```
 */
export const OutputPath = Schema.String.pipe(Schema.filter((path) => Either.match(parseOutputPath(path), { onLeft: (e) => e, onRight: () => true })))

/**
 * An http target's headers (`target.headers`): values are text where `{{env.NAME}}` is replaced by that
 * environment variable, read as a secret (never printed, stored or reported; the run keeps only the template).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(TargetHeaders)({ Authorization: "Bearer {{env.APP_TOKEN}}" })
 * ```
 */
export const TargetHeaders = Schema.Record({
  key: Schema.String.pipe(Schema.filter((name) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || `invalid header name ${JSON.stringify(name)}`)),
  value: Schema.String
}).pipe(Schema.filter((headers) => {
  const problems = Object.entries(headers).flatMap(([name, value]) => headerProblems(name, value).map((p) => ({ path: [name], message: p })))
  return problems.length === 0 || problems
}))

/** Header names whose values are credentials: they must come from the environment, so no config or run keeps them. */
const CREDENTIAL_HEADER = /(authorization|api[-_]?key|token|secret|password|cookie)/i

/** What is wrong with one header value. */
const headerProblems = (name: string, value: string): ReadonlyArray<string> => {
  if (/[\r\n]/.test(value)) return ["a header value cannot contain a line break"]
  const names = placeholdersIn(value)
  if (CREDENTIAL_HEADER.test(name) && !names.some((n) => n.startsWith("env."))) {
    return ["a credential must come from the environment: write it as {{env.NAME}} (e.g. \"Bearer {{env.APP_TOKEN}}\"), never in the config file"]
  }
  return names.flatMap((placeholder) => {
    if (!placeholder.startsWith("env.")) return [`{{${placeholder}}}: header values may reference {{env.NAME}} only`]
    const problem = checkPlaceholder(placeholder, true)
    return problem === undefined ? [] : [problem]
  })
}

/**
 * The system under test, which produces `actualOutput` from each case: a model (`openai:<model>`,
 * `openai-compatible:<model>`, `anthropic:<model>`, with `prompt` and `baseUrl`), the user's HTTP endpoint
 * (`http://…` / `https://…`, with `body`, `output` and `headers`), or a program (`exec:./app --q {{input}}`).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(TargetConfig)({ model: "openai:gpt-4o-mini", prompt: "Q: {{input}}" })
 * Schema.decodeUnknownSync(TargetConfig)({ model: "http://127.0.0.1:8000/ask", body: { q: "{{input}}" }, output: "$.answer" })
 * ```
 */
export const TargetConfig = Schema.Struct({
  /** `openai:<model>`, `http://host/path`, `exec:<command line>`. */
  model: Schema.String,
  /** LLM targets: prompt template; `{{input}}` is replaced by the case's input (default: the input alone). */
  prompt: Schema.optional(Schema.String),
  /** LLM targets: the API's base URL. */
  baseUrl: Schema.optional(Schema.String),
  /** http targets: the JSON body posted per case (default `{ "input": "{{input}}" }`). */
  body: Schema.optionalWith(BodyTemplate, { exact: true }),
  /** http targets: where the output is in the JSON reply (default: the whole reply body as text). */
  output: Schema.optionalWith(OutputPath, { exact: true }),
  /** http targets: request headers; `{{env.NAME}}` reads a secret from the environment. */
  headers: Schema.optionalWith(TargetHeaders, { exact: true }),
  /** Part of the task cache key: bump it to produce every case again. */
  version: Schema.optional(Schema.String)
})
export type TargetConfig = typeof TargetConfig.Type

/**
 * The config's `target`: a spec string, or a {@link TargetConfig}. Decoded by hand so a bad field is reported
 * once, at its path, rather than beside "expected a string" from the other alternative.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(TargetEntry)("exec:./app {{input}}")
 * ```
 */
export const TargetEntry = Schema.transformOrFail(Schema.Unknown, Schema.Union(Schema.String, Schema.typeSchema(TargetConfig)), {
  strict: true,
  decode: (input, options, ast) => {
    if (typeof input === "string") return ParseResult.succeed(input)
    if (typeof input === "object" && input !== null && !Array.isArray(input)) return ParseResult.decodeUnknown(TargetConfig)(input, options)
    return ParseResult.fail(new ParseResult.Type(ast, input, `expected openai:<model>, http://…, exec:<command> or { model: …, … }, got ${JSON.stringify(input)}`))
  },
  encode: ParseResult.succeed
})

/**
 * The whole config file.
 *
 * @example
 * ```ts
 * Schema.decodeUnknownSync(AssayConfig)({ metrics: ["exact-match"], timeout: "30s" })
 * ```
 */
export const AssayConfig = Schema.Struct({
  metrics: Schema.optional(Schema.Array(MetricEntry)),
  judge: Schema.optional(Schema.String),
  /** Embeddings of `semantic-similarity`: `openai:<model>` or `openai-compatible:<model>` (`--embedding-model`). */
  embeddingModel: Schema.optional(Schema.String),
  target: Schema.optionalWith(TargetEntry, { exact: true }),
  concurrency: Schema.optional(Concurrency),
  throttle: Schema.optional(Pause),
  ignoreErrors: Schema.optional(Schema.Boolean),
  skipOnMissingParams: Schema.optional(Schema.Boolean),
  maxErrors: Schema.optional(Budget),
  timeout: Schema.optional(TimeLimit),
  deadline: Schema.optional(TimeLimit),
  repeat: Schema.optional(Repeat),
  reducer: Schema.optional(Reducer),
  maxConnections: Schema.optional(Connections),
  rpm: Schema.optional(PerMinute),
  tpm: Schema.optional(PerMinute),
  maxRetries: Schema.optional(Retries),
  attemptTimeout: Schema.optional(TimeLimit),
  callDeadline: Schema.optional(TimeLimit),
  minPassRate: Schema.optional(Rate),
  /** Stop the run before its model calls cost more than this many USD (`--max-cost`). */
  maxCost: Schema.optional(Usd),
  /** Prices (USD per 1M tokens) by bare model name, over the built-in table: `{ "my-model": { input, output } }`. */
  prices: Schema.optional(Schema.Record({ key: Schema.String, value: ModelPrice })),
  cache: Schema.optional(Schema.String),
  /** Record every model call into this JSONL file (`--record`). */
  record: Schema.optional(Schema.String),
  /** Answer every model call from this recording, with no network (`--replay`). */
  replay: Schema.optional(Schema.String),
  /** No network at all (`--offline`). */
  offline: Schema.optional(Schema.Boolean),
  /** Judge and model-target calls through the providers' batch APIs (`--batch`). */
  batch: Schema.optional(Schema.Boolean),
  /** The first wait between polls of a batch (`--batch-poll`, default 1s; it grows to 30s). */
  batchPoll: Schema.optional(TimeLimit),
  identifier: Schema.optional(Schema.String),
  hyperparameters: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type AssayConfig = typeof AssayConfig.Type
