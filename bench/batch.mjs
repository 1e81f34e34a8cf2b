#!/usr/bin/env node
// Batch mode vs live judge calls (issue 18). Requires a build (`npm run build`). Prints numbers, asserts nothing.
//   node bench/batch.mjs [N=2000] [BATCH_DELAY_MS=5000] [RUNS=1]
// N generated cases, one G-Eval metric judged by openai:gpt-4o-mini, through the built CLI as a user runs it
// (`--no-cache`), against the fake server in its own process (latency 50 ms on live calls; batches end
// BATCH_DELAY_MS after creation): once live (default --concurrency 20) and once with `--batch --batch-poll 1s`.
// For each: wall time and peak RSS of the CLI (GNU time), requests the server received by route, and the
// run's cost as the CLI computed it (batch: at half price, beside the live equivalent).
// Run benchmarks one at a time on a shared machine: `flock /tmp/assay-bench.lock …`.
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join, resolve } from "node:path"

const N = Number(process.argv[2] ?? 2000)
const DELAY = Number(process.argv[3] ?? 5000)
const RUNS = Number(process.argv[4] ?? 1)
const ROOT = resolve(import.meta.dirname, "..")
const BIN = join(ROOT, "apps/cli/bin/assay.js")

const startFake = () =>
  new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(ROOT, "packages/fake-openai/dist/main.js"), "--port", "0", "--max-seconds", "900", "--latency", "50",
      "--batch-delay", String(DELAY), "--reply", "{\"score\": 8, \"reason\": \"ok\"}"], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d
      const url = /listening (\S+)/.exec(out)?.[1]
      if (url) ok({ url, stop: () => child.kill("SIGTERM") })
    })
    child.on("close", (code) => fail(new Error(`fake server exited ${code}`)))
  })

const dir = mkdtempSync(join(tmpdir(), "assay-bench-batch-"))
writeFileSync(join(dir, "cases.jsonl"), Array.from({ length: N }, (_, i) => JSON.stringify({ name: `c${i}`, input: `Question ${i}?`, actual_output: `Answer ${i}` })).join("\n") + "\n")
writeFileSync(join(dir, "assay.config.yaml"), [
  "metrics:",
  "  - metric: g-eval",
  "    name: correctness",
  "    evaluationSteps: [\"Check that the answer is factually correct\"]",
  "judge: openai:gpt-4o-mini"
].join("\n"))

const fake = await startFake()
const origin = fake.url.replace(/\/v1$/, "")
const routes = async () => {
  const log = await (await fetch(`${origin}/_fake/log`)).json()
  const count = {}
  for (const e of log) {
    const key = `${e.method ?? "POST"} ${e.path.replace(/\/(batch_|file-)[\w-]+/g, "/:id")}`
    count[key] = (count[key] ?? 0) + 1
  }
  return count
}

const run = (label, extra) => {
  const before = Date.now()
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %e %M", process.execPath, BIN, "run", "cases.jsonl", "--config", "assay.config.yaml", "--no-cache", "--no-progress", ...extra], {
    cwd: dir,
    env: { ...process.env, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "sk-bench" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  const [, seconds, kb] = /TIME ([\d.]+) (\d+)/.exec(r.stderr) ?? []
  const calls = /calls: (.*)/.exec(r.stdout)?.[1] ?? "?"
  const cost = /· \$([\d.]+)\s*$/m.exec(r.stdout)?.[1] ?? "?"
  console.log(`${label.padEnd(6)} exit ${r.status} · wall ${Number(seconds ?? (Date.now() - before) / 1000).toFixed(2)} s · peak RSS ${(Number(kb) / 1024).toFixed(0)} MB · summary cost $${cost} · ${calls}`)
}

console.log(`batch bench: ${N} cases, 1 judge call each; fake latency 50 ms, batch delay ${DELAY} ms; load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`)
for (let i = 0; i < RUNS; i++) {
  const a = await routes()
  run("live", [])
  const b = await routes()
  run("batch", ["--batch", "--batch-poll", "1s"])
  const c = await routes()
  const diff = (x, y) => Object.fromEntries(Object.entries(y).map(([k, v]) => [k, v - (x[k] ?? 0)]).filter(([, v]) => v > 0))
  console.log(`  requests live: ${JSON.stringify(diff(a, b))}`)
  console.log(`  requests batch: ${JSON.stringify(diff(b, c))}`)
}
fake.stop()
