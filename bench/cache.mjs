// Cache benchmark: 100k cases × 3 cheap deterministic metrics — uncached, first run with the SQLite cache,
// cached rerun (fresh layer on the same file). Build first: `npx tsc -b`. Usage: node bench/cache.mjs [cases]
import { Effect } from "effect"
import { rmSync, mkdtempSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { evaluate, LLMTestCase, Metric } from "../packages/core/dist/index.js"
import { Maintenance, SqliteStore } from "../packages/store/dist/index.js"

const N = Number(process.argv[2] ?? 100_000)
const cases = Array.from({ length: N }, (_, i) =>
  LLMTestCase.make({ input: `question ${i}`, actualOutput: `answer ${i % 97}`, expectedOutput: `answer ${i % 89}` }))
const metric = (name, score) =>
  Metric.make({ name, inline: true, config: { version: 1 }, requires: ["actualOutput"], measure: (c) => Effect.sync(() => ({ score: score(c) })) })
const metrics = [
  metric("exact", (c) => (c.actualOutput === c.expectedOutput ? 1 : 0)),
  metric("length-ratio", (c) => Math.min(c.actualOutput.length, c.expectedOutput.length) / Math.max(c.actualOutput.length, c.expectedOutput.length)),
  metric("prefix", (c) => (c.actualOutput.slice(0, 6) === c.expectedOutput.slice(0, 6) ? 1 : 0))
]
const dir = mkdtempSync(join(tmpdir(), "assay-bench-cache-"))
const path = join(dir, "cache.db")
const mb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0)

const timed = async (label, effect) => {
  const t = performance.now()
  const result = await Effect.runPromise(effect)
  const ms = performance.now() - t
  console.log(`${label.padEnd(28)} ${(ms / 1000).toFixed(2).padStart(6)} s   peak RSS ${mb()} MB   passRate ${result.summary.passRate?.toFixed(4)}`)
  return { ms, result }
}

const run = evaluate(cases, metrics, { concurrency: 20 })
const withStore = (effect) => Effect.provide(effect, SqliteStore.layer({ path }))
try {
  console.log(`${N} cases × ${metrics.length} metrics, node ${process.version}`)
  const plain = await timed("uncached", run)
  const first = await timed("first run, SQLite cache", withStore(run))
  const stats = await Effect.runPromise(withStore(Effect.flatMap(Maintenance, (m) => m.stats)))
  const cached = await timed("cached rerun", withStore(run))
  const hits = cached.result.cases.reduce((n, c) => n + c.metrics.filter((m) => m.cached).length, 0)
  console.log(`rows written ${stats.cacheRows} (${(stats.cacheRows / (first.ms / 1000)).toFixed(0)} rows/s during the first run), db ${(stats.sizeBytes / 1e6).toFixed(1)} MB`)
  console.log(`cache overhead on the first run ${((first.ms / plain.ms - 1) * 100).toFixed(0)}% (target ≤ 25%)`)
  console.log(`cached rerun ${(cached.ms / 1000).toFixed(2)} s (target ≤ 2 s; ${(cached.ms / plain.ms).toFixed(2)}× the uncached run), ${hits} hits of ${N * metrics.length}`)
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores (timings are only comparable on an idle machine)`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
