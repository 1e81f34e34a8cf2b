#!/usr/bin/env node
// Judge call-policy benchmark (issue 4). Requires a build (`npm run build`). Prints numbers, asserts nothing.
//   node bench/judge.mjs [N=2000] [CAP=50] [CASE_CONCURRENCY=2×CAP]
// Phase 1: N cases × 1 judge call through the engine, fake server latency 50 ms, connection cap CAP →
//          wall time vs the ideal ⌈N/CAP⌉ × latency (target ratio ≤ 1.10).
// Phase 2: the same against a server capped at 200 req/s answering 429 + Retry-After →
//          achieved throughput vs the cap (target ≥ 90 %) and failed calls (target 0).
// The fake server runs in a child process (packages/fake-openai/dist/main.js) so it does not share the
// benchmark's event loop.
import { spawn } from "node:child_process"
import { loadavg } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Layer } from "effect"
import { NodeHttpClient } from "@effect/platform-node"
import { evaluate, LLMTestCase, Metric, MetricError } from "@assay/core"
import { CallPolicy, Judge, layerJudge, OpenAiCompatible } from "@assay/judge"

const here = dirname(fileURLToPath(import.meta.url))
const N = Number(process.argv[2] ?? 2000)
const CAP = Number(process.argv[3] ?? 50)
const CASE_CONCURRENCY = Number(process.argv[4] ?? CAP * 2)
const LATENCY = 50
const RATE = 200

/** Start the fake server; resolves with its base URL and a stop function. */
function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "../packages/fake-openai/dist/main.js"), "--max-seconds", "300", ...args], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    child.on("error", reject)
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (text) => {
      const match = /listening (\S+)/.exec(text)
      if (match) resolve({ baseUrl: match[1], stop: () => child.kill("SIGTERM") })
    })
  })
}

const judgeMetric = Metric.make({
  name: "judge-echo",
  measure: () =>
    Effect.flatMap(Judge, (judge) => judge.chat({ messages: [{ role: "user", content: "Rate this answer 0-10." }] })).pipe(
      Effect.map((reply) => ({ score: 1, cost: reply.cost, tokens: reply.usage })),
      Effect.mapError((e) => new MetricError({ metric: "judge-echo", message: e.message }))
    )
})

const cases = Array.from({ length: N }, (_, i) => LLMTestCase.make({ name: `c${i}`, input: `q${i}`, actualOutput: `a${i}` }))

/** Bare baseline: CAP workers looping on fetch, no Effect, against the same kind of server. */
async function bareFetch(serverArgs) {
  const server = await startServer(serverArgs)
  const body = JSON.stringify({ model: "fake", messages: [{ role: "user", content: "Rate this answer 0-10." }] })
  let next = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  try {
    await Promise.all(Array.from({ length: CAP }, async () => {
      while (next < N) {
        next++
        const response = await fetch(`${server.baseUrl}/chat/completions`, { method: "POST", body, headers: { "content-type": "application/json" } })
        await response.text()
      }
    }))
    return { wall: performance.now() - start, cpu: process.cpuUsage(cpu) }
  } finally {
    server.stop()
  }
}

const cpuPerCall = (cpu) => ((cpu.user + cpu.system) / N).toFixed(0)

async function phase(label, serverArgs, policy) {
  const server = await startServer(serverArgs)
  const layer = layerJudge().pipe(
    Layer.provideMerge(CallPolicy.layer(policy)),
    Layer.provide(OpenAiCompatible.layer({ baseUrl: server.baseUrl, model: "fake", apiKey: undefined })),
    Layer.provide(NodeHttpClient.layerUndici)
  )
  const program = Effect.gen(function*() {
    const start = performance.now()
    const cpu = process.cpuUsage()
    const run = yield* evaluate(cases, [judgeMetric], { concurrency: CASE_CONCURRENCY, ignoreErrors: true })
    const wall = performance.now() - start
    const used = process.cpuUsage(cpu)
    const stats = yield* Effect.flatMap(Judge, (j) => j.stats)
    return { wall, run, stats, cpu: used }
  }).pipe(Effect.provide(layer))
  try {
    const { cpu, run, stats, wall } = await Effect.runPromise(program)
    return { label, wall, cpu, errored: run.summary.errored ?? 0, total: run.summary.total, stats: stats.policy }
  } finally {
    server.stop()
  }
}

console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")} (2 cores; other work on the machine inflates wall times)`)
const bare = await bareFetch(["--latency", String(LATENCY)])
const p1 = await phase("latency 50 ms", ["--latency", String(LATENCY)], { maxConnections: CAP, adaptive: true })
const ideal = Math.ceil(N / CAP) * LATENCY
console.log(`phase 1: ${N} calls, cap ${CAP}, latency ${LATENCY} ms`)
console.log(`  wall ${p1.wall.toFixed(0)} ms, ideal ${ideal} ms, ratio ${(p1.wall / ideal).toFixed(3)} (target ≤ 1.10)`)
console.log(`  errored ${p1.errored}, retries ${p1.stats?.retries}, final cap ${p1.stats?.cap}, CPU ${cpuPerCall(p1.cpu)} µs/call`)
console.log(`  bare fetch loop (no Effect, no engine), same server: wall ${bare.wall.toFixed(0)} ms, ratio ${(bare.wall / ideal).toFixed(3)}, CPU ${cpuPerCall(bare.cpu)} µs/call`)
console.log(`  engine + judge wall ÷ bare fetch wall: ${(p1.wall / bare.wall).toFixed(3)}`)

const p2 = await phase(
  "rate cap",
  ["--latency", String(LATENCY), "--rate", String(RATE)],
  { maxConnections: CAP, maxRetries: 50, baseDelay: "20 millis", maxDelay: "2 seconds" }
)
const throughput = N / (p2.wall / 1000)
console.log(`phase 2: ${N} calls, cap ${CAP}, server rate cap ${RATE} req/s (429 + Retry-After)`)
console.log(`  wall ${p2.wall.toFixed(0)} ms, throughput ${throughput.toFixed(1)} req/s = ${(100 * throughput / RATE).toFixed(1)} % of the cap (target ≥ 90 %)`)
console.log(`  failed calls ${p2.errored}, 429s ${p2.stats?.rateLimited}, retries ${p2.stats?.retries}, final cap ${p2.stats?.cap}, CPU ${cpuPerCall(p2.cpu)} µs/call`)
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`)
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`)
