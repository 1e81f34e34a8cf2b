#!/usr/bin/env node
// Cluster scale-out benchmark (issue 20). Requires a build (`npm run build`) and PostgreSQL's initdb/pg_ctl
// (PATH or /usr/lib/postgresql/<v>/bin). Prints numbers, asserts nothing.
//   node bench/cluster.mjs [N=4000] [CONCURRENCY=20] [RUNNERS=1,2,3] [SETTLE_MS=5000] [WORKLOADS=io,io-conn,cpu]
// Three workloads, each run by the built CLI exactly as a user types it:
//   io:      N cases whose output comes from a target (the fake OpenAI server, 50 ms per request), exact-match;
//   io-conn: the same with `--max-connections` at 3 × CONCURRENCY, a cap that never binds: on a cluster every
//            call then takes and frees a shared connection row, so io-conn − io is that lease's cost;
//   cpu:     N cases scored by levenshtein on two ~4 KB strings (CPU-bound, no network).
// Each is run once on one process (SQLite, no cluster: the baseline), then with `--cluster` on 1, 2 and 3
// `assay runner` processes (a fresh Postgres database each time). Printed per line: wall time of the submitting
// process, throughput, ratio to the baseline, and the cluster's coordination cost per case
// ((cluster wall − baseline wall) / N for one runner). On a 2-core machine CPU-bound work cannot scale past
// 2 processes; the io workload shows the coordination overhead. Load average is printed beside every line:
// run benchmarks one at a time on a shared machine (`flock /tmp/assay-bench.lock …`).
import { execFileSync, spawn } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { loadavg, tmpdir, userInfo } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { createRequire } from "node:module"
import { startServer } from "./fake-server.mjs"

const N = Number(process.argv[2] ?? 4000)
const CONCURRENCY = Number(process.argv[3] ?? 20)
const RUNNERS = (process.argv[4] ?? "1,2,3").split(",").map(Number)
const SETTLE_MS = Number(process.argv[5] ?? 5000)
const WORKLOADS = (process.argv[6] ?? "io,io-conn,cpu").split(",")
const ROOT = fileURLToPath(new URL("..", import.meta.url))
// node-postgres, as the store package resolves it.
const Pg = createRequire(join(ROOT, "packages/store/package.json"))("pg")
const BIN = join(ROOT, "apps/cli/bin/assay.js")

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer()
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

// --- a throw-away PostgreSQL (as the store tests start it) ---
const pgBin = [...(process.env.PATH ?? "").split(":"), ...(existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").map((v) => `/usr/lib/postgresql/${v}/bin`) : [])]
  .find((dir) => dir !== "" && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")))
if (pgBin === undefined) throw new Error("PostgreSQL (initdb, pg_ctl) is not installed")
const asRoot = userInfo().uid === 0
const pg = (tool, args) =>
  asRoot ? execFileSync("runuser", ["-u", "postgres", "--", join(pgBin, tool), ...args], { stdio: "pipe" }) : execFileSync(join(pgBin, tool), args, { stdio: "pipe" })
const pgDir = mkdtempSync(join(asRoot ? "/tmp" : tmpdir(), "assay-bench-pg-"))
if (asRoot) chownSync(pgDir, Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), 0)
const pgPort = await freePort()
pg("initdb", ["-D", join(pgDir, "data"), "-A", "trust", "-U", "assay", "-E", "UTF8", "--no-sync"])
pg("pg_ctl", ["-D", join(pgDir, "data"), "-l", join(pgDir, "log"), "-w", "start", "-o", `-c listen_addresses=127.0.0.1 -p ${pgPort} -k ${pgDir} -c fsync=off -c synchronous_commit=off -c max_connections=200`])
const stopPg = () => {
  try {
    pg("pg_ctl", ["-D", join(pgDir, "data"), "-m", "immediate", "-w", "stop"])
  } finally {
    rmSync(pgDir, { recursive: true, force: true })
  }
}
let databases = 0
const freshDatabase = async () => {
  const name = `bench${++databases}`
  const client = new Pg.Client({ connectionString: `postgres://assay@127.0.0.1:${pgPort}/postgres` })
  await client.connect()
  await client.query(`CREATE DATABASE ${name}`)
  await client.end()
  return `postgres://assay@127.0.0.1:${pgPort}/${name}`
}

// --- processes ---
const fake = await startServer(["--port", "0", "--latency", "50ms", "--reply", "ok"])
const env = { ...process.env, OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: "sk-bench" }

const run = (args, cwd) =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d))
    child.on("exit", (code) => (code === 0 || code === 1 ? resolve({ ms: performance.now() - started, stderr }) : reject(new Error(`assay exited ${code}: ${stderr}`))))
  })

const startRunner = async (url) => {
  const port = await freePort()
  const child = spawn(process.execPath, [BIN, "runner", "--database-url", url, "--port", String(port)], { env, stdio: ["ignore", "ignore", "pipe"] })
  await new Promise((resolve, reject) => {
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d
      if (stderr.includes("joined the cluster")) resolve()
    })
    child.on("exit", (code) => reject(new Error(`runner exited ${code}: ${stderr}`)))
  })
  return child
}

/** SIGINT a runner and wait for it to exit; one still running after 30 s is reported and SIGKILLed. */
const stopRunner = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    const started = performance.now()
    const timer = setTimeout(() => {
      console.log(`  warning: runner ${child.pid} still running 30 s after SIGINT; killing it`)
      child.kill("SIGKILL")
    }, 30_000)
    child.on("exit", () => {
      clearTimeout(timer)
      const ms = performance.now() - started
      if (ms > 5_000) console.log(`  note: runner ${child.pid} took ${(ms / 1000).toFixed(1)} s to exit after SIGINT`)
      resolve()
    })
    child.kill("SIGINT")
  })

// --- workloads ---
const dir = mkdtempSync(join(tmpdir(), "assay-bench-cluster-"))
const long = (seed) => Array.from({ length: 4000 }, (_, i) => String.fromCharCode(97 + ((i * 7 + seed * 13) % 26))).join("")
writeFileSync(join(dir, "io.jsonl"), Array.from({ length: N }, (_, i) => JSON.stringify({ input: `question ${i}`, expected_output: "ok" })).join("\n") + "\n")
writeFileSync(join(dir, "cpu.jsonl"), Array.from({ length: N }, (_, i) => JSON.stringify({ input: `q${i}`, actual_output: long(i), expected_output: long(i + 1) })).join("\n") + "\n")
const io = ["io.jsonl", "--metric", "exact-match", "--target", "openai:gpt-4o-mini", "--fresh-task", "--no-cache"]
const all = {
  io,
  "io-conn": [...io, "--max-connections", String(3 * CONCURRENCY)],
  cpu: ["cpu.jsonl", "--metric", "levenshtein", "--no-cache"]
}
const workloads = Object.fromEntries(WORKLOADS.map((name) => [name, all[name]]))

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ")
const line = (label, ms, baseline) =>
  console.log(`${label.padEnd(22)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${(N / (ms / 1000)).toFixed(0).padStart(6)} cases/s  ratio ${(baseline / ms).toFixed(2)}  load ${load()}`)

try {
  console.log(`cluster bench: N=${N} concurrency=${CONCURRENCY} per runner, fake target 50 ms; ${process.version}`)
  for (const [name, args] of Object.entries(workloads)) {
    const base = (await run(["run", ...args, "--concurrency", String(CONCURRENCY), "--no-progress", "--cache", join(dir, `${name}.db`)], dir)).ms
    line(`${name} one process`, base, base)
    let oneRunner
    for (const count of RUNNERS) {
      const url = await freshDatabase()
      const runners = await Promise.all(Array.from({ length: count }, () => startRunner(url)))
      // Let the shard assignment settle (runners that joined together rebalance their shards for a few seconds).
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
      try {
        const { ms, stderr } = await run(["run", ...args, "--concurrency", String(CONCURRENCY), "--no-progress", "--cluster", url], dir)
        line(`${name} ${count} runner(s)`, ms, base)
        console.log(`  ${/cluster: .*/.exec(stderr)?.[0] ?? ""}`)
        if (count === 1) oneRunner = ms
      } finally {
        // Ctrl-C must end a runner: wait for each (a runner still up after 30 s is reported, then killed).
        await Promise.all(runners.map((r) => stopRunner(r)))
      }
    }
    if (oneRunner !== undefined) console.log(`  coordination cost (1 runner vs one process): ${(((oneRunner - base) / N) * 1000).toFixed(0)} µs per case`)
  }
} finally {
  fake.stop()
  stopPg()
  rmSync(dir, { recursive: true, force: true })
}
