/**
 * The {@link BatchCalls} layer of a judge or target spec in batch mode: the provider's batch client (OpenAI's
 * Batch API for `openai:`, Message Batches for `anthropic:`) behind the batcher. Other providers have no batch
 * API: {@link batchSupport} says why, and the CLI refuses the combination before the run.
 *
 * @example
 * ```ts
 * batchCallsLayer({ provider: "openai", model: "gpt-4o-mini" }, { apiKey, baseUrl, temperature: 0 }, { poll: "2 seconds" })
 * ```
 */
import type { HttpClient } from "@effect/platform"
import { type Duration, Effect, Layer, type Redacted } from "effect"
import { BatchCalls } from "./api.js"
import { makeBatcher } from "./batcher.js"

/**
 * How batch mode polls and gathers (see `./batcher.ts`).
 *
 * @example
 * ```ts
 * const options: BatchOptions = { poll: "5 seconds" }
 * ```
 * @since 0.1.0
 */
export interface BatchOptions {
  /** The first wait between polls (default 1 s), growing by half each poll up to `maxPoll` (default 30 s). */
  readonly poll?: Duration.DurationInput | undefined
  readonly maxPoll?: Duration.DurationInput | undefined
  /** How long the queue must stop growing before its requests are submitted (default 1 s). */
  readonly gather?: Duration.DurationInput | undefined
}

/**
 * Why a provider cannot run in batch mode (undefined: it can). Only `openai:` and `anthropic:` have batch APIs.
 *
 * @example
 * ```ts
 * batchSupport("openai-compatible", "llama3.1") // "openai-compatible:llama3.1 has no batch API; …"
 * ```
 * @since 0.1.0
 */
export const batchSupport = (provider: string, model: string): string | undefined =>
  provider === "openai" || provider === "anthropic"
    ? undefined
    : `${provider}:${model} has no batch API; --batch works with openai:<model> and anthropic:<model>`

/**
 * The batch-mode call service for a provider with a batch API.
 *
 * @example
 * ```ts
 * layerJudge().pipe(Layer.provide(batchCallsLayer(spec, settings, {})))
 * ```
 * @since 0.1.0
 */
export const batchCallsLayer = (
  spec: { readonly provider: "openai" | "anthropic"; readonly model: string },
  settings: {
    readonly apiKey: Redacted.Redacted | undefined
    readonly baseUrl: string
    readonly temperature: number
    readonly redact: (text: string) => string
    readonly keyHint: string
  },
  options: BatchOptions
): Layer.Layer<BatchCalls, never, HttpClient.HttpClient> =>
  Layer.scoped(
    BatchCalls,
    Effect.gen(function*() {
      const { apiKey, baseUrl, temperature } = settings
      // The provider's batch client (and its provider code) is imported only by a run in batch mode.
      const client = spec.provider === "openai"
        ? yield* Effect.flatMap(Effect.promise(() => import("./openai.js")), (OpenAiBatch) =>
          OpenAiBatch.make({ provider: "openai", model: spec.model, apiKey, baseUrl, temperature }))
        : yield* Effect.flatMap(Effect.promise(() => import("./anthropic.js")), (AnthropicBatch) =>
          AnthropicBatch.make({ model: spec.model, apiKey, baseUrl, temperature }))
      return yield* makeBatcher(client, {
        model: `${spec.provider}:${spec.model}`,
        poll: options.poll,
        maxPoll: options.maxPoll,
        gather: options.gather,
        redact: settings.redact,
        keyHint: settings.keyHint
      })
    })
  )
