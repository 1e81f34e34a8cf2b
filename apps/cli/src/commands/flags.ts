/**
 * Command-line flags shared by the commands: the run flags of `assay run` and the output/progress flags of
 * `run` and `resume`. Values with units go through the same Schemas as the config file.
 *
 * @example
 * ```ts
 * import { outputFlags, runFlags } from "./flags.js"
 * Command.make("run", { ...runFlags, ...outputFlags }, handler)
 * ```
 */
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect, Either, HashMap, Option, ParseResult, Schema } from "effect"
import { Budget, Concurrency, Connections, fromFlag, Pause, PerMinute, Rate, Reducer, Repeat, Retries, TimeLimit, Usd } from "../config/values.js"
import { progressTerminal, type ProgressMode } from "../progress/reporter.js"
import { streamStyle, type Style } from "../report/style.js"
import type { Outputs } from "../run/outputs.js"
import type { RunFlags } from "../run/plan.js"

/**
 * An optional flag whose value is decoded with one of the Schemas config files use too (../config/values.ts),
 * while the command line is parsed — before any work or any stored run. A bad value is a usage error (exit 2)
 * naming the flag and the accepted form, e.g. `--concurrency: expected an integer from 1 to 10000, got "0"`.
 *
 * @example
 * ```ts
 * valueFlag("repeat", Repeat, "measure every metric n times")
 * ```
 */
export const valueFlag = <A>(name: string, schema: Schema.Schema<A, string | number>, description: string) => {
  const decode = Schema.decodeEither(fromFlag(schema))
  return Options.text(name).pipe(
    Options.mapEffect((text) =>
      Either.mapLeft(decode(text), (error) => {
        const detail = ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? `invalid value ${JSON.stringify(text)}`
        return ValidationError.invalidValue(HelpDoc.p(`--${name}: ${detail}`))
      })),
    Options.withDescription(description),
    Options.optional
  )
}

/**
 * `--max-cost <usd>`: the run's spending limit (also a flag of `resume`, to continue with a higher one).
 *
 * @example
 * ```ts
 * Command.make("resume", { maxCost: maxCostFlag }, ({ maxCost }) => Console.log(maxCost))
 * ```
 */
export const maxCostFlag = valueFlag("max-cost", Usd, "stop before model calls (judge and target) cost more than this many USD; exit 4, resumable")

/**
 * Flags that override the config file.
 *
 * @example
 * ```ts
 * Command.make("run", { ...runFlags }, (flags) => Console.log(flags.concurrency))
 * ```
 */
export const runFlags = {
  config: Options.text("config").pipe(Options.withDescription("assay.config.json or .yaml: metrics, judge, target, run options"), Options.optional),
  metrics: Options.text("metric").pipe(Options.withDescription("metric id (repeatable; see `assay metrics`)"), Options.repeated),
  judge: Options.text("judge").pipe(Options.withDescription("LLM judge as <provider>:<model>: openai, openai-compatible, openai-responses, anthropic, gemini, bedrock"), Options.optional),
  embeddingModel: Options.text("embedding-model").pipe(Options.withDescription("embeddings of semantic-similarity as openai:<model> or openai-compatible:<model> (default: the judge provider's text-embedding-3-small)"), Options.optional),
  target: Options.text("target").pipe(Options.withDescription("system under test, fills actualOutput: <provider>:<model> (as --judge), http://host/path or exec:\"./app {{input}}\""), Options.optional),
  baseUrl: Options.text("base-url").pipe(Options.withDescription("base URL of the target's API (default OPENAI_BASE_URL)"), Options.optional),
  prompt: Options.text("prompt-template").pipe(Options.withDescription("LLM target prompt; {{input}} is replaced by the case input (not for http:// or exec: targets)"), Options.optional),
  concurrency: valueFlag("concurrency", Concurrency, "cases in flight at once, 1 to 10000 (default 20)"),
  throttle: valueFlag("throttle", Pause, "pause between case starts, e.g. 100ms"),
  ignoreErrors: Options.boolean("ignore-errors").pipe(Options.withDescription("record metric errors instead of failing the run")),
  skipOnMissingParams: Options.boolean("skip-on-missing-params").pipe(Options.withDescription("skip metrics whose required fields are missing")),
  maxErrors: valueFlag("max-errors", Budget, "errored cases tolerated: a count (5) or a share (10%)"),
  timeout: valueFlag("timeout", TimeLimit, "time limit per metric on one case, e.g. 30s"),
  deadline: valueFlag("deadline", TimeLimit, "time limit for the whole run; unfinished cases are listed"),
  maxCost: maxCostFlag,
  repeat: valueFlag("repeat", Repeat, "epochs per case, 1 to 1000: the target and metrics run n times, reduced by --reducer"),
  reducer: valueFlag("reducer", Reducer, "how epoch scores combine: mean (default), min, pass@k (any epoch passes), pass^k (all pass)"),
  maxConnections: valueFlag("max-connections", Connections, "model calls in flight per model (default: concurrency × calls per case)"),
  rpm: valueFlag("rpm", PerMinute, "requests per minute per model"),
  tpm: valueFlag("tpm", PerMinute, "tokens per minute per model"),
  maxRetries: valueFlag("max-retries", Retries, "retries after a failed call attempt; 429s never count (default 6)"),
  attemptTimeout: valueFlag("attempt-timeout", TimeLimit, "time limit per model call attempt (default 60s)"),
  callDeadline: valueFlag("call-deadline", TimeLimit, "time limit per model call, retries included (default 5m)"),
  cache: Options.text("cache").pipe(Options.withDescription("SQLite cache and run store (default .assay/assay.db)"), Options.optional),
  noCache: Options.boolean("no-cache").pipe(Options.withDescription("neither read nor write the cache")),
  offline: Options.boolean("offline").pipe(Options.withDescription("no network: judge calls only from the response cache or --replay; the target only from --replay")),
  record: Options.text("record").pipe(Options.withDescription("write every model call (judge and target) to this JSONL file"), Options.optional),
  replay: Options.text("replay").pipe(Options.withDescription("answer every model call from a --record file, with no network; a missing call fails the run"), Options.optional),
  batch: Options.boolean("batch").pipe(Options.withDescription("send judge and model-target calls through the provider's batch API (openai:, anthropic:) at half price")),
  batchPoll: valueFlag("batch-poll", TimeLimit, "first wait between polls of a batch (default 1s, growing to 30s)"),
  freshTask: Options.boolean("fresh-task").pipe(Options.withDescription("produce every target output again instead of serving it from the cache")),
  strictInput: Options.boolean("strict-input").pipe(Options.withDescription("dataset lines that are not UTF-8 are an error (default: a warning)")),
  identifier: Options.text("identifier").pipe(Options.withDescription("a name for this run (kept with it)"), Options.optional),
  hyperparameters: Options.keyValueMap("hyperparameter").pipe(Options.withDescription("key=value, part of the cache key (repeatable)"), Options.optional)
}

/**
 * Output and progress flags of `run` and `resume`.
 *
 * @example
 * ```ts
 * Command.make("resume", { ...outputFlags }, (flags) => Console.log(flags.out))
 * ```
 */
export const outputFlags = {
  out: Options.text("out").pipe(Options.withDescription("write the RunResult JSON here"), Options.optional),
  jsonl: Options.text("jsonl").pipe(Options.withDescription("append one JSON line per case as it finishes"), Options.optional),
  junit: Options.text("junit").pipe(Options.withDescription("write a JUnit XML report"), Options.optional),
  html: Options.text("html").pipe(Options.withDescription("write a self-contained HTML report"), Options.optional),
  noProgress: Options.boolean("no-progress").pipe(Options.withDescription("plain progress lines instead of a live bar")),
  minPassRate: valueFlag("min-pass-rate", Rate, "exit 0 when the pass rate reaches this, e.g. 90%")
}

type Parsed<T> = { readonly [K in keyof T]: T[K] extends Options.Options<infer A> ? A : never }

/**
 * The engine-facing flags of a parsed `run` command.
 *
 * @example
 * ```ts
 * const flags = toRunFlags(parsed) // RunFlags for resolvePlan
 * ```
 */
export const toRunFlags = (parsed: Parsed<typeof runFlags> & Parsed<typeof outputFlags>): RunFlags => ({
  metrics: parsed.metrics,
  judge: parsed.judge,
  embeddingModel: parsed.embeddingModel,
  target: parsed.target,
  baseUrl: parsed.baseUrl,
  prompt: parsed.prompt,
  concurrency: parsed.concurrency,
  throttle: parsed.throttle,
  ignoreErrors: parsed.ignoreErrors,
  skipOnMissingParams: parsed.skipOnMissingParams,
  maxErrors: parsed.maxErrors,
  timeout: parsed.timeout,
  deadline: parsed.deadline,
  maxCost: parsed.maxCost,
  repeat: parsed.repeat,
  reducer: parsed.reducer,
  maxConnections: parsed.maxConnections,
  rpm: parsed.rpm,
  tpm: parsed.tpm,
  maxRetries: parsed.maxRetries,
  attemptTimeout: parsed.attemptTimeout,
  callDeadline: parsed.callDeadline,
  minPassRate: parsed.minPassRate,
  cache: parsed.cache,
  noCache: parsed.noCache,
  offline: parsed.offline,
  record: parsed.record,
  replay: parsed.replay,
  freshTask: parsed.freshTask,
  batch: parsed.batch,
  batchPoll: parsed.batchPoll,
  strictInput: parsed.strictInput,
  identifier: parsed.identifier,
  hyperparameters: Option.match(parsed.hyperparameters, {
    onNone: () => ({}),
    onSome: (map) => Object.fromEntries(HashMap.toEntries(map))
  })
})

/**
 * Resolve the output settings: colours per stream (stdout for reports, stderr for progress; see `colourEnabled`); a live progress region only when stderr
 * (where progress goes) is a terminal, not a dumb one, and `--no-progress` is not given.
 *
 * @example
 * ```ts
 * const outputs = yield* toOutputs(parsed)
 * ```
 */
export const toOutputs = (parsed: Parsed<typeof outputFlags>): Effect.Effect<Outputs> =>
  Effect.gen(function*() {
    const progress: ProgressMode = !parsed.noProgress && (yield* progressTerminal) ? "bar" : "plain"
    return { out: parsed.out, jsonl: parsed.jsonl, junit: parsed.junit, html: parsed.html, progress, style: yield* detectStyle, progressStyle: yield* streamStyle("stderr") }
  })

/**
 * The style of what goes to stdout (reports, the summary): see `colourEnabled`.
 *
 * @example
 * ```ts
 * const style = yield* detectStyle
 * ```
 */
export const detectStyle: Effect.Effect<Style> = streamStyle("stdout")
