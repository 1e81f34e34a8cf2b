/**
 * @assay/judge — LLM judges: the `Judge` service (chat calls with usage, cost and logprobs), the shared call
 * policy (adaptive connection cap, rate limits, retries honoring Retry-After, deadlines, stats), providers
 * (OpenAI-compatible chat completions, OpenAI and Anthropic via @effect/ai), structured verdicts with repair, and the
 * LLM-as-judge metrics with their factories.
 *
 * @example
 * ```ts
 * import { Config, Effect, Either } from "effect"
 * import { evaluate } from "@assay/core"
 * import { faithfulness, judgeLayerConfig, parseJudgeSpec } from "@assay/judge"
 * const spec = Either.getOrThrow(parseJudgeSpec("openai:gpt-4o-mini"))
 * const JudgeLive = judgeLayerConfig(spec, { apiKey: Config.redacted("MY_OPENAI_KEY") })
 * evaluate(cases, [faithfulness({ judge: "openai:gpt-4o-mini" })]).pipe(Effect.provide(JudgeLive))
 * ```
 */
export * from "./errors.js"
export * from "./chat.js"
export * from "./headers.js"
export * from "./classify.js"
export * from "./policy.js"
export * from "./shared-limit.js"
export * from "./pricing.js"
export * from "./reservation.js"
export * from "./provider.js"
export * from "./guard.js"
export * from "./judge.js"
export * from "./reply-cache.js"
export * from "./recording.js"
export * from "./offline.js"
export * from "./node-http.js"
export * from "./recorded-http.js"
export * from "./tracing.js"
export * from "./verdict.js"
export * from "./images.js"
export * from "./layer.js"
export * from "./batch/api.js"
export { customIdOf, makeBatcher, pollSchedule, type BatcherSettings } from "./batch/batcher.js"
export { batchCallsLayer, type BatchOptions, batchSupport } from "./batch/layer.js"
export * as OpenAiBatch from "./batch/openai.js"
export * as AnthropicBatch from "./batch/anthropic.js"
export * from "./embeddings.js"
export * from "./embeddings-layer.js"
export * from "./settings.js"
export * as OpenAiCompatible from "./providers/openai-compatible.js"
export * as OpenAi from "./providers/openai.js"
export * as Anthropic from "./providers/anthropic.js"
export * as Gemini from "./providers/gemini.js"
export * as Bedrock from "./providers/bedrock.js"
export * from "./testing.js"
export * from "./metrics/index.js"
