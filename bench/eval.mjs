#!/usr/bin/env node
// W1 through an eval file: `assay run w1.eval.ts` whose task calls the fake OpenAI server (50 ms latency) for
// each of 10,000 cases at concurrency 100, beside a bare undici loop making the same calls, both as whole
// processes (start-up included) in the same run, alternating. Prints each wall time, the medians, and the
// ratios to the bare loop and to the ideal ⌈N/C⌉·L. Also the start-up of both CLI paths (bundle vs eval files).
//   npm run build && node bench/eval.mjs [--cases 10000] [--concurrency 100] [--latency 50] [--rounds 3]
import { spawnSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { startServer } from "./fake-server.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..")
const { values } = parseArgs({
  options: { cases: { type: "string", default: "10000" }, concurrency: { type: "string", default: "100" }, latency: { type: "string", default: "50" }, rounds: { type: "string", default: "3" } }
})
const N = Number(values.cases), C = Number(values.concurrency), L = Number(values.latency), rounds = Number(values.rounds)

// The eval file lives under the repository so that its imports resolve to the workspace's packages.
const out = join(here, "out")
mkdirSync(out, { recursive: true })
const evalFile = join(out, "w1.eval.ts")
writeFileSync(evalFile, `
import { Judge, judgeLayer } from "@assay/judge"
import { Eval, exactMatch } from "@assay/core"
import { Effect } from "effect"

export default Eval.make({
  name: "w1",
  data: Array.from({ length: ${N} }, (_, i) => ({ input: "Rate this answer 0-10. #" + i, expectedOutput: "ok" })),
  task: (testCase) =>
    Effect.flatMap(Judge, (client) => client.chat({ messages: [{ role: "user", content: String(testCase.input) }], temperature: 0 })).pipe(
      Effect.map((reply) => ({ actualOutput: reply.text, cost: reply.cost, tokens: reply.usage }))
    ),
  metrics: [exactMatch()],
  layer: judgeLayer({ provider: "openai-compatible", model: "fake", policy: { maxConnections: ${C} } })
})
`)

const bareScript = `
import { bareUndici } from ${JSON.stringify(join(here, "fake-server.mjs"))}
await bareUndici(process.argv[1], Number(process.argv[2]), Number(process.argv[3]))
`

const timed = (args, env = {}) => {
  const started = performance.now()
  const r = spawnSync(process.execPath, args, { cwd: out, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 1 << 28 })
  const ms = performance.now() - started
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`)
  return { ms, stdout: r.stdout, stderr: r.stderr }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const bin = join(root, "apps/cli/bin/assay.js")

const server = await startServer(["--port", "0", "--latency", String(L), "--max-seconds", "3600"]) // a loaded machine can take long
try {
  const assayMs = [], bareMs = []
  for (let round = 0; round < rounds; round++) {
    const bare = timed(["--input-type=module", "-e", bareScript, server.baseUrl, String(N), String(C)])
    bareMs.push(bare.ms)
    const assay = timed([bin, "run", evalFile, "--concurrency", String(C), "--no-cache", "--no-progress"], { OPENAI_BASE_URL: server.baseUrl })
    if (!/pass rate 100\.0%/.test(assay.stdout)) throw new Error(`the assay run did not pass every case:\n${assay.stdout.slice(-1000)}`)
    assayMs.push(assay.ms)
    console.log(`round ${round + 1}: bare ${(bare.ms / 1000).toFixed(2)} s · assay ${(assay.ms / 1000).toFixed(2)} s · ratio ${(assay.ms / bare.ms).toFixed(3)}`)
  }
  const ideal = Math.ceil(N / C) * L
  const a = median(assayMs), b = median(bareMs)
  console.log(`W1 eval file: ${N} cases, concurrency ${C}, latency ${L} ms, ${rounds} rounds (medians)`)
  console.log(`  bare undici loop  ${(b / 1000).toFixed(2)} s  (${(b / ideal).toFixed(3)}× ideal ${(ideal / 1000).toFixed(1)} s)`)
  console.log(`  assay run *.eval  ${(a / 1000).toFixed(2)} s  (${(a / ideal).toFixed(3)}× ideal)`)
  console.log(`  assay / bare      ${(a / b).toFixed(3)}×  (target ≤ 1.10×)`)
} finally {
  server.stop()
}

// Start-up of the two CLI paths: the bundle (datasets) and the unbundled modules (eval files), on one case.
writeFileSync(join(out, "one.jsonl"), "{\"input\":\"a\",\"actual_output\":\"a\",\"expected_output\":\"a\"}\n")
writeFileSync(join(out, "one.eval.ts"), "import { Eval, exactMatch } from \"@assay/core\"\nexport default Eval.make({ name: \"one\", data: [{ input: \"a\", actualOutput: \"a\", expectedOutput: \"a\" }], metrics: [exactMatch()] })\n")
const startup = (args) => median(Array.from({ length: 5 }, () => timed([bin, ...args]).ms))
console.log(`start-up (median of 5, one case, no cache): bundle ${(startup(["run", "one.jsonl", "--metric", "exact-match", "--no-cache"]) / 1000).toFixed(2)} s · eval file ${(startup(["run", "one.eval.ts", "--no-cache"]) / 1000).toFixed(2)} s`)
