#!/usr/bin/env node
// The `assay` CLI's memory and overhead end to end (build first: `npm run build`), each a fresh process timed
// and measured by /usr/bin/time (wall clock, peak RSS):
//   W2     N cases × exact-match + levenshtein, `--out`, `--no-cache`, beside a bare streaming loop doing the
//          same parse-score-write work (it writes each case's test case beside its scores, as --out does);
//   RSS    SMALL and BIG cases × the same metrics with `--out` and `--jsonl` (fresh cache each);
//   cached the rerun of N cases on a warm cache (`--out`): the previous run reused whole; then a rerun with one
//          case added, whose other cases are looked up in the cache one by one.
// Datasets are generated into bench/out/ (gitignored). Best of ROUNDS for times.
//   node bench/cli-lean.mjs [N=100000] [SMALL=50000] [BIG=500000] [ROUNDS=2]
// Prints numbers; asserts nothing.
import { spawnSync } from "node:child_process"
import { appendFileSync, closeSync, copyFileSync, createWriteStream, existsSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs"
import { cpus, loadavg } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { levenshtein } from "./scorers.mjs"

const here = dirname(fileURLToPath(import.meta.url))
const outDir = join(here, "out")
const cli = join(here, "..", "apps", "cli", "bin", "assay.js")
const words = "the quick brown fox jumps over lazy dog paris france capital river seine city light tower".split(" ")
const sentence = (seed, n) => Array.from({ length: n }, (_, k) => words[(seed * 7 + k * 13) % words.length]).join(" ")

async function generate(n) {
  const file = join(outDir, `lean-${n}.jsonl`)
  if (existsSync(file)) return file
  mkdirSync(outDir, { recursive: true })
  const out = createWriteStream(file)
  for (let i = 0; i < n; i++) {
    const expected = sentence(i, 8 + (i % 5))
    const actual = i % 4 === 0 ? sentence(i + 1, 8 + (i % 5)) : expected
    const line = JSON.stringify({ name: `case-${i}`, input: `question ${i}?`, actual_output: actual, expected_output: expected })
    if (!out.write(line + "\n")) await new Promise((r) => out.once("drain", r))
  }
  await new Promise((r) => out.end(r))
  return file
}

/** The bare loop: read 1 MiB chunks, JSON.parse each line, exact match + Levenshtein, write a JSON line per case. */
function bare(file, outFile) {
  const fd = openSync(file, "r")
  const out = openSync(outFile, "w")
  const buf = Buffer.alloc(1 << 20)
  let rest = ""
  let index = 0
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null)
    const lines = (rest + buf.toString("utf8", 0, n)).split("\n")
    rest = n === 0 ? "" : lines.pop()
    let text = ""
    for (const line of lines) {
      if (line === "") continue
      const c = JSON.parse(line)
      const testCase = { name: c.name, input: c.input, actualOutput: c.actual_output, expectedOutput: c.expected_output }
      const exact = c.actual_output.trim() === c.expected_output.trim() ? 1 : 0
      const lev = levenshtein(c.actual_output, c.expected_output)
      text += JSON.stringify({ index: index++, name: c.name, success: exact === 1 && lev >= 0.8, scores: [exact, lev], testCase }) + "\n"
    }
    writeSync(out, text)
    if (n === 0) break
  }
  closeSync(fd)
  closeSync(out)
}

/** Run a command under /usr/bin/time -v: wall seconds and peak RSS (MB). */
function measured(args, cwd) {
  const r = spawnSync("/usr/bin/time", ["-v", process.execPath, ...args], { cwd, encoding: "utf8", maxBuffer: 64 << 20 })
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`)
  const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr)
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3])
  return { s: seconds, mb: Number(rss[1]) / 1024 }
}

const metrics = ["--metric", "exact-match", "--metric", "levenshtein", "--no-progress"]
const best = (runs) => runs.reduce((a, b) => (b.s < a.s ? b : a))

if (process.argv[2] === "--bare") {
  bare(process.argv[3], process.argv[4])
} else {
  const [N = 100_000, SMALL = 50_000, BIG = 500_000, ROUNDS = 2] = process.argv.slice(2).map(Number)
  const work = join(outDir, "lean-work")
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  const file = await generate(N)
  const rounds = (f) => Array.from({ length: ROUNDS }, f)
  const bareRun = best(rounds(() => measured([fileURLToPath(import.meta.url), "--bare", file, join(work, "bare.jsonl")], work)))
  const w2 = best(rounds(() => measured([cli, "run", file, ...metrics, "--no-cache", "--out", join(work, "w2.json")], work)))
  const cache = join(work, "cache.db")
  measured([cli, "run", file, ...metrics, "--cache", cache, "--out", join(work, "first.json")], work)
  const cached = best(rounds(() => measured([cli, "run", file, ...metrics, "--cache", cache, "--out", join(work, "cached.json")], work)))
  // One case added: the previous run cannot be reused whole, so each of the others is looked up in the cache.
  const edited = join(work, "edited.jsonl")
  copyFileSync(file, edited)
  appendFileSync(edited, `${JSON.stringify({ name: "added", input: "added?", actual_output: "a", expected_output: "a" })}\n`)
  const looked = measured([cli, "run", edited, ...metrics, "--cache", cache, "--out", join(work, "edited.json")], work)
  const rssAt = async (n) => {
    const f = await generate(n)
    const db = join(work, `rss-${n}.db`)
    const r = measured([cli, "run", f, ...metrics, "--cache", db, "--out", join(work, `rss-${n}.json`), "--jsonl", join(work, `rss-${n}.jsonl`)], work)
    rmSync(db, { force: true })
    return r
  }
  const small = await rssAt(SMALL)
  const big = await rssAt(BIG)
  const f = (r) => `${r.s.toFixed(2)} s, ${r.mb.toFixed(0)} MB`
  console.log(`assay CLI, exact-match + levenshtein, node ${process.version}, best of ${ROUNDS} (times) — load ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores`)
  console.log(`  bare loop, ${N} cases:              ${f(bareRun)}`)
  console.log(`  W2 (--out, --no-cache), ${N} cases: ${f(w2)}  → ${(w2.s / bareRun.s).toFixed(2)}× the bare loop (target ≤ 3, ≤ 250 MB)`)
  console.log(`  cached rerun, ${N} cases:           ${f(cached)}  (target ≤ 2 s; the previous run reused whole)`)
  console.log(`  rerun with one case added:           ${f(looked)}  (every other case looked up in the cache)`)
  console.log(`  --out + --jsonl, ${SMALL} cases:       ${f(small)}`)
  console.log(`  --out + --jsonl, ${BIG} cases:      ${f(big)}  → RSS ${(big.mb / small.mb).toFixed(2)}× that of ${SMALL} (target ≤ 1.3, ≤ 300 MB)`)
  rmSync(work, { recursive: true, force: true })
}
