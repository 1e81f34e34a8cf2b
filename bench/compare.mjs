#!/usr/bin/env node
// `assay compare` of two stored N-case runs (build first: `npm run build`): N generated unnamed cases ×
// exact-match and BLEU, stored twice in one database — the second run with a case inserted first (every index
// shifts, so matching is by input hash) and every 20th answer changed. Then `assay compare a b` in a fresh
// process under /usr/bin/time -v: wall time (start-up, both runs streamed from SQLite, identity matching,
// bootstrap and McNemar per metric, the report) and peak RSS. Best of ROUNDS.
//   node bench/compare.mjs [N=100000] [ROUNDS=3]
// Prints numbers; asserts nothing.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const N = Number(process.argv[2] ?? 100_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const cli = fileURLToPath(new URL("../apps/cli/bin/assay.js", import.meta.url))

const dir = mkdtempSync(join(tmpdir(), "assay-bench-compare-"))
try {
  const dataset = join(dir, "cases.jsonl")
  const lines = (changed) => Array.from({ length: N }, (_, i) =>
    JSON.stringify({ input: `question ${i}?`, actual_output: changed && i % 20 === 0 ? "wrong" : `answer ${i}`, expected_output: `answer ${i}` }))
  const store = (text, out) => {
    writeFileSync(dataset, text)
    const child = spawnSync(process.execPath, [cli, "run", dataset, "--metric", "exact-match", "--metric", "bleu", "--no-progress", "--out", out],
      { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    if (child.status !== 0 && child.status !== 1) throw new Error(`assay run exited ${child.status}: ${child.stderr}`)
    return JSON.parse(readFileSync(join(dir, out), "utf8")).runId
  }
  const a = store(`${lines(false).join("\n")}\n`, "a.json")
  const b = store(`${JSON.stringify({ input: "new?", actual_output: "x", expected_output: "x" })}\n${lines(true).join("\n")}\n`, "b.json")
  let best = { ms: Infinity, rssMb: 0 }
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now()
    const child = spawnSync("/usr/bin/time", ["-v", process.execPath, cli, "compare", a, b], { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
    const ms = performance.now() - start
    if (child.status !== 0) throw new Error(`assay compare exited ${child.status}: ${child.stderr}`)
    const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1])
    if (ms < best.ms) best = { ms, rssMb: rssKb / 1024 }
    if (round === 0) console.log(child.stdout.trim().split("\n").slice(-4).join("\n"))
  }
  console.log(`compare of two ${N}-case runs: ${(best.ms / 1000).toFixed(2)} s, peak RSS ${best.rssMb.toFixed(0)} MB` +
    ` (best of ${ROUNDS}; ${cpus().length} cpus, load ${loadavg().map((l) => l.toFixed(2)).join(" ")})`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
