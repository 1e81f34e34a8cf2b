#!/usr/bin/env node
// Model calls through the `assay` CLI as a user types it (build first: `npm run build`), against the fake
// server in its own process:
// - W1: N cases (default 10 000), `assay run cases.jsonl --target <provider>:m --metric exact-match
//   --concurrency 100 --no-progress` in a fresh directory (default cache), latency 50 ms, for
//   `openai-compatible:` and `openai:`; each process's wall time ÷ that of a bare undici loop process making
//   the same N calls at the same concurrency (bench/bare-calls.mjs), in the same round. Ideal: N ÷ 100 × 50 ms.
// - Rate cap: 2000 cases against a server that admits 150 requests/s (429 beyond, with x-ratelimit-* headers)
//   and answers 20 % of admitted requests with HTTP 500; the share of the cap kept = successful calls per
//   second between the server's first and last request ÷ 150 (at most 80 %: a fifth of the admissions fail).
//   Also without the headers (`--no-rate-headers`): the limit is then found by the 429s alone.
// Rounds alternate the programs; the best of ROUNDS is kept. Prints numbers and the load average; asserts nothing.
//   node bench/cli-calls.mjs [N=10000] [ROUNDS=3] [--skip-w1] [--skip-openai] [--skip-cap]
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { startServer } from "./fake-server.mjs"

const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"))
const N = Number(positional[0] ?? 10_000)
const ROUNDS = Number(positional[1] ?? 3)
const skip = (name) => process.argv.includes(`--skip-${name}`)
const CONCURRENCY = 100
const CAP = 150
const cli = fileURLToPath(new URL("../apps/cli/bin/assay.js", import.meta.url))
const bare = fileURLToPath(new URL("./bare-calls.mjs", import.meta.url))
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ")

const dir = mkdtempSync(join(tmpdir(), "assay-bench-calls-"))
const dataset = (n) => {
  const file = join(dir, `cases-${n}.jsonl`)
  writeFileSync(file, Array.from({ length: n }, (_, i) => `${JSON.stringify({ input: `question ${i}?`, expected_output: "ok" })}\n`).join(""))
  return file
}

/** Wall milliseconds of one process; throws with its stderr if it fails (exit 1 = failed cases is fine). */
const timed = (args, env = {}) => {
  const cwd = mkdtempSync(join(dir, "run-"))
  const start = performance.now()
  const child = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 << 20 })
  const ms = performance.now() - start
  rmSync(cwd, { recursive: true, force: true })
  if (child.status !== 0 && child.status !== 1) throw new Error(`${args.join(" ")} exited ${child.status}: ${child.stderr}`)
  return ms
}

const assay = (cases, target, baseUrl, extra = []) =>
  timed([cli, "run", cases, "--target", target, "--metric", "exact-match", "--concurrency", String(CONCURRENCY), "--no-progress", ...extra], {
    OPENAI_BASE_URL: baseUrl,
    OPENAI_API_KEY: "sk-bench"
  })

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`

async function w1() {
  const server = await startServer(["--latency", "50"])
  try {
    const cases = dataset(N)
    const programs = {
      bare: () => timed([bare, server.baseUrl, String(N), String(CONCURRENCY)]),
      "openai-compatible": () => assay(cases, "openai-compatible:m", server.baseUrl),
      ...(skip("openai") ? {} : { openai: () => assay(cases, "openai:m", server.baseUrl) })
    }
    const best = Object.fromEntries(Object.keys(programs).map((k) => [k, Infinity]))
    for (let round = 0; round < ROUNDS; round++) {
      const times = Object.fromEntries(Object.entries(programs).map(([k, run]) => [k, run()]))
      console.log(`round ${round + 1} (load ${load()}): ${Object.entries(times).map(([k, ms]) => `${k} ${fmt(ms)}`).join(", ")}`)
      for (const k of Object.keys(best)) best[k] = Math.min(best[k], times[k])
    }
    const ideal = (N / CONCURRENCY) * 50
    console.log(`W1: ${N} calls, --concurrency ${CONCURRENCY}, 50 ms latency (ideal ${fmt(ideal)}), best of ${ROUNDS}, process wall:`)
    for (const [k, ms] of Object.entries(best)) {
      console.log(`  ${k.padEnd(18)} ${fmt(ms).padStart(8)}  ÷ ideal ${(ms / ideal).toFixed(2)}  ÷ bare ${(ms / best.bare).toFixed(3)}`)
    }
    if (best.openai !== undefined) console.log(`  openai ÷ openai-compatible ${(best.openai / best["openai-compatible"]).toFixed(3)}`)
  } finally {
    server.stop()
  }
}

/** Successful calls per second between the server's first and last request, as a share of the cap. */
async function capShare(headers) {
  const server = await startServer(["--latency", "50", "--rate", String(CAP), "--fail-rate", "0.2", "--seed", "5", ...(headers ? [] : ["--no-rate-headers"])])
  try {
    const ms = assay(dataset(2000), "openai-compatible:m", server.baseUrl)
    const log = await (await fetch(`${server.baseUrl.replace(/\/v1$/, "")}/_fake/log`)).json()
    const ok = log.filter((e) => e.status === 200).length
    const span = (log.at(-1).arrivedAt - log[0].arrivedAt) / 1000
    const count = (status) => log.filter((e) => e.status === status).length
    console.log(
      `  ${headers ? "with headers   " : "without headers"} ${ok} ok in ${span.toFixed(2)} s = ${(ok / span).toFixed(1)}/s = ${((100 * ok) / span / CAP).toFixed(1)} % of the cap` +
        ` (${count(429)}×429, ${count(500)}×500; process wall ${fmt(ms)}, load ${load()})`
    )
  } finally {
    server.stop()
  }
}

try {
  if (!skip("w1")) await w1()
  if (!skip("cap")) {
    console.log(`Rate cap ${CAP} req/s + 20 % HTTP 500, 2000 calls, --concurrency ${CONCURRENCY}, 50 ms latency (at most 80 %):`)
    for (let round = 0; round < Math.min(ROUNDS, 2); round++) {
      await capShare(true)
      await capShare(false)
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
