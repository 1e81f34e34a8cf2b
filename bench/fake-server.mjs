// Shared by the HTTP benchmarks (judge.mjs, transport.mjs): the fake OpenAI server in a child process, so it
// does not share the benchmark's event loop, and the bare baseline that calls it without Effect.
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
// undici is a dependency of @effect/platform-node: resolve it the way the judge package would.
const undici = createRequire(join(here, "../packages/judge/package.json"))("undici")

/** The chat request every HTTP benchmark sends. */
export const benchRequest = { messages: [{ role: "user", content: "Rate this answer 0-10." }] }

/** Start the fake server (packages/fake-openai/dist/main.js) with `args`; resolves with its base URL, pid and a stop function. */
export function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "../packages/fake-openai/dist/main.js"), "--max-seconds", "300", ...args], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    child.on("error", reject)
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (text) => {
      const match = /listening (\S+)/.exec(text)
      if (match) resolve({ baseUrl: match[1], pid: child.pid, stop: () => child.kill("SIGTERM") })
    })
  })
}

/** Bare baseline: `inFlight` async loops sending `n` chat completions with undici.request, no Effect, no engine. */
export function bareUndici(baseUrl, n, inFlight) {
  const body = JSON.stringify({ model: "fake", messages: benchRequest.messages, temperature: 0 })
  const url = `${baseUrl}/chat/completions`
  let next = 0
  return Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) {
      next++
      const response = await undici.request(url, { method: "POST", body, headers: { "content-type": "application/json" } })
      await response.body.text()
    }
  }))
}

/** CPU time (µs, user + system) the process `pid` has used so far, from /proc (undefined where there is none). */
export function processCpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100 // utime + stime, in clock ticks of 1/100 s
  } catch {
    return undefined
  }
}
