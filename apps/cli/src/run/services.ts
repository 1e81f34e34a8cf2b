/**
 * The per-run services a plan asks for, provided around the engine: the LLM judge (built from `--judge`
 * only when a judged metric is selected; otherwise `Judge.unavailable`, which refuses every call),
 * whose identical requests are answered from the database's response cache (only from it with `--offline`),
 * and the SQLite evaluation cache on the command's database (a cache that keeps nothing with `--no-cache`).
 *
 * @example
 * ```ts
 * import { runServices } from "./services.js"
 * run.pipe(Effect.provide(runServices(plan, judged)))
 * ```
 */
import { EvalCache, TaskCache } from "@assay/core"
import {
  defaultEmbeddingModel,
  defaultPolicySettings,
  defaultPrices,
  Embedder,
  embedderLayer,
  EmbeddingCache,
  type EmbeddingSpec,
  Judge,
  type JudgeError,
  judgeLayer,
  type JudgeSpec,
  makeReplyCache,
  parseEmbeddingSpec,
  parseJudgeSpec,
  type PolicySettings,
  type PriceTable,
  Recording,
  ReplyCache,
  withOverrides
} from "@assay/judge"
import { type Database, noopCache, ResponseCache, SqliteEvalCache, SqlTaskCache } from "@assay/store"
import type { FileSystem } from "@effect/platform"
import { Duration, Effect, Either, Layer, Option, type Redacted } from "effect"
import { embeddingSettings, judgeSettings, SECRET_VARIABLES, secretValues } from "../config/env.js"
import { RunFailed, UsageError } from "../errors.js"
import { batchOptionsOf } from "./batch.js"
import type { CallLimits, RunPlan } from "./plan.js"

/**
 * The connection cap a run asks of a model unless `ASSAY_JUDGE_MAX_CONNECTIONS` says otherwise: one connection
 * per call the run can have in flight (cases in flight × concurrent calls per case, at least the library
 * default), reached by slow start from the library default so a provider that refuses many connections is
 * found out before they are all open.
 *
 * @example
 * ```ts
 * runConnections(100, 2) // { maxConnections: 200, initialConnections: 8 }
 * ```
 */
export const runConnections = (concurrency: number, callsPerCase: number): Partial<PolicySettings> => {
  const floor = defaultPolicySettings.maxConnections
  return { maxConnections: Math.max(floor, concurrency * Math.max(1, callsPerCase)), initialConnections: floor }
}

/**
 * The call-policy settings a plan's flags or config gave; they win over `ASSAY_JUDGE_*` and the run's defaults.
 *
 * @example
 * ```ts
 * policyOf({ maxRetries: 2, callDeadlineMs: 60_000 }) // { maxRetries: 2, deadline: Duration.millis(60000) }
 * ```
 */
export const policyOf = (calls: CallLimits): Partial<PolicySettings> => {
  const { attemptTimeoutMs, callDeadlineMs, ...counts } = calls
  return {
    ...counts,
    ...(attemptTimeoutMs === undefined ? {} : { attemptTimeout: Duration.millis(attemptTimeoutMs) }),
    ...(callDeadlineMs === undefined ? {} : { deadline: Duration.millis(callDeadlineMs) })
  }
}

/**
 * The price table of a plan: the built-in table with the config's `prices` over it.
 *
 * @example
 * ```ts
 * priceOf(pricesOf(plan), "my-model") // the config's price
 * ```
 */
export const pricesOf = (plan: RunPlan): PriceTable => withOverrides(defaultPrices, plan.prices)

/**
 * The Judge + CallPolicy layer of a spec with its settings from the environment (`../config/env.ts`).
 *
 * @example
 * ```ts
 * judgeLayerFromEnv({ provider: "anthropic", model: "claude-3-5-haiku-latest" })
 * ```
 */
export const judgeLayerFromEnv = (spec: JudgeSpec) => Layer.unwrapEffect(Effect.map(judgeSettings(spec), (settings) => judgeLayer(spec, settings)))

/** The Embedder of a spec with its settings from the environment. */
const embedderLayerFromEnv = (spec: EmbeddingSpec) => Layer.unwrapEffect(Effect.map(embeddingSettings(spec), (settings) => embedderLayer(spec, settings)))

/**
 * The judge layer of a plan whose metrics include `judged` judge metrics (none: `Judge.unavailable`).
 *
 * @example
 * ```ts
 * judgeFor({ ...plan, judge: "openai:gpt-4o-mini" }, 2)
 * ```
 */
export const judgeFor = (plan: RunPlan, judged: number): Layer.Layer<Judge, UsageError, Database> => {
  if (judged === 0) return Judge.unavailable
  if (plan.offline && plan.cache === null && plan.replay === null) return Layer.fail(new UsageError({ message: "--offline replays the response cache: it cannot be combined with --no-cache" }))
  if (plan.judge === null) {
    return Layer.fail(new UsageError({ message: "a selected metric needs an LLM judge: pass --judge <provider>:<model>" }))
  }
  const spec = parseJudgeSpec(plan.judge)
  if (Either.isLeft(spec)) return Layer.fail(new UsageError({ message: spec.left.message }))
  const judge = judgeLayerFromEnv({
    ...spec.right,
    defaults: runConnections(plan.concurrency, judged),
    policy: policyOf(plan.calls),
    requireKey: plan.replay === null,
    batch: batchOptionsOf(plan),
    prices: pricesOf(plan)
  }).pipe(
    Layer.mapError((error) => new UsageError({ message: `judge settings: ${error.message}` }))
  )
  if (plan.cache === null) return judge
  const replies = Layer.effect(ReplyCache, Effect.map(ResponseCache, (responses) => makeReplyCache(responses, { offline: plan.offline })))
  return judge.pipe(Layer.provide(replies), Layer.provide(ResponseCache.Default))
}

/**
 * The embedding model of a plan: `--embedding-model` (config `embeddingModel`), else the judge provider's
 * `text-embedding-3-small`.
 *
 * @example
 * ```ts
 * embeddingModelOf({ ...plan, embeddingModel: null, judge: "openai:gpt-4o-mini" }) // "openai:text-embedding-3-small"
 * ```
 */
export const embeddingModelOf = (plan: RunPlan): string => plan.embeddingModel ?? defaultEmbeddingModel(plan.judge)

/**
 * The Embedder of a plan whose metrics include `embedded` embedding metrics (none: `Embedder.unavailable`). Its
 * vectors are kept in the database's response cache unless `--no-cache`; with `--offline` they come only from
 * it (a text never embedded fails its case). Recordings (`--record` / `--replay`) hold chat calls only.
 *
 * @example
 * ```ts
 * embedderFor({ ...plan, embeddingModel: "openai:text-embedding-3-small" }, 1)
 * ```
 */
export const embedderFor = (plan: RunPlan, embedded: number): Layer.Layer<Embedder, UsageError, Database> => {
  if (embedded === 0) return Embedder.unavailable
  const spec = parseEmbeddingSpec(embeddingModelOf(plan))
  if (Either.isLeft(spec)) return Layer.fail(new UsageError({ message: spec.left.message }))
  if (plan.offline && plan.cache === null) return Layer.fail(new UsageError({ message: "--offline replays the response cache: it cannot be combined with --no-cache" }))
  const embedder = embedderLayerFromEnv({ ...spec.right, policy: policyOf(plan.calls), offline: plan.offline }).pipe(
    Layer.mapError((error) => new UsageError({ message: `embedding settings: ${error.message}` }))
  )
  if (plan.cache === null) return embedder
  return embedder.pipe(Layer.provide(Layer.effect(EmbeddingCache, ResponseCache)), Layer.provide(ResponseCache.Default))
}

/**
 * The recording a plan asks for (`--record` / `--replay`), or none. Both at once are a usage error; a
 * recording that cannot be read is one too, naming the file and line.
 *
 * @example
 * ```ts
 * const recording = recordingFor(plan) // undefined without --record/--replay
 * ```
 */
export const recordingFor = (plan: RunPlan, resumed: boolean): Layer.Layer<Recording, UsageError, FileSystem.FileSystem> | undefined => {
  if (plan.record !== null && plan.replay !== null) return Layer.fail(new UsageError({ message: "--record and --replay cannot be combined" }))
  if (plan.replay !== null) return Recording.replay(plan.replay).pipe(Layer.mapError((e) => new UsageError({ message: e.message })))
  if (plan.record === null) return undefined
  const file = plan.record
  return Layer.unwrapEffect(
    Effect.map(
      // Every variable that may hold a secret: their values are masked in the recording.
      secretValues([...SECRET_VARIABLES, ...headerVariables(plan)]).pipe(Effect.orElseSucceed((): ReadonlyArray<Redacted.Redacted> => [])),
      (secrets) => Recording.record(file, { secrets, keep: resumed })
    )
  )
}

/** The environment variables an http target's headers read (`{{env.NAME}}`): secrets a server may echo back. */
const headerVariables = (plan: RunPlan): ReadonlyArray<string> =>
  Object.values(plan.target?.headers ?? {}).flatMap((value) => [...value.matchAll(/\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!))

/** The task cache of a plan: on the run's database unless `--no-cache`. */
const taskCacheFor = (plan: RunPlan): Layer.Layer<TaskCache, never, Database> =>
  plan.cache === null
    ? Layer.succeed(TaskCache, { getMany: (keys) => Effect.succeed(keys.map(() => Option.none())), setMany: () => Effect.void })
    : SqlTaskCache.pipe(Layer.provide(ResponseCache.Default))

/**
 * Whether cached results may be served: not with `--record` (every call must reach the recording) nor
 * `--replay` (every call must come from it).
 *
 * @example
 * ```ts
 * servesCached(plan) // false with --record
 * ```
 */
export const servesCached = (plan: RunPlan): boolean => plan.record === null && plan.replay === null

/**
 * Cases whose fresh cache outcomes the cache keeps indexed in memory before merging them into its table: a
 * bound on the memory a long run holds for the cache, whatever the dataset's size.
 */
const CACHE_INDEX_CASES = 50_000

/**
 * Every service a run of `plan` needs.
 *
 * @example
 * ```ts
 * Effect.provide(run, runServices(plan, 0))
 * ```
 */
export const runServices = (
  plan: RunPlan,
  judged: number,
  embedded = 0
): Layer.Layer<Judge | Embedder | EvalCache | TaskCache, UsageError, Database> =>
  Layer.mergeAll(
    judgeFor(plan, judged),
    embedderFor(plan, embedded),
    plan.cache === null || !servesCached(plan) ? Layer.succeed(EvalCache, noopCache) : SqliteEvalCache.layer({ compactAt: CACHE_INDEX_CASES }),
    taskCacheFor(plan)
  )

/**
 * A fatal failure of the judge or the target (see `stopOnFatal` in @assay/judge) as the CLI reports it: a
 * rejected key is a configuration error (exit 2), an unreachable endpoint a failed run (exit 3).
 *
 * @example
 * ```ts
 * fatalError("judge", "openai:gpt-4o-mini", error).message // "judge openai:gpt-4o-mini: openai rejected the API key (…): check OPENAI_API_KEY"
 * ```
 */
export const fatalError = (role: "judge" | "target", model: string, error: JudgeError): UsageError | RunFailed => {
  const message = `${role} ${model}: ${error.message}`
  return error.kind === "Auth" ? new UsageError({ message }) : new RunFailed({ message })
}
