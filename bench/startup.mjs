#!/usr/bin/env node
// Start-up of the bundled CLI as a user types it: `assay --help` and `assay run ten.jsonl --metric exact-match
// --no-cache` (ten cases, no judge, no target), each a fresh process, ROUNDS times alternating. Prints the
// median and range of wall time and of CPU time (user + sys, from GNU time), peak RSS, and the load average
// before and after (the machine is shared: quote it beside the numbers). Another command can be added with
// --also "args…" (e.g. --also "run one.eval.ts --no-cache" to time the unbundled path). With --baseline
// <another checkout's apps/cli/bin/assay.js>, its CLI runs the same commands alternating with this one, so both
// see the same load (the fair comparison on a shared machine).
//   npm run build && node bench/startup.mjs [--rounds 15] [--also "…"] [--baseline /path/to/bin/assay.js]
import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const here = dirname(fileURLToPath(import.meta.url))
const bin = join(here, "../apps/cli/bin/assay.js")
const { values } = parseArgs({ options: { rounds: { type: "string", default: "15" }, also: { type: "string", multiple: true, default: [] }, baseline: { type: "string" } } })
const rounds = Number(values.rounds)

const dir = mkdtempSync(join(tmpdir(), "assay-startup-"))
writeFileSync(join(dir, "ten.jsonl"), Array.from({ length: 10 }, (_, i) => JSON.stringify({ input: `q${i}`, actual_output: "a", expected_output: i < 8 ? "a" : "b" })).join("\n") + "\n")

const base = {
  "--help": ["--help"],
  "run ten.jsonl": ["run", "ten.jsonl", "--metric", "exact-match", "--no-cache", "--no-progress"],
  ...Object.fromEntries(values.also.map((a) => [a, a.split(" ")]))
}
const bins = values.baseline === undefined ? { "": bin } : { "": bin, " (baseline)": values.baseline }
const commands = Object.fromEntries(Object.entries(bins).flatMap(([label, file]) => Object.entries(base).map(([name, args]) => [name + label, { file, args }])))

/** One run through GNU time: wall time measured here, CPU (user + sys) and peak RSS as time reports them. */
const once = ({ file, args }) => {
  const start = performance.now()
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S %M", process.execPath, file, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
  const wall = performance.now() - start
  if (r.status !== 0 && r.status !== 1) throw new Error(`assay ${args.join(" ")} exited ${r.status}: ${r.stderr}`)
  const [user, sys, kb] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number)
  return { wall, cpu: (user + sys) * 1000, maxRss: kb / 1024 }
}

const times = (list) => {
  const sorted = [...list].sort((a, b) => a - b)
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) }
}

const before = loadavg().map((x) => x.toFixed(2)).join(" ")
const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]))
for (let i = 0; i < rounds; i++) for (const [name, args] of Object.entries(commands)) samples[name].push(once(args))
const after = loadavg().map((x) => x.toFixed(2)).join(" ")

console.log(`start-up, ${rounds} rounds, load average before ${before} · after ${after}`)
for (const [name, list] of Object.entries(samples)) {
  const w = times(list.map((s) => s.wall))
  const cpu = times(list.map((s) => s.cpu))
  const rss = times(list.map((s) => s.maxRss))
  const range = (t) => `${(t.median / 1000).toFixed(3)} s (${(t.min / 1000).toFixed(3)}–${(t.max / 1000).toFixed(3)})`
  console.log(`assay ${name.padEnd(27)} wall ${range(w)} · CPU ${range(cpu)} · peak RSS ${rss.median.toFixed(0)} MB`)
}
