#!/usr/bin/env node
// Cache benchmark (issue "Layer-provided cache and run store"): N cases × 3 metrics through `evaluate`
// (concurrency 20) — uncached, first run with the SQLite cache (fresh file), cached rerun (a new process on
// that file). Two workloads:
//   trivial  three one-line scorers (~0 µs each): the worst case for the cache, whose own cost per case
//            (key hash, serialization, SQLite) is then compared with almost nothing;
//   builtin  assay's exactMatch, BLEU and ROUGE-L on 8–12-word answers: what a deterministic run costs.
// A fourth measurement runs the engine against a cache that stores nothing (keys, lookups and batches only):
// the part of the overhead that no storage layer can remove.
// Each measurement runs in its own child process (cold start, like a CLI run; peak RSS is per measurement);
// the sequence runs ROUNDS times and each figure is the best round.
//   node bench/cache.mjs [N=100000] [ROUNDS=3] [WORKLOADS=trivial,builtin]   (build first: `npm run build`)
// Prints numbers; asserts nothing.
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const N = Number(process.argv[2] ?? 100_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const WORKLOADS = (process.argv[4] ?? "trivial,builtin").split(",")
const words = "the quick brown fox jumps over lazy dog paris france capital river seine city light tower".split(" ")
const sentence = (seed, n) => Array.from({ length: n }, (_, k) => words[(seed * 7 + k * 13) % words.length]).join(" ")

if (process.env.ASSAY_BENCH_CHILD !== undefined) {
  // Child: one measurement, printed as JSON on stdout.
  const { Effect } = await import("effect")
  const { bleu, EvalCache, evaluate, exactMatch, LLMTestCase, Metric, rouge } = await import("../packages/core/dist/index.js")
  const { Maintenance, SqliteStore } = await import("../packages/store/dist/index.js")
  const [workload, mode, path] = process.env.ASSAY_BENCH_CHILD.split(":")
  const cases = Array.from({ length: N }, (_, i) =>
    workload === "trivial"
      ? LLMTestCase.make({ input: `question ${i}`, actualOutput: `answer ${i % 97}`, expectedOutput: `answer ${i % 89}` })
      : LLMTestCase.make({ input: `question ${i}?`, actualOutput: sentence(i + (i % 4 === 0 ? 1 : 0), 8 + (i % 5)), expectedOutput: sentence(i, 8 + (i % 5)) }))
  const metric = (name, score) =>
    Metric.make({ name, inline: true, config: { version: 1 }, requires: ["actualOutput"], measure: (c) => Effect.sync(() => ({ score: score(c) })) })
  const metrics = workload === "builtin" ? [exactMatch(), bleu(), rouge({ variant: "rougeL" })] : [
    metric("exact", (c) => (c.actualOutput === c.expectedOutput ? 1 : 0)),
    metric("length-ratio", (c) => Math.min(c.actualOutput.length, c.expectedOutput.length) / Math.max(c.actualOutput.length, c.expectedOutput.length)),
    metric("prefix", (c) => (c.actualOutput.slice(0, 6) === c.expectedOutput.slice(0, 6) ? 1 : 0))
  ]
  const run = evaluate(cases, metrics, { concurrency: 20 })
  // "noop": the engine's cache path (keys, lookups, batching) against a cache that stores nothing.
  const noop = { beginRun: Effect.void, lookupMany: (keys) => Effect.succeed(keys.map(() => undefined)), store: () => Effect.void }
  const program = mode === "uncached" ? run : mode === "noop" ? Effect.provideService(run, EvalCache, noop) : Effect.provide(run, SqliteStore.layer({ path }))
  // ASSAY_BENCH_PROFILE=<file>: a CPU profile of the measured run only.
  const profileTo = process.env.ASSAY_BENCH_PROFILE
  const session = profileTo === undefined ? undefined : new (await import("node:inspector/promises")).Session()
  if (session !== undefined) {
    session.connect()
    await session.post("Profiler.enable")
    await session.post("Profiler.start")
  }
  const start = performance.now()
  const cpu0 = process.cpuUsage()
  const result = await Effect.runPromise(program)
  const ms = performance.now() - start
  const cpu = process.cpuUsage(cpu0)
  if (session !== undefined) {
    const { profile } = await session.post("Profiler.stop")
    ;(await import("node:fs")).writeFileSync(profileTo, JSON.stringify(profile))
  }
  const hits = result.cases.reduce((n, c) => n + c.metrics.filter((m) => m.cached).length, 0)
  // Statistics merge pending batches, so they are read after the cached rerun only (whose time must include
  // merging what the first run left).
  const stats = mode !== "cached" ? undefined : await Effect.runPromise(Effect.provide(Effect.flatMap(Maintenance, (m) => m.stats), SqliteStore.layer({ path })))
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, hits, rssMb: process.resourceUsage().maxRSS / 1024, passRate: result.summary.passRate, rows: stats?.cacheRows }))
  process.exit(0)
}

const self = fileURLToPath(import.meta.url)
const measure = (workload, mode, path = "") => {
  const child = spawnSync(process.execPath, [self, String(N)], { env: { ...process.env, ASSAY_BENCH_CHILD: `${workload}:${mode}:${path}` }, encoding: "utf8" })
  if (child.status !== 0) throw new Error(`${mode} failed: ${child.stderr}`)
  return JSON.parse(child.stdout.trim().split("\n").pop())
}

console.log(`${N} cases × 3 metrics, concurrency 20, node ${process.version}, best of ${ROUNDS} rounds (each measurement a fresh process)`)
for (const workload of WORKLOADS) {
  console.log(`\n[${workload}]`)
  const best = { uncached: undefined, noop: undefined, first: undefined, cached: undefined }
  let dbBytes = 0
  for (let round = 0; round < ROUNDS; round++) {
    const dir = mkdtempSync(join(tmpdir(), "assay-bench-cache-"))
    const path = join(dir, "cache.db")
    try {
      const results = { uncached: measure(workload, "uncached"), noop: measure(workload, "noop"), first: measure(workload, "first", path), cached: measure(workload, "cached", path) }
      dbBytes = statSync(path).size
      const both = (r) => `${(r.ms / 1000).toFixed(2)} s (CPU ${(r.cpuMs / 1000).toFixed(2)} s)`
      console.log(`  round ${round + 1}: uncached ${both(results.uncached)}, no-op cache ${both(results.noop)}, first ${both(results.first)}, cached ${both(results.cached)}`)
      for (const k of Object.keys(best)) if (best[k] === undefined || results[k].ms < best[k].ms) best[k] = results[k]
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const line = (label, r) => console.log(`${label.padEnd(26)} ${(r.ms / 1000).toFixed(2).padStart(6)} s   peak RSS ${r.rssMb.toFixed(0)} MB   passRate ${r.passRate?.toFixed(4)}`)
  line("uncached", best.uncached)
  line("first run, SQLite cache", best.first)
  line("cached rerun", best.cached)
  console.log(`cached results ${best.cached.rows} (${(best.cached.rows / (best.first.ms / 1000)).toFixed(0)} results/s written during the first run), db ${(dbBytes / 1e6).toFixed(1)} MB`)
  console.log(`cache overhead on the first run ${((best.first.ms / best.uncached.ms - 1) * 100).toFixed(0)}% (+${((best.first.ms - best.uncached.ms) / N * 1000).toFixed(1)} µs per case; target ≤ 25%)`)
  console.log(`  of which the engine's own cache work (keys, lookups, batches; a cache that stores nothing) ${((best.noop.ms / best.uncached.ms - 1) * 100).toFixed(0)}%`)
  console.log(`cached rerun ${(best.cached.ms / 1000).toFixed(2)} s (target ≤ 2 s; ${(best.cached.ms / best.uncached.ms).toFixed(2)}× the uncached run), ${best.cached.hits} hits of ${N * 3}`)
}
console.log("\n(the first run appends its results to the cache's log; the cached rerun's time includes reading that log)")
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores (timings are only comparable on an idle machine)`)
