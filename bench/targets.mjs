#!/usr/bin/env node
// http and exec targets (issue 14): the built CLI runs N cases with exact-match against
//   http  a node:http app on 127.0.0.1 (in this process) answering after LATENCY ms, at concurrency C:
//         wall time beside the ideal ⌈N/C⌉·LATENCY;
//   exec  a one-line node program per case (N_EXEC cases, concurrency C): wall time per case, which is
//         mostly Node's own start-up in each child.
// Each figure is the best of ROUNDS runs.
//   node bench/targets.mjs [N=2000] [C=50] [LATENCY=20] [N_EXEC=200] [ROUNDS=3]   (build first: `npm run build`)
// Prints numbers; asserts nothing. The server stops with the script.
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const [N, C, LATENCY, N_EXEC, ROUNDS] = [2000, 50, 20, 200, 3].map((d, i) => Number(process.argv[2 + i] ?? d))
const BIN = fileURLToPath(new URL("../apps/cli/bin/assay.js", import.meta.url))

const server = createServer((req, res) => {
  let text = ""
  req.on("data", (d) => (text += d)).on("end", () => {
    const { question } = JSON.parse(text)
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ answer: `${question}!` })), LATENCY)
  })
})
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const url = `http://127.0.0.1:${server.address().port}/ask`

const run = (dir, args) =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`exit ${code}: ${stderr.slice(-500)}`))))
  })

const best = async (n, files, args) => {
  const times = []
  for (let r = 0; r < ROUNDS; r++) {
    const dir = mkdtempSync(join(tmpdir(), "assay-bench-targets-"))
    const cases = Array.from({ length: n }, (_, i) => JSON.stringify({ input: `q${i}`, expectedOutput: files.expected(i) })).join("\n") + "\n"
    writeFileSync(join(dir, "cases.jsonl"), cases)
    for (const [name, text] of Object.entries(files.extra)) writeFileSync(join(dir, name), text)
    times.push(await run(dir, ["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--concurrency", String(C), "--no-progress", ...args]))
    rmSync(dir, { recursive: true, force: true })
  }
  return Math.min(...times)
}

console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
const http = await best(N, {
  expected: (i) => `q${i}!`,
  extra: { "assay.config.yaml": `target:\n  model: ${url}\n  body: { question: "{{input}}" }\n  output: $.answer\n` }
}, [])
const ideal = Math.ceil(N / C) * LATENCY
console.log(`http  ${N} cases, c=${C}, ${LATENCY} ms latency: ${http.toFixed(0)} ms wall (ideal ⌈N/C⌉·L = ${ideal} ms; ${(http / ideal).toFixed(2)}×, start-up included)`)
const exec = await best(N_EXEC, {
  expected: (i) => `q${i}`,
  extra: { "app.mjs": "process.stdout.write(process.argv[2] + '\\n')\n" }
}, ["--target", "exec:node app.mjs {{input}}"])
console.log(`exec  ${N_EXEC} cases, c=${C}: ${exec.toFixed(0)} ms wall, ${(exec / N_EXEC).toFixed(1)} ms per case (a node start-up per case)`)
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
server.close()
