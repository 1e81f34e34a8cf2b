/**
 * Progress as a person sees it, from the built CLI: on a terminal (a pseudo-terminal from util-linux's
 * `script`) a live region with the overall and calls lines, which an error line replaces rather than sticks
 * to; with NO_COLOR the region has no colour codes; piped, plain `progress` lines on stderr with no escape
 * codes at all.
 */
import { spawn, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, BIN, type FakeServer, fixtureDir, requireBuild, startFake } from "./harness.js"

const hasScript = spawnSync("script", ["--version"]).status === 0

let slow: FakeServer
let rejecting: FakeServer
beforeAll(async () => {
  requireBuild()
  slow = await startFake(["--reply", "Paris", "--latency", "300"])
  // The third request is refused as unauthorized: a fatal error that ends the run mid-way.
  rejecting = await startFake(["--reply", "Paris", "--latency", "300", "--fail-every", "3", "--fail-status", "401"])
})
afterAll(() => {
  slow?.stop()
  rejecting?.stop()
})

const target = (server: FakeServer) =>
  ["--metric", "exact-match", "--no-cache", "--concurrency", "2", "--target", "openai-compatible:m", "--prompt-template", "{{input}}", "--base-url", server.baseUrl]

/** Run the CLI under a 100×30 pseudo-terminal (stdout to `stdoutFile` when given); resolves with everything the terminal received. */
const onTerminal = (args: ReadonlyArray<string>, cwd: string, env: Record<string, string>, stdoutFile?: string): Promise<{ code: number | null; screen: string }> =>
  new Promise((resolve, reject) => {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ")
    const full: Record<string, string | undefined> = { ...process.env, TERM: "xterm-256color", ...env }
    if (env.NO_COLOR === undefined) delete full.NO_COLOR
    if (env.FORCE_COLOR === undefined) delete full.FORCE_COLOR
    const child = spawn("script", ["-qfec", `stty cols 100 rows 30; exec ${quoted}${stdoutFile === undefined ? "" : ` > '${stdoutFile}'`}`, "/dev/null"], { cwd, env: full, stdio: ["ignore", "pipe", "pipe"] })
    let screen = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (screen += d))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, screen }))
  })

/** Ten cases without outputs, for the target to answer; three expect something other than its "Paris". */
const unanswered = (): string =>
  Array.from({ length: 10 }, (_, i) => JSON.stringify({ input: `q${i}`, expected_output: i < 7 ? "Paris" : "Rome" })).join("\n") + "\n"

/** The text without escape sequences. */
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")

describe.skipIf(!hasScript)("progress on a terminal", () => {
  it("draws a live region with the overall and calls lines; an error line starts on a line of its own, below nothing", async () => {
    const dir = fixtureDir({ "cases.jsonl": unanswered() })
    const { code, screen } = await onTerminal(["run", "cases.jsonl", ...target(rejecting)], dir, {})
    expect(code).toBe(2)
    const frames = plain(screen)
    expect(frames).toMatch(/\d+\/10 \d+\.\d% · pass /) // the overall line
    expect(frames).toMatch(/target [0-2]\/\d+ in flight · 0 backing off · 0×429/) // the calls line
    const error = screen.indexOf("assay: target")
    expect(error).toBeGreaterThan(0)
    // The region was cleared first: the error follows an erase-and-go-to-column-1 or a newline, not a count.
    expect(screen.slice(0, error)).toMatch(/(\x1b\[G|\n)(\x1b\[\?2026l)?$/)
    expect(plain(screen.slice(error))).not.toMatch(/in flight/) // and the region is not drawn again after it
    const regionLines = frames.split(/\r?\n/).filter((l) => / in flight|% · pass /.test(l))
    for (const line of regionLines) expect(line.length).toBeLessThanOrEqual(100)
  })

  it("with NO_COLOR the live region has no colour codes; --no-progress prints plain lines instead", async () => {
    const dir = fixtureDir({ "cases.jsonl": unanswered() })
    const env = { NO_COLOR: "1" }
    const live = await onTerminal(["run", "cases.jsonl", ...target(slow)], dir, env)
    expect(live.code).toBe(1) // three cases expect "Rome"
    expect(plain(live.screen)).toMatch(/target \d+\/\d+ in flight/)
    expect(live.screen).not.toMatch(/\x1b\[[0-9;]*m/)
    const quiet = await onTerminal(["run", "cases.jsonl", ...target(slow), "--no-progress"], dir, env)
    expect(quiet.screen).toMatch(/^progress 10\/10 100\.0% · /m)
    expect(quiet.screen).not.toMatch(/\x1b/)
  })
})

describe.skipIf(!hasScript)("colours per stream", () => {
  it("stdout to a file, stderr on the terminal: a coloured bar, a report without colour codes", async () => {
    const dir = fixtureDir({ "cases.jsonl": unanswered() })
    const { code, screen } = await onTerminal(["run", "cases.jsonl", ...target(slow)], dir, {}, "report.txt")
    expect(code).toBe(1)
    expect(plain(screen)).toMatch(/\d+\/10 \d+\.\d% · pass /)
    expect(screen).toMatch(/\x1b\[32m█/) // the bar's done part is green on stderr
    const report = readFileSync(join(dir, "report.txt"), "utf8")
    expect(report).toMatch(/^pass rate /m)
    expect(report).not.toMatch(/\x1b/)
  })
})

describe("progress when piped", () => {
  it("FORCE_COLOR colours piped output; NO_COLOR wins over it; FORCE_COLOR=0 keeps it plain", async () => {
    const answered = [{ input: "q", actual_output: "Paris", expected_output: "Paris" }, { input: "r", actual_output: "Paris", expected_output: "Rome" }]
    const dir = fixtureDir({ "cases.jsonl": answered.map((c) => JSON.stringify(c)).join("\n") + "\n" })
    const args = ["run", "cases.jsonl", "--metric", "exact-match", "--no-cache"]
    const forced = await assay(args, { cwd: dir, env: { FORCE_COLOR: "1" } })
    expect(forced.stdout).toMatch(/\x1b\[31mFAILED/)
    const both = await assay(args, { cwd: dir, env: { FORCE_COLOR: "1", NO_COLOR: "1" } })
    expect(both.stdout + both.stderr).not.toMatch(/\x1b/)
    const zero = await assay(args, { cwd: dir, env: { FORCE_COLOR: "0" } })
    expect(zero.stdout + zero.stderr).not.toMatch(/\x1b/)
  })

  it("prints plain progress lines on stderr, with the calls counters and no escape codes", async () => {
    const dir = fixtureDir({ "cases.jsonl": unanswered() })
    const r = await assay(["run", "cases.jsonl", ...target(slow)], { cwd: dir })
    expect(r.code).toBe(1)
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("progress "))
    expect(lines.length).toBeGreaterThanOrEqual(10)
    expect(lines.at(-1)).toMatch(/^progress 10\/10 100\.0% · pass \d+\.\d% · [\d.]+\/s · cost unknown · exact-match \d+\/10 · target 0\/\d+ in flight, 0 backing off, 0×429, 0 retries, 10 calls$/)
    expect(r.stderr + r.stdout).not.toMatch(/\x1b/)
  })
})
