import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Logger, LogLevel, type Redacted } from "effect"
import { LLMTestCase } from "@assay/core"
import { CallPolicy, type ChatProvider, type ChatRequest, Judge, layerJudge, OpenAiCompatible, type PolicySettings } from "@assay/judge"

/** Both transports over one undici pool: `HttpClient` and the dispatcher itself (what `judgeLayer` provides). */
export const httpLive = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provideMerge(NodeHttpClient.dispatcherLayer))

/** A Judge + policy layer over a provider layer, with real HTTP. */
export const judgeOver = (
  provider: Layer.Layer<ChatProvider, never, HttpClient.HttpClient | NodeHttpClient.Dispatcher>,
  policy: Partial<PolicySettings>
) =>
  layerJudge().pipe(
    Layer.provideMerge(CallPolicy.layer(policy)),
    Layer.provide(provider),
    Layer.provide(httpLive)
  )

/** The two ways the openai-compatible provider can reach the server. */
export type Transport = "undici" | "httpClient"

/** A Judge + policy layer talking to an OpenAI-compatible `baseUrl` over real HTTP (the CLI's transport by default). */
export const judgeAt = (baseUrl: string, policy: Partial<PolicySettings>, apiKey?: Redacted.Redacted, transport: Transport = "undici") => {
  const options = { baseUrl, model: "fake-judge", apiKey }
  return judgeOver(transport === "undici" ? OpenAiCompatible.layer(options) : OpenAiCompatible.layerHttpClient(options), policy)
}

/** A logger that keeps every formatted line, at every level. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, cause, message }) => {
    lines.push(JSON.stringify({ message, cause: String(cause), annotations: [...annotations] }))
  })
  const layer = Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All))
  return { lines, layer }
}

/** A RAG test case whose context supports the answer. */
export const rag = (i: number) =>
  LLMTestCase.make({ name: `c${i}`, input: `question ${i}`, actualOutput: "Paris.", retrievalContext: ["Paris is the capital of France."] })

export const ask = (content: string): ChatRequest => ({ messages: [{ role: "user", content }] })

/** `n` concurrent judge calls (unbounded fibers: the policy alone must bound the connections). */
export const callMany = (n: number) =>
  Effect.flatMap(Judge, (judge) =>
    Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) => judge.chat(ask(`question ${i}`)), {
      concurrency: "unbounded"
    }))

/** Fast retries so tests over real sockets stay short. */
export const quick: Partial<PolicySettings> = { baseDelay: "2 millis", maxDelay: "50 millis", maxRetries: 8 }

/**
 * Poll `read` (live clock, every 10 ms, for at most 5 s) until `done` holds; returns the last value read. For
 * waiting on what a real server observes — the test then asserts on the value, not on how long it took.
 */
export const eventually = <A>(read: Effect.Effect<A>, done: (value: A) => boolean): Effect.Effect<A> => {
  const poll: Effect.Effect<A> = Effect.flatMap(read, (value) => (done(value) ? Effect.succeed(value) : Effect.zipRight(Effect.sleep("10 millis"), poll)))
  return Effect.timeoutTo(poll, { duration: "5 seconds", onSuccess: Effect.succeed, onTimeout: () => read }).pipe(Effect.flatten)
}
