#!/usr/bin/env node
// Viewer benchmark (issue 16): a run of N cases (default 100,000; exact-match and levenshtein) recorded by
// `assay run`, then served by `assay view`. Measures, over real HTTP:
//   first page (cold)   GET /api/runs/:id/cases?limit=50 on a fresh server — includes building the view index
//   first page (warm)   the same again; last page (offset N−50); search (q= a word in ~1 % of cases);
//   failed by score     status=failed&metric=levenshtein&sort=score; summary (per-metric statistics);
//   case detail         GET /api/runs/:id/cases/:index (one batch decoded)
// and the server's peak RSS (VmHWM from /proc). Warm figures are the median of ROUNDS requests.
//   node bench/viewer.mjs [N=100000] [ROUNDS=7]   (build first: `npm run build`)
// Prints numbers; asserts nothing.
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const N = Number(process.argv[2] ?? 100_000)
const ROUNDS = Number(process.argv[3] ?? 7)
const BIN = fileURLToPath(new URL("../apps/cli/bin/assay.js", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "assay-bench-viewer-"))
const db = join(dir, "assay.db")

const lines = []
for (let i = 0; i < N; i++) {
  const expected = `the answer to question ${i} is ${i % 97}`
  const actual = i % 10 === 0 ? `perhaps ${i % 89}` : i % 100 === 7 ? `${expected} (zanzibar)` : expected
  lines.push(JSON.stringify({ name: `case-${i}`, input: `question ${i}: what is the answer?`, actual_output: actual, expected_output: expected }))
}
writeFileSync(join(dir, "cases.jsonl"), lines.join("\n") + "\n")

let t = performance.now()
const run = spawnSync(process.execPath, [BIN, "run", "cases.jsonl", "--metric", "exact-match", "--metric", "levenshtein", "--cache", db, "--no-progress"], { cwd: dir, encoding: "utf8" })
if (run.status !== 1 && run.status !== 0) throw new Error(`assay run failed (${run.status}): ${run.stderr}`)
console.log(`assay run of ${N} cases: ${((performance.now() - t) / 1000).toFixed(1)} s (setup, not the viewer)`)

const server = spawn(process.execPath, [BIN, "view", "--port", "0", "--cache", db], { stdio: ["ignore", "pipe", "inherit"], timeout: 600_000, killSignal: "SIGINT" })
const url = await new Promise((resolve, reject) => {
  let out = ""
  server.stdout.setEncoding("utf8").on("data", (d) => {
    out += d
    const found = /assay view: (http:\/\/\S+)/.exec(out)?.[1]
    if (found) resolve(found)
  })
  server.on("close", (code) => reject(new Error(`assay view exited (${code})`)))
})

const timed = async (path) => {
  const start = performance.now()
  const response = await fetch(`${url}${path}`)
  const body = await response.json()
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`)
  return { ms: performance.now() - start, body }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const warm = async (path) => {
  const times = []
  let body
  for (let i = 0; i < ROUNDS; i++) ({ ms: times[i], body } = await timed(path))
  return { ms: median(times), body }
}

// The first call on a fresh server builds the view index (the runs list brings every listed run up to date).
t = performance.now()
const list = await fetch(`${url}api/runs`).then((r) => r.json())
const id = list[0].id
const rows = [["runs list (first call: builds the view index)", performance.now() - t]]
rows.push(["first page (cold, index built)", (await timed(`api/runs/${id}/cases?limit=50`)).ms])
rows.push(["first page (warm)", (await warm(`api/runs/${id}/cases?limit=50`)).ms])
rows.push([`last page (offset ${N - 50})`, (await warm(`api/runs/${id}/cases?limit=50&offset=${N - 50}`)).ms])
const search = await warm(`api/runs/${id}/cases?limit=50&q=zanzibar`)
rows.push([`search "zanzibar" (${search.body.total} matches)`, search.ms])
const failed = await warm(`api/runs/${id}/cases?limit=50&status=failed&metric=levenshtein&sort=score&order=asc`)
rows.push([`failed, sorted by levenshtein (${failed.body.total})`, failed.ms])
rows.push(["summary (per-metric statistics, histograms)", (await warm(`api/runs/${id}`)).ms])
rows.push([`case detail (#${Math.floor(N * 0.77)})`, (await warm(`api/runs/${id}/cases/${Math.floor(N * 0.77)}`)).ms])

const status = readFileSync(`/proc/${server.pid}/status`, "utf8")
const peak = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
server.kill("SIGINT")

console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}; warm figures: median of ${ROUNDS}`)
for (const [what, ms] of rows) console.log(`${what.padEnd(52)} ${ms.toFixed(1).padStart(9)} ms`)
console.log(`${"server peak RSS".padEnd(52)} ${peak.toFixed(0).padStart(9)} MB`)
rmSync(dir, { recursive: true, force: true })
