#!/usr/bin/env node
// Epochs benchmark (issue 14, "repeats/epochs"): the engine's own cost per epoch. N cases, a task that answers at
// once (no I/O) and exact-match, through `evaluate` (concurrency 20): one epoch, then `repeat: 3` with the task
// (three epochs per case, reduced), then `repeat: 3` without a task (the metric measured three times per case).
// The ideal for three epochs is 3× one epoch; the figure printed is the best of ROUNDS in one process.
//   node bench/epochs.mjs [N=20000] [ROUNDS=3]   (build first: `npm run build`)
// Prints numbers; asserts nothing.
import { Effect } from "effect"
import { evaluate, exactMatch, LLMTestCase } from "../packages/core/dist/index.js"

const N = Number(process.argv[2] ?? 20_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const unanswered = Array.from({ length: N }, (_, i) => LLMTestCase.make({ name: `c${i}`, input: `q${i}`, expectedOutput: i % 4 === 0 ? "x" : `a${i}` }))
const answered = unanswered.map((c, i) => LLMTestCase.make({ ...c, actualOutput: `a${i}` }))
const task = (testCase, index) => Effect.succeed({ testCase: { ...testCase, actualOutput: `a${index}` } })

const time = async (label, cases, options) => {
  let best = Infinity
  let passed = 0
  for (let r = 0; r < ROUNDS; r++) {
    const started = performance.now()
    const result = await Effect.runPromise(evaluate(cases, [exactMatch()], { concurrency: 20, ...options }))
    best = Math.min(best, performance.now() - started)
    passed = result.summary.passed
  }
  console.log(`${label.padEnd(36)} ${best.toFixed(0).padStart(6)} ms  ${((best * 1000) / N).toFixed(1).padStart(6)} µs/case  passed ${passed}`)
  return best
}

const one = await time("task, 1 epoch", unanswered, { task })
const three = await time("task, repeat 3 (pass@k)", unanswered, { task, repeat: 3, repeatReducer: "pass@k" })
await time("no task, repeat 3 (metric repeated)", answered, { repeat: 3 })
console.log(`3 epochs / 1 epoch: ${(three / one).toFixed(2)}× (ideal 3×)`)
