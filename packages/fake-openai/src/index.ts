/**
 * @assay/fake-openai — a fake OpenAI-compatible server (chat completions, responses, embeddings) that also
 * speaks Anthropic's Messages API (`/v1/messages`), for tests and benchmarks: latency, rate caps with
 * Retry-After, injected 500s (or 529s) and broken bodies, scripted replies, logprobs, usage, and a request log.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeOpenAi } from "@assay/fake-openai"
 * Effect.scoped(FakeOpenAi.make({ latency: "50 millis" }).pipe(Effect.map((s) => s.baseUrl)))
 * ```
 */
export * as FakeOpenAi from "./server.js"
export type { FakeOpenAiServer } from "./server.js"
export type { BatchConfig, FakeOpenAiConfig, Script } from "./config.js"
export type { LogEntry } from "./log.js"
export { parseLatency } from "./handler.js"
export { imagesOf, judgeScripts, type LoggedImage } from "./judge-scripts.js"
export { embedding } from "./replies.js"
