#!/usr/bin/env node
// The `assay` CLI end to end (build first: `npm run build`): N generated cases (JSONL, 8–12-word answers) ×
// exact-match, BLEU and ROUGE-L, run three times as a user would — `--no-cache`, then with a fresh cache file,
// then again on that cache. Each is a fresh process: the wall time includes start-up, reading and decoding the
// dataset, the run store's write-through of every result (the run history `assay resume` needs) and the
// reports, which `bench/cache.mjs` leaves out. Then `assay runs show` of the last run (every stored result read
// back and reported) and the size of the database. Best of ROUNDS.
//   node bench/cli.mjs [N=100000] [ROUNDS=2]
// Prints numbers; asserts nothing.
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const N = Number(process.argv[2] ?? 100_000)
const ROUNDS = Number(process.argv[3] ?? 2)
const cli = fileURLToPath(new URL("../apps/cli/bin/assay.js", import.meta.url))
const words = "the quick brown fox jumps over lazy dog paris france capital river seine city light tower".split(" ")
const sentence = (seed, n) => Array.from({ length: n }, (_, k) => words[(seed * 7 + k * 13) % words.length]).join(" ")

const dir = mkdtempSync(join(tmpdir(), "assay-bench-cli-"))
try {
  const dataset = join(dir, "cases.jsonl")
  const lines = Array.from({ length: N }, (_, i) =>
    JSON.stringify({ input: `question ${i}?`, actual_output: sentence(i + (i % 4 === 0 ? 1 : 0), 8 + (i % 5)), expected_output: sentence(i, 8 + (i % 5)) }))
  writeFileSync(dataset, `${lines.join("\n")}\n`)
  const run = (cacheArgs) => {
    const start = performance.now()
    const child = spawnSync(process.execPath, [cli, "run", dataset, "--metric", "exact-match", "--metric", "bleu", "--metric", "rouge", "--no-progress", ...cacheArgs], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    })
    const ms = performance.now() - start
    // Exit 1 only means some cases failed their threshold (a quarter of them do, by construction).
    if (child.status !== 0 && child.status !== 1) throw new Error(`assay run exited ${child.status}: ${child.stderr}`)
    return ms
  }
  /** `assay runs show` of the newest run stored in `cache`: reads back and reports every case result. */
  const show = (cache) => {
    const list = spawnSync(process.execPath, [cli, "runs", "list", "--cache", cache], { cwd: dir, encoding: "utf8" })
    const runId = list.stdout.trim().split("\n")[0]?.split(/\s+/)[0] ?? ""
    const start = performance.now()
    const child = spawnSync(process.execPath, [cli, "runs", "show", runId, "--cache", cache], { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
    if (child.status !== 0) throw new Error(`assay runs show exited ${child.status}: ${child.stderr}`)
    return performance.now() - start
  }
  const best = { uncached: Infinity, first: Infinity, cached: Infinity, show: Infinity }
  let dbBytes = 0
  for (let round = 0; round < ROUNDS; round++) {
    const cache = join(dir, `cache-${round}.db`)
    const times = { uncached: run(["--no-cache"]), first: run(["--cache", cache]), cached: run(["--cache", cache]), show: show(cache) }
    dbBytes = statSync(cache).size
    console.log(`round ${round + 1}: ${Object.entries(times).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(2)} s`).join(", ")}`)
    for (const k of Object.keys(best)) best[k] = Math.min(best[k], times[k])
  }
  console.log(`assay run, ${N} cases × 3 metrics, node ${process.version}, best of ${ROUNDS}:`)
  for (const [k, ms] of Object.entries(best)) console.log(`  ${k.padEnd(9)} ${(ms / 1000).toFixed(2).padStart(6)} s  (${(ms * 1000 / N).toFixed(1)} µs per case)`)
  console.log(`  first run ÷ uncached ${(best.first / best.uncached).toFixed(2)}; cached rerun ÷ uncached ${(best.cached / best.uncached).toFixed(2)}`)
  console.log(`  database after the two cached runs (cache + run history): ${(dbBytes / 1e6).toFixed(1)} MB`)
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
