#!/usr/bin/env node
/**
 * Standalone fake OpenAI server for benchmarks and CLI tests. Prints `listening <baseUrl>` once ready and stops
 * after `--max-seconds` (default 600) or on SIGINT/SIGTERM. `GET /_fake/log` answers its request log as JSON.
 *
 * @example
 * ```sh
 * node packages/fake-openai/dist/main.js --port 0 --latency 50 --rate 200 --fail-every 5 --reply '{"score":8}'
 * node packages/fake-openai/dist/main.js --replies 'Paris|Lyon|Lyon' # a flaky model: asked the same thing thrice,
 *                                                                   # it answers Paris, then Lyon, then Lyon
 * node packages/fake-openai/dist/main.js --answer-from-prompt   # examples/rag: answers from the prompt's context
 * node packages/fake-openai/dist/main.js --batch-delay 2000 --batch-fail broken # batches end after 2 s; lines asking "broken" fail
 * node packages/fake-openai/dist/main.js --judge-scripts        # deterministic replies to the agent/DAG/multimodal judges
 * # --rate: requests/s, stated per minute in x-ratelimit-* headers (--tpm adds a token limit; --no-rate-headers drops them)
 * ```
 */
import { parseArgs } from "node:util"
import { Console, Duration, Effect, Fiber } from "effect"
import type { FakeOpenAiConfig } from "./config.js"
import { parseLatency } from "./handler.js"
import * as FakeOpenAi from "./server.js"

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    latency: { type: "string" },
    rate: { type: "string" },
    tpm: { type: "string" },
    "no-rate-headers": { type: "boolean" },
    "fail-every": { type: "string" },
    "fail-rate": { type: "string" },
    "fail-status": { type: "string" },
    seed: { type: "string", default: "1" },
    "malformed-every": { type: "string" },
    "api-key": { type: "string" },
    "echo-credentials": { type: "boolean" },
    reply: { type: "string" },
    replies: { type: "string" },
    "answer-from-prompt": { type: "boolean" },
    "judge-scripts": { type: "boolean" },
    refuse: { type: "string" },
    "batch-delay": { type: "string" },
    "batch-fail": { type: "string" },
    "batch-outcome": { type: "string" },
    "refuse-status": { type: "string" },
    "max-seconds": { type: "string", default: "600" }
  }
})

const num = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a non-negative number, got "${text}"`)
  return n
}

/**
 * `--replies a|b|c`: the n-th request with a given last user message is answered with the n-th text (cycling),
 * whatever the order of requests across messages — a flaky model whose answers per question are predictable.
 */
const cycling = (texts: ReadonlyArray<string>) => {
  const asked = new Map<string, number>()
  return (message: string): string => {
    const n = asked.get(message) ?? 0
    asked.set(message, n + 1)
    return texts[n % texts.length]!
  }
}

function batchOutcome(text: string | undefined): "completed" | "expired" | "failed" | undefined {
  if (text === undefined || text === "completed" || text === "expired" || text === "failed") return text
  throw new Error(`--batch-outcome: expected completed, expired or failed, got "${text}"`)
}

const config: FakeOpenAiConfig = {
  port: num("port", values.port) ?? 0,
  latency: values.latency === undefined ? undefined : parseLatency(values.latency),
  rateLimit: values.rate === undefined ? undefined : {
    requestsPerSecond: num("rate", values.rate)!,
    tokensPerMinute: num("tpm", values.tpm),
    headers: values["no-rate-headers"] !== true
  },
  failEvery: num("fail-every", values["fail-every"]),
  failRate: values["fail-rate"] === undefined
    ? undefined
    : { rate: num("fail-rate", values["fail-rate"])!, seed: num("seed", values.seed)! },
  failStatus: num("fail-status", values["fail-status"]),
  malformedBodyEvery: num("malformed-every", values["malformed-every"]),
  apiKey: values["api-key"],
  echoCredentials: values["echo-credentials"],
  defaultReply: values.reply,
  scripts: values.replies === undefined ? undefined : [{ pattern: /[^]*/, content: cycling(values.replies.split("|")) }],
  answerFromPrompt: values["answer-from-prompt"],
  judgeScripts: values["judge-scripts"],
  refuse: values.refuse === undefined ? undefined : { pattern: values.refuse, status: num("refuse-status", values["refuse-status"]) },
  batch: {
    delay: values["batch-delay"] === undefined ? undefined : parseLatency(values["batch-delay"]),
    failPattern: values["batch-fail"],
    outcome: batchOutcome(values["batch-outcome"])
  }
}

const program = Effect.scoped(Effect.gen(function*() {
  const server = yield* FakeOpenAi.make(config)
  yield* Console.log(`listening ${server.baseUrl}`)
  yield* Effect.sleep(Duration.seconds(num("max-seconds", values["max-seconds"]) ?? 600))
}))

const fiber = Effect.runFork(program)
const stop = () => Effect.runFork(Fiber.interrupt(fiber))
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
