#!/usr/bin/env node
// The engine's own cost per case when a metric waits on I/O (issue 4): N cases × 1 metric whose measure is a
// 1 ms timer, concurrency 100, through `evaluate` and through a bare `Effect.forEach` of the same timer.
// Prints client CPU per case for each (best of ROUNDS). Requires a build (`npm run build`); asserts nothing.
//   node bench/engine-io.mjs [N=50000] [ROUNDS=4]
import { Effect } from "effect"
import { evaluate, LLMTestCase, Metric } from "../packages/core/dist/index.js"

const N = Number(process.argv[2] ?? 50_000)
const ROUNDS = Number(process.argv[3] ?? 4)
const io = Effect.async((resume) => {
  const timer = setTimeout(() => resume(Effect.succeed({ score: 1 })), 1)
  return Effect.sync(() => clearTimeout(timer))
})
const waiting = Metric.make({ name: "io", measure: () => io })
const cases = Array.from({ length: N }, (_, i) => LLMTestCase.make({ name: `c${i}`, input: `q${i}`, actualOutput: `a${i}` }))
const modes = {
  engine: evaluate(cases, [waiting], { concurrency: 100 }),
  forEach: Effect.forEach(cases, () => io, { concurrency: 100, discard: true })
}
const best = { engine: Infinity, forEach: Infinity }
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, program] of Object.entries(modes)) {
    const cpu = process.cpuUsage()
    await Effect.runPromise(program)
    const used = process.cpuUsage(cpu)
    best[name] = Math.min(best[name], (used.user + used.system) / N)
  }
}
console.log(`${N} cases × 1 I/O metric (1 ms timer), concurrency 100, best of ${ROUNDS}:`)
console.log(`  evaluate: ${best.engine.toFixed(1)} µs of CPU per case; bare Effect.forEach: ${best.forEach.toFixed(1)} µs; engine's own cost ≈ ${(best.engine - best.forEach).toFixed(1)} µs per case`)
