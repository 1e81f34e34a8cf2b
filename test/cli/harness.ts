/**
 * Helpers for the CLI end-to-end tests: run the built `assay` binary as a subprocess (the tests need
 * `npm run build` first — `npm install` does it through the root `prepare` script, `npm test` itself too) and
 * make fixture directories.
 *
 * @example
 * ```ts
 * const { code, stdout } = await assay(["run", "cases.jsonl", "--metric", "exact-match"], { cwd: dir })
 * ```
 */
import { spawn, type ChildProcess } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { vi } from "vitest"

// Every test spawns Node processes; on a loaded 2-core machine one spawn can take several seconds. Tests assert
// on outputs, never on durations, so the time limit only has to be generous.
vi.setConfig({ testTimeout: 180_000 })

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "../..")
/** The binary under test. */
export const BIN = join(ROOT, "apps/cli/bin/assay.js")

/** The newest modification time (ms) of the `.js` files under `dir`, 0 when there are none. */
const newestJs = (dir: string): number =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".js"))
      .reduce((newest, f) => Math.max(newest, statSync(join(dir, f)).mtimeMs), 0)
    : 0

/**
 * Fail early with a clear message when the CLI was not built, or when its bundle is older than tsc's output
 * (`tsc -b` alone rebuilds the modules but not `apps/cli/dist/assay.mjs`, which the binary runs).
 */
export const requireBuild = (): void => {
  const bundle = join(ROOT, "apps/cli/dist/assay.mjs")
  if (!existsSync(bundle)) {
    throw new Error("apps/cli/dist/assay.mjs is missing: run `npm run build` (`npm install` does it) before the CLI tests")
  }
  const sources = ["apps/cli/dist", "packages/core/dist", "packages/judge/dist", "packages/store/dist"]
  if (Math.max(...sources.map((d) => newestJs(join(ROOT, d)))) > statSync(bundle).mtimeMs) {
    throw new Error("apps/cli/dist/assay.mjs is older than the compiled modules: run `npm run build` before the CLI tests")
  }
}

/** The outcome of one CLI invocation. */
export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Options of {@link assay}. */
export interface AssayOptions {
  readonly cwd?: string
  readonly env?: Record<string, string>
  /** Called once with the child as soon as it is spawned (to send signals). */
  readonly onSpawn?: (child: ChildProcess, output: { stdout: string; stderr: string }) => void
}

/**
 * Run `node apps/cli/bin/assay.js ...args` and collect its output (non-TTY pipes, NO_COLOR and FORCE_COLOR unset unless given).
 *
 * @example
 * ```ts
 * const r = await assay(["metrics"])
 * ```
 */
export const assay = (args: ReadonlyArray<string>, options: AssayOptions = {}): Promise<CliResult> =>
  new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...options.env }
    if (options.env?.NO_COLOR === undefined) delete env.NO_COLOR
    if (options.env?.FORCE_COLOR === undefined) delete env.FORCE_COLOR
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ["ignore", "pipe", "pipe"] })
    const output = { stdout: "", stderr: "" }
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output.stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output.stderr += d))
    child.on("error", reject)
    child.on("close", (code, signal) => resolvePromise({ code, signal, ...output }))
    options.onSpawn?.(child, output)
  })

/**
 * A fresh temporary directory with the given files.
 *
 * @example
 * ```ts
 * const dir = fixtureDir({ "cases.jsonl": '{"input":"q"}\n' })
 * ```
 */
export const fixtureDir = (files: Record<string, string> = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "assay-cli-"))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

/** Ten simple cases, three of them wrong, as JSONL lines. */
export const QA_CASES = [
  { name: "paris", input: "Capital of France?", actual_output: "Paris", expected_output: "Paris" },
  { name: "canberra", input: "Capital of Australia?", actual_output: "Sydney", expected_output: "Canberra" },
  { name: "tokyo", input: "Capital of Japan?", actual_output: "Tokyo", expected_output: "Tokyo" },
  { name: "ottawa", input: "Capital of Canada?", actual_output: "Ottawa", expected_output: "Ottawa" },
  { name: "brasilia", input: "Capital of Brazil?", actual_output: "Rio", expected_output: "Brasília" },
  { name: "nairobi", input: "Capital of Kenya?", actual_output: "Nairobi", expected_output: "Nairobi" },
  { name: "ankara", input: "Capital of Turkey?", actual_output: "Istanbul", expected_output: "Ankara" },
  { name: "cairo", input: "Capital of Egypt?", actual_output: "Cairo", expected_output: "Cairo" },
  { name: "wellington", input: "Capital of New Zealand?", actual_output: "Wellington", expected_output: "Wellington" },
  { name: "bern", input: "Capital of Switzerland?", actual_output: "Bern", expected_output: "Bern" }
] as const

/** {@link QA_CASES} as JSONL text. */
export const qaJsonl = (): string => QA_CASES.map((c) => JSON.stringify(c)).join("\n") + "\n"

/** A running fake OpenAI server (packages/fake-openai's standalone entry). */
export interface FakeServer {
  readonly baseUrl: string
  readonly stop: () => void
}

/**
 * Start the fake OpenAI server on a free 127.0.0.1 port; it stops by itself after `maxSeconds` (two minutes by
 * default: long test files ask for more).
 *
 * @example
 * ```ts
 * const fake = await startFake(["--reply", "Paris"])
 * ```
 */
export const startFake = (args: ReadonlyArray<string>, maxSeconds = 120): Promise<FakeServer> =>
  new Promise((resolvePromise, reject) => {
    const main = join(ROOT, "packages/fake-openai/dist/main.js")
    if (!existsSync(main)) return reject(new Error(`${main} is missing: run \`npx tsc -b\` first`))
    const child = spawn(process.execPath, [main, "--port", "0", "--max-seconds", String(maxSeconds), ...args], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d
      const url = /listening (\S+)/.exec(out)?.[1]
      if (url !== undefined) resolvePromise({ baseUrl: url, stop: () => child.kill("SIGTERM") })
    })
    child.on("error", reject)
    child.on("close", (code) => reject(new Error(`fake server exited (${code}) before listening: ${out}`)))
  })

/**
 * A YAML config with one G-Eval metric (name `correctness`, threshold 0.7) judged by `openai:gpt-4o-mini`,
 * plus `extraMetrics` (metric ids) after it.
 */
export const gevalConfig = (extraMetrics: ReadonlyArray<string> = []): string => [
  "metrics:",
  "  - metric: g-eval",
  "    name: correctness",
  "    evaluationSteps: [\"Check that the answer is factually correct\"]",
  "    threshold: 0.7",
  ...extraMetrics.map((id) => `  - ${id}`),
  "judge: openai:gpt-4o-mini"
].join("\n")

/** One request in the fake server's log: its path and how many requests were in flight when it arrived. */
export interface FakeLogEntry {
  readonly path: string
  readonly inFlight: number
}

/** The fake server's request log (`GET /_fake/log`). */
export const fakeLog = async (server: FakeServer): Promise<ReadonlyArray<FakeLogEntry>> =>
  (await (await fetch(`${server.baseUrl.replace(/\/v1$/, "")}/_fake/log`)).json()) as ReadonlyArray<FakeLogEntry>

/**
 * An `onSpawn` handler that calls `act` once, as soon as the child's stderr contains `marker` (a progress line, say):
 * the tests signal a run once it is visibly under way, never after a guessed delay. `fired()` says whether it did.
 */
export const whenStderr = (marker: string, act: (child: ChildProcess) => void) => {
  let fired = false
  const onSpawn = (child: ChildProcess, output: { readonly stderr: string }) => {
    const poll = setInterval(() => {
      if (!fired && output.stderr.includes(marker)) {
        fired = true
        act(child)
      }
    }, 20)
    child.on("close", () => clearInterval(poll))
  }
  return { onSpawn, fired: () => fired }
}
