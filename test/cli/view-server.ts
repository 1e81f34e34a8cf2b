/**
 * Start `assay view --port 0` (the built binary) on a store and read its URL from stdout. The process stops
 * when the test calls `stop()`, or by itself after a few minutes (spawn's timeout) if a test never does.
 *
 * @example
 * ```ts
 * const view = await startView(join(dir, "assay.db"))
 * await fetch(`${view.url}api/runs`)
 * view.stop()
 * ```
 */
import { spawn } from "node:child_process"
import { BIN } from "./harness.js"

/** A running viewer. */
export interface ViewServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string
  readonly stop: () => void
  /** Everything the process printed on stderr so far. */
  readonly stderr: () => string
}

/** See the module doc. */
export const startView = (db: string, cwd?: string): Promise<ViewServer> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, "view", "--port", "0", "--cache", db], {
      cwd, stdio: ["ignore", "pipe", "pipe"], timeout: 240_000, killSignal: "SIGINT"
    })
    let out = ""
    let err = ""
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d))
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d
      const url = /assay view: (http:\/\/\S+)/.exec(out)?.[1]
      if (url !== undefined) resolvePromise({ url, stop: () => child.kill("SIGINT"), stderr: () => err })
    })
    child.on("error", reject)
    child.on("close", (code) => reject(new Error(`assay view exited (${code}) before listening: ${out}${err}`)))
  })

/** GET a JSON document; the status and the parsed body. */
export const getJson = async (url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> => {
  const response = await fetch(url, { headers })
  const text = await response.text()
  return { status: response.status, body: text === "" ? null : JSON.parse(text) }
}
