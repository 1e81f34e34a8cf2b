#!/usr/bin/env node
// Cost-budget accounting overhead (issue 18). Requires a build (`npm run build`). Prints numbers, asserts nothing.
//   node bench/budget.mjs [N=10000] [CONCURRENCY=64] [RUNS=5]
// N cases × 1 judge call through the engine, the judge's reservation and settlement included, with and
// without `maxCost` (a limit the run never reaches, so both runs make all N calls), alternating, RUNS times each
// after an untimed warm-up of each. Two transports:
//   memory — a ChatProvider that answers at once: the budget's cost is the largest share of a call it can be;
//   http   — the fake OpenAI server (packages/fake-openai, child process, 5 ms latency) through the CLI's
//            openai-compatible transport: what a run sees.
// Reports median wall time and client CPU per call, and the difference the budget makes.
// Run benchmarks one at a time on a shared machine: `flock /tmp/assay-bench.lock …`.
import { loadavg } from "node:os"
import { Effect, Layer, ManagedRuntime } from "effect"
import { NodeHttpClient } from "@effect/platform-node"
import { evaluate, LLMTestCase, Metric, MetricError } from "@assay/core"
import { CallPolicy, ChatProvider, Judge, layerJudge, OpenAiCompatible, withOverrides, defaultPrices } from "@assay/judge"
import { benchRequest, startServer } from "./fake-server.mjs"

const N = Number(process.argv[2] ?? 10_000)
const CONCURRENCY = Number(process.argv[3] ?? 64)
const RUNS = Number(process.argv[4] ?? 5)
const prices = withOverrides(defaultPrices, { fake: { input: 0.15, output: 0.6 } })

const judgeMetric = Metric.make({
  name: "judge-echo",
  measure: () =>
    Effect.flatMap(Judge, (judge) => judge.chat(benchRequest)).pipe(
      Effect.map((reply) => ({ score: 1, cost: reply.cost, tokens: reply.usage })),
      Effect.mapError((e) => new MetricError({ metric: "judge-echo", message: e.message }))
    )
})
const cases = Array.from({ length: N }, (_, i) => LLMTestCase.make({ name: `c${i}`, input: `q${i}`, actualOutput: `a${i}` }))

const memoryProvider = Layer.succeed(ChatProvider, {
  provider: "openai-compatible",
  model: "fake",
  complete: () => Effect.succeed({ text: "8", usage: { input: 12, output: 1 } })
})
const policy = CallPolicy.layer({ maxConnections: CONCURRENCY, initialConnections: CONCURRENCY })
const runtimeOf = (provider) => ManagedRuntime.make(layerJudge(prices).pipe(Layer.provideMerge(policy), Layer.provide(provider)))

async function run(runtime, maxCost) {
  const cpu = process.cpuUsage()
  const start = performance.now()
  const result = await runtime.runPromise(evaluate(cases, [judgeMetric], { concurrency: CONCURRENCY, ...(maxCost ? { maxCost } : {}) }))
  const wall = performance.now() - start
  const used = process.cpuUsage(cpu)
  if (result.status !== "completed" || result.summary.passed !== N) throw new Error(`run did not complete: ${result.status}`)
  return { wall, cpuPerCall: (used.user + used.system) / N, cost: result.summary.cost }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function measure(label, runtime) {
  await run(runtime, undefined)
  await run(runtime, 1e9)
  const plain = []
  const budgeted = []
  for (let i = 0; i < RUNS; i++) {
    plain.push(await run(runtime, undefined))
    budgeted.push(await run(runtime, 1e9))
  }
  const w0 = median(plain.map((r) => r.wall))
  const w1 = median(budgeted.map((r) => r.wall))
  const c0 = median(plain.map((r) => r.cpuPerCall))
  const c1 = median(budgeted.map((r) => r.cpuPerCall))
  console.log(
    `${label.padEnd(6)} without budget ${w0.toFixed(0)} ms (${c0.toFixed(1)} µs CPU/call) · with maxCost ${w1.toFixed(0)} ms (${c1.toFixed(1)} µs CPU/call)` +
      ` · budget overhead ${(((w1 - w0) / w0) * 100).toFixed(1)} % wall, ${(c1 - c0).toFixed(1)} µs CPU/call · cost $${budgeted[0].cost.toFixed(4)}`
  )
}

console.log(`budget overhead: ${N} judge calls, concurrency ${CONCURRENCY}, ${RUNS} runs each · load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
const memory = runtimeOf(memoryProvider)
await measure("memory", memory)
await memory.dispose()
const server = await startServer(["--reply", "8", "--latency", "5"])
const http = runtimeOf(OpenAiCompatible.layer({ baseUrl: server.baseUrl, model: "fake", apiKey: undefined }).pipe(Layer.provide(NodeHttpClient.dispatcherLayer)))
await measure("http", http)
await http.dispose()
server.stop()
