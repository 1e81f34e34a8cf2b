#!/usr/bin/env node
// Transport benchmark (issue 4): the openai-compatible provider's two transports against a bare undici loop.
// Requires a build (`npm run build`). Prints numbers, asserts nothing.
//   node bench/transport.mjs [N=2000] [IN_FLIGHT=50] [ROUNDS=3]
// Each round sends N chat completions, IN_FLIGHT at a time, to the fake server (child process, latency 50 ms):
//   bare        undici.request in a plain async loop (no Effect)
//   dispatcher  ChatProvider.complete over OpenAiCompatible.layer (undici's Dispatcher, what the CLI uses)
//   httpClient  ChatProvider.complete over OpenAiCompatible.layerHttpClient + NodeHttpClient.layerUndici (@effect/platform)
// and prints wall time ÷ the ideal ⌈N/IN_FLIGHT⌉ × 50 ms and client CPU per call. The provider rows include
// what a judge call needs beyond HTTP: the request body, Schema-decoding the completion, rate-limit headers.
import { Effect, Layer, ManagedRuntime } from "effect"
import { NodeHttpClient } from "@effect/platform-node"
import { ChatProvider, OpenAiCompatible } from "@assay/judge"
import { bareUndici, benchRequest, startServer } from "./fake-server.mjs"

const N = Number(process.argv[2] ?? 2000)
const IN_FLIGHT = Number(process.argv[3] ?? 50)
const ROUNDS = Number(process.argv[4] ?? 3)
const LATENCY = 50

const server = await startServer(["--latency", String(LATENCY)])

const options = { baseUrl: server.baseUrl, model: "fake", apiKey: undefined }
const runtimes = {
  dispatcher: ManagedRuntime.make(OpenAiCompatible.layer(options).pipe(Layer.provide(NodeHttpClient.dispatcherLayer))),
  httpClient: ManagedRuntime.make(OpenAiCompatible.layerHttpClient(options).pipe(Layer.provide(NodeHttpClient.layerUndici)))
}

const bare = () => bareUndici(server.baseUrl, N, IN_FLIGHT)
const viaProvider = (runtime) => () =>
  runtime.runPromise(Effect.flatMap(ChatProvider, (provider) =>
    Effect.forEach(Array.from({ length: N }), () => provider.complete(benchRequest), { concurrency: IN_FLIGHT, discard: true })))

const ideal = Math.ceil(N / IN_FLIGHT) * LATENCY
const measure = async (f) => {
  const cpu = process.cpuUsage()
  const start = performance.now()
  await f()
  const wall = performance.now() - start
  const used = process.cpuUsage(cpu)
  return { ratio: wall / ideal, cpu: (used.user + used.system) / N }
}

try {
  for (const runtime of Object.values(runtimes)) await runtime.runtime()
  const modes = { bare, dispatcher: viaProvider(runtimes.dispatcher), httpClient: viaProvider(runtimes.httpClient) }
  console.log(`${N} calls, ${IN_FLIGHT} in flight, latency ${LATENCY} ms, ideal ${ideal} ms; round 1 includes JIT warm-up`)
  for (let round = 1; round <= ROUNDS; round++) {
    const cells = []
    for (const [name, f] of Object.entries(modes)) {
      const { cpu, ratio } = await measure(f)
      cells.push(`${name} ratio ${ratio.toFixed(3)} CPU ${cpu.toFixed(0)} µs/call`)
    }
    console.log(`  round ${round}: ${cells.join(" | ")}`)
  }
} finally {
  for (const runtime of Object.values(runtimes)) await runtime.dispose()
  server.stop()
}
