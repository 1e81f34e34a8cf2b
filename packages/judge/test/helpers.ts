import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, type Redacted } from "effect"
import { CallPolicy, type ChatRequest, Judge, layerJudge, OpenAiCompatible, type PolicySettings } from "@assay/judge"

/** A Judge + policy layer talking to `baseUrl` over real HTTP. */
export const judgeAt = (baseUrl: string, policy: Partial<PolicySettings>, apiKey?: Redacted.Redacted) =>
  layerJudge().pipe(
    Layer.provideMerge(CallPolicy.layer(policy)),
    Layer.provide(OpenAiCompatible.layer({ baseUrl, model: "fake-judge", apiKey })),
    Layer.provide(NodeHttpClient.layerUndici)
  )

export const ask = (content: string): ChatRequest => ({ messages: [{ role: "user", content }] })

/** `n` concurrent judge calls (unbounded fibers: the policy alone must bound the connections). */
export const callMany = (n: number) =>
  Effect.flatMap(Judge, (judge) =>
    Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) => judge.chat(ask(`question ${i}`)), {
      concurrency: "unbounded"
    }))

/** Fast retries so tests over real sockets stay short. */
export const quick: Partial<PolicySettings> = { baseDelay: "2 millis", maxDelay: "50 millis", maxRetries: 8 }
