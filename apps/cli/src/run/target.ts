/**
 * The system under test: with `--target openai:<model>` (or `openai-compatible:`, `anthropic:`, `gemini:`, `bedrock:`), every case
 * that has no `actualOutput` gets one by sending its input (through the prompt template) to the model, using
 * the judge package's client (call policy, retries and rate limits included), as the engine's task: inside
 * the case's worker, under the run's concurrency and error policy. `--target http://…` posts the case to the
 * user's endpoint (`targets/http.ts`) and `--target exec:"…"` runs the user's program (`targets/exec.ts`),
 * as the same kind of task.
 *
 * The target is the {@link RunTarget} service, built by {@link targetLayer}: an LLM target's client lives as
 * long as that layer.
 *
 * @example
 * ```ts
 * import { RunTarget, targetLayer } from "./target.js"
 * run.pipe(Effect.provide(targetLayer({ model: "openai:gpt-4o-mini", prompt: "Answer briefly: {{input}}" }, 20)))
 * ```
 */
import { contentText, type Task, type TaskOutput } from "@assay/core"
import { type BatchOptions, imageParts, Judge, type JudgeError, type JudgeStats, parseJudgeSpec, type PriceTable, resolveImages } from "@assay/judge"
import type { CommandExecutor, HttpClient } from "@effect/platform"
import { Config, Context, type Deferred, Effect, Either, Layer, Option, Schema } from "effect"
import { firstOf, vendorOf } from "../config/env.js"
import type { TargetConfig } from "../config/schema.js"
import { UsageError } from "../errors.js"
import type { CallLimits } from "./plan.js"
import { judgeLayerFromEnv, policyOf, runConnections } from "./services.js"
import { makeExecTarget } from "./targets/exec.js"
import { makeHttpTarget } from "./targets/http.js"

/** The target call of one case failed (after its retries): an error on that case. */
class TargetFailed extends Schema.TaggedError<TargetFailed>()("TargetFailed", { message: Schema.String }) {}

/**
 * The prompt for a case: `{{input}}` in the template replaced by the case's input text.
 *
 * @example
 * ```ts
 * renderPrompt("Q: {{input}}\nA:", "2+2?") // "Q: 2+2?\nA:"
 * ```
 */
export const renderPrompt = (template: string | undefined, input: string): string =>
  template === undefined ? input : template.replaceAll("{{input}}", input)

/**
 * The target as the engine's task, and its client's counters (for the progress line and the summary).
 *
 * @example
 * ```ts
 * const target = Option.getOrUndefined(yield* RunTarget) // undefined without --target
 * ```
 */
export interface Target {
  /** The `--target` value, e.g. `openai:gpt-4o-mini`. */
  readonly model: string
  readonly task: Task
  readonly stats: Effect.Effect<JudgeStats>
  /** The client's fatal failure — a rejected key, an unreachable endpoint — which ends the run (`stopOnFatal`). */
  readonly fatal: Deferred.Deferred<never, JudgeError> | undefined
}

/**
 * The run's target: none without `--target`. A service, so that a Layer ({@link targetLayer}) builds it and
 * owns what it holds (an LLM target's client, an http target's call policy).
 *
 * @example
 * ```ts
 * const task = Option.map(yield* RunTarget, (target) => target.task)
 * ```
 */
export class RunTarget extends Context.Tag("assay/cli/RunTarget")<RunTarget, Option.Option<Target>>() {}

/** What a target's layer needs from the application: http targets post through its client, exec targets run programs. */
type TargetNeeds = HttpClient.HttpClient | CommandExecutor.CommandExecutor

/**
 * The target as a layer providing {@link RunTarget}: every case without an `actualOutput` gets one by sending
 * its input (through the prompt template) to the model; its cost and tokens count in the case's totals. A call
 * that fails after the call policy's retries fails that case only (the engine applies the run's error policy).
 * Cases a resumed run already finished never reach the task. Settings that do not fit the target's kind, or
 * that its client rejects (`target settings: …`), fail the layer with a UsageError.
 *
 * @example
 * ```ts
 * run.pipe(Effect.provide(targetLayer(plan.target, plan.concurrency, plan.calls)))
 * ```
 */
export const targetLayer = (
  target: TargetConfig | null,
  concurrency: number,
  calls: CallLimits = {},
  /** False when every call is replayed from a recording: no API key needed. */
  requireKey = true,
  /** Batch mode: an LLM target's calls go through the provider's batch API. */
  batch?: BatchOptions | undefined,
  /** Prices of model targets (default: the judge package's table). */
  prices?: PriceTable | undefined
): Layer.Layer<RunTarget, UsageError, TargetNeeds> =>
  // The type arguments let each kind's layer need only part of TargetNeeds.
  Layer.unwrapEffect<RunTarget, UsageError, TargetNeeds, UsageError, never>(Effect.gen(function*() {
    if (target === null) return Layer.succeed(RunTarget, Option.none())
    const kind = targetKind(target.model)
    const misplaced = misplacedSettings(target, kind)
    if (misplaced !== undefined) return yield* new UsageError({ message: misplaced })
    if (kind === "http") {
      if (!URL.canParse(target.model)) return yield* new UsageError({ message: `--target ${target.model}: not a valid URL` })
      return Layer.scoped(RunTarget, Effect.map(makeHttpTarget(target, concurrency, calls), Option.some))
    }
    if (kind === "exec") return Layer.effect(RunTarget, Effect.map(makeExecTarget(target.model, calls), Option.some))
    return yield* modelTarget(target, concurrency, calls, requireKey, batch, prices)
  }))

/** What kind of system a `--target` names. */
const targetKind = (spec: string): "http" | "exec" | "model" =>
  /^https?:\/\//i.test(spec) ? "http" : spec.startsWith("exec:") ? "exec" : "model"

/** Why settings given for another kind of target do not apply to this one (undefined: they all do). */
const misplacedSettings = (target: TargetConfig, kind: "http" | "exec" | "model"): string | undefined => {
  const given = (names: ReadonlyArray<[keyof TargetConfig, string]>) => names.filter(([key]) => target[key] !== undefined).map(([, label]) => label)
  const llmOnly = kind === "model" ? [] : given([["prompt", "--prompt-template (target.prompt)"], ["baseUrl", "--base-url (target.baseUrl)"]])
  if (llmOnly.length > 0) {
    const where = kind === "http" ? "put {{input}} in target.body" : "put {{input}} in the command"
    return `${llmOnly.join(" and ")} applies to LLM targets (openai:, openai-compatible:, anthropic:, gemini:, bedrock:) only: with --target ${target.model}, ${where}`
  }
  const httpOnly = kind === "http" ? [] : given([["body", "target.body"], ["output", "target.output"], ["headers", "target.headers"]])
  return httpOnly.length > 0 ? `${httpOnly.join(", ")} applies to http:// and https:// targets only, not to --target ${target.model}` : undefined
}

/**
 * The `openai:` / `openai-compatible:` / `anthropic:` / `gemini:` / `bedrock:` target: a layer over the judge
 * package's client (its own Judge, seen only by this target), whose errors are reported as target settings.
 */
const modelTarget = (target: TargetConfig, concurrency: number, calls: CallLimits, requireKey: boolean, batch: BatchOptions | undefined, prices: PriceTable | undefined) =>
  Effect.gen(function*() {
    const spec = parseJudgeSpec(target.model)
    if (Either.isLeft(spec)) return yield* new UsageError({ message: spec.left.message.replace("--judge", "--target") })
    // The provider's own base URL variables (OPENAI_BASE_URL, GEMINI_BASE_URL, …), never ASSAY_JUDGE_BASE_URL.
    const envBaseUrl = yield* firstOf(Config.string, vendorOf(spec.right.provider).urls).pipe(Effect.orElseSucceed(() => Option.none()))
    const baseUrl = target.baseUrl ?? Option.getOrUndefined(envBaseUrl)
    const client = judgeLayerFromEnv({
      ...spec.right,
      defaults: runConnections(concurrency, 1),
      policy: policyOf(calls),
      requireKey,
      batch,
      ...(prices !== undefined ? { prices } : {}),
      ...(baseUrl !== undefined ? { baseUrl } : {})
    }).pipe(Layer.mapError((error) => new UsageError({ message: `target settings: ${error.message}` })))
    return Layer.effect(RunTarget, Effect.map(Judge, (judge) => Option.some(modelTask(target, judge)))).pipe(Layer.provide(client))
  })

/** The model target's task and counters over its client. */
const modelTask = (target: TargetConfig, client: Judge["Type"]): Target => {
  const task: Task = (testCase) => {
    if (testCase._tag !== "LLMTestCase" || testCase.actualOutput !== undefined) return Effect.succeed({ testCase })
    const content = renderPrompt(target.prompt, contentText(testCase.input))
    // Image parts of a multimodal input go to the model beside the prompt, resolved and size-checked as for judges.
    return resolveImages(`target ${target.model}`, imageParts(testCase.input)).pipe(
      Effect.flatMap((images) => client.chat({ messages: [{ role: "user", content, ...(images.length > 0 ? { images } : {}) }] })),
      Effect.map((reply): TaskOutput => ({ testCase: { ...testCase, actualOutput: reply.text }, cost: reply.cost, tokens: reply.usage })),
      Effect.mapError((error) =>
        new TargetFailed({ message: error._tag === "MetricError" ? error.message : `target ${target.model}: ${error.message}` })
      )
    )
  }
  return { model: target.model, task, stats: client.stats, fatal: client.fatal }
}
