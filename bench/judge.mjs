#!/usr/bin/env node
// Judge call-policy benchmark (issue 4). Requires a build (`npm run build`). Prints numbers, asserts nothing.
//   node bench/judge.mjs [N=2000] [CAP=50] [CASE_CONCURRENCY=CAP] [WARMUP=N] [WARM_RUNS=5]
// The set-up is "concurrency 50": the engine's case concurrency and the judge's connection cap are both
// CAP by default. Pass a larger CASE_CONCURRENCY (e.g. 100) to have cases queue at the connection cap instead
// (measured: median ratio ~0.05 higher — twice the fibers in flight, and each call waits for a permit).
// Phase 1: N cases × 1 judge call through the engine, fake server latency 50 ms, connection cap CAP →
//          wall time vs the ideal ⌈N/CAP⌉ × latency (target ratio ≤ 1.10), measured twice on one layer:
//          cold (the process's first N calls: JIT compilation and connection setup included) and warm (after
//          an untimed WARMUP-call pass — a full N by default: after 200 calls the client still used ~30 % more
//          CPU per call than in later runs; WARM_RUNS runs, each next to a bare run, and their medians — the
//          machine is shared and one run's wall time varies by several per cent). The bare baseline is CAP
//          workers looping on undici.request (the HTTP library under the judge's transport; no Effect, no
//          engine) against the same server, cold and warm.
// Phase 2: the same against a server capped at 200 req/s answering 429 + Retry-After →
//          achieved throughput vs the cap (target ≥ 90 %) and failed calls (target 0).
// The fake server runs in a child process (packages/fake-openai/dist/main.js) so it does not share the
// benchmark's event loop; it does share the machine's cores, so each line also prints its CPU per call.
// Run benchmarks one at a time on a shared machine: `flock /tmp/assay-bench.lock …`.
import { loadavg } from "node:os"
import { Effect, Layer, ManagedRuntime } from "effect"
import { NodeHttpClient } from "@effect/platform-node"
import { evaluate, LLMTestCase, Metric, MetricError } from "@assay/core"
import { CallPolicy, Judge, layerJudge, OpenAiCompatible } from "@assay/judge"
import { bareUndici, benchRequest, processCpuMicros, startServer } from "./fake-server.mjs"

const N = Number(process.argv[2] ?? 2000)
const CAP = Number(process.argv[3] ?? 50)
const CASE_CONCURRENCY = Number(process.argv[4] ?? CAP)
const WARMUP = Number(process.argv[5] ?? N)
const WARM_RUNS = Number(process.argv[6] ?? 5)
const LATENCY = 50
const RATE = 200

const judgeMetric = Metric.make({
  name: "judge-echo",
  measure: () =>
    Effect.flatMap(Judge, (judge) => judge.chat(benchRequest)).pipe(
      Effect.map((reply) => ({ score: 1, cost: reply.cost, tokens: reply.usage })),
      Effect.mapError((e) => new MetricError({ metric: "judge-echo", message: e.message }))
    )
})

const makeCases = (n) => Array.from({ length: n }, (_, i) => LLMTestCase.make({ name: `c${i}`, input: `q${i}`, actualOutput: `a${i}` }))
const cases = makeCases(N)
const warmupCases = makeCases(WARMUP)

/** The fake server's process, for its CPU time (it shares the machine's cores with the client). */
let serverPid
/** Wall time (ms), client CPU (µs) and the fake server's CPU (µs, from /proc) of an async function. */
async function timed(f) {
  const serverCpu = processCpuMicros(serverPid)
  const cpu = process.cpuUsage()
  const start = performance.now()
  const value = await f()
  return { wall: performance.now() - start, cpu: process.cpuUsage(cpu), serverCpu: processCpuMicros(serverPid) - serverCpu, value }
}

/** A runtime holding one Judge + policy layer (its HTTP connections and policy state persist across runs). */
const judgeRuntime = (baseUrl, policy) =>
  ManagedRuntime.make(layerJudge().pipe(
    Layer.provideMerge(CallPolicy.layer(policy)),
    // The CLI's transport for openai-compatible servers: platform-node's undici dispatcher, used directly.
    Layer.provide(OpenAiCompatible.layer({ baseUrl, model: "fake", apiKey: undefined })),
    Layer.provide(NodeHttpClient.dispatcherLayer)
  ))

/** N cases through the engine on `runtime`; the judge's stats after the run. */
async function engineRun(runtime, testCases) {
  const { cpu, serverCpu, value, wall } = await timed(() =>
    runtime.runPromise(evaluate(testCases, [judgeMetric], { concurrency: CASE_CONCURRENCY, ignoreErrors: true }))
  )
  const stats = await runtime.runPromise(Effect.flatMap(Judge, (j) => j.stats))
  return { wall, cpu, serverCpu, errored: value.summary.errored ?? 0, stats: stats.policy }
}

const cpuPerCall = (cpu) => ((cpu.user + cpu.system) / N).toFixed(0)
const serverPerCall = (run) => (Number.isNaN(run.serverCpu) ? "?" : (run.serverCpu / N).toFixed(0))
const ideal = Math.ceil(N / CAP) * LATENCY
const ratio = (wall) => (wall / ideal).toFixed(3)
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ")

console.log(`load average before: ${load()} (2 cores; other work on the machine inflates wall times)`)
console.log(`phase 1: ${N} calls, case concurrency ${CASE_CONCURRENCY}, connection cap ${CAP}, latency ${LATENCY} ms, ideal ${ideal} ms (target ratio ≤ 1.10)`)
{
  const server = await startServer(["--latency", String(LATENCY)])
  serverPid = server.pid
  const runtime = judgeRuntime(server.baseUrl, { maxConnections: CAP, adaptive: true })
  try {
    await runtime.runtime() // build the layer outside the timings
    const bareCold = await timed(() => bareUndici(server.baseUrl, N, CAP))
    const cold = await engineRun(runtime, cases)
    await bareUndici(server.baseUrl, WARMUP, CAP)
    await runtime.runPromise(evaluate(warmupCases, [judgeMetric], { concurrency: CASE_CONCURRENCY, ignoreErrors: true }))
    const line = (label, run, bare) => {
      console.log(`  ${label}: wall ${run.wall.toFixed(0)} ms, ratio ${ratio(run.wall)}, CPU ${cpuPerCall(run.cpu)} µs/call (server ${serverPerCall(run)}), errored ${run.errored}`)
      console.log(`    bare undici.request loop (no Effect, no engine): wall ${bare.wall.toFixed(0)} ms, ratio ${ratio(bare.wall)}, CPU ${cpuPerCall(bare.cpu)} µs/call (server ${serverPerCall(bare)}); engine + judge ÷ bare ${(run.wall / bare.wall).toFixed(3)}`)
    }
    line("cold (first run in the process: JIT, connection setup)", cold, bareCold)
    const warm = []
    const bare = []
    for (let r = 1; r <= WARM_RUNS; r++) {
      bare.push(await timed(() => bareUndici(server.baseUrl, N, CAP)))
      warm.push(await engineRun(runtime, cases))
      line(`warm run ${r} (after an untimed ${WARMUP}-call warm-up)`, warm.at(-1), bare.at(-1))
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    const engineMedian = median(warm.map((w) => w.wall))
    const bareMedian = median(bare.map((b) => b.wall))
    console.log(`  warm medians: engine + judge ratio ${ratio(engineMedian)}, bare ratio ${ratio(bareMedian)}, engine + judge ÷ bare ${(engineMedian / bareMedian).toFixed(3)}`)
    const last = warm.at(-1)
    console.log(`  over all ${(1 + WARM_RUNS) * N + WARMUP} calls of the phase: retries ${last.stats?.retries}, final cap ${last.stats?.cap}`)
  } finally {
    await runtime.dispose()
    server.stop()
  }
}

{
  const server = await startServer(["--latency", String(LATENCY), "--rate", String(RATE)])
  serverPid = server.pid
  const runtime = judgeRuntime(server.baseUrl, { maxConnections: CAP, maxRetries: 50, baseDelay: "20 millis", maxDelay: "2 seconds" })
  try {
    await runtime.runtime()
    const p2 = await engineRun(runtime, cases)
    const throughput = N / (p2.wall / 1000)
    console.log(`phase 2: ${N} calls, case concurrency ${CASE_CONCURRENCY}, cap ${CAP}, server rate cap ${RATE} req/s (429 + Retry-After)`)
    console.log(`  wall ${p2.wall.toFixed(0)} ms, throughput ${throughput.toFixed(1)} req/s = ${(100 * throughput / RATE).toFixed(1)} % of the cap (target ≥ 90 %)`)
    console.log(`  failed calls ${p2.errored}, 429s ${p2.stats?.rateLimited}, retries ${p2.stats?.retries}, final cap ${p2.stats?.cap}, CPU ${cpuPerCall(p2.cpu)} µs/call`)
  } finally {
    await runtime.dispose()
    server.stop()
  }
}
console.log(`load average after: ${load()}`)
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`)
