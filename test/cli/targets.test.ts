/**
 * `--target http://…` and `--target exec:…` through the built CLI, against a local fake app: a node:http server
 * on 127.0.0.1 started here (it records what it was sent) and a small node script (fixtures/target-app.mjs).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, requireBuild, ROOT, whenStderr } from "./harness.js"

const SECRET = "s3cr3t-app-token-41f7"
const APP = join(ROOT, "test/cli/fixtures/target-app.mjs")

interface Received {
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: unknown
}

let server: Server
let base = ""
const received: Array<Received> = []
/** While true, the question "hang" gets no answer (to interrupt a run with a request in flight). */
let holding = false

/** The fake app: /ask answers `<question>!` (or, for "echo", the Authorization header it got); /fail is a 500 quoting it; /deny a 401. */
const handle = (path: string, headers: IncomingHttpHeaders, body: { question?: string }): [number, string] => {
  if (path === "/fail") return [500, JSON.stringify({ error: { message: `internal failure, you sent ${headers.authorization}` } })]
  if (path === "/deny") return [401, JSON.stringify({ error: { message: `bad token ${headers.authorization}` } })]
  const answer = body.question === "echo" ? `you sent ${headers.authorization}` : `${body.question}!`
  return [200, JSON.stringify({ answer, choices: [{ message: { content: answer } }] })]
}

beforeAll(async () => {
  requireBuild()
  server = createServer((req, res) => {
    let text = ""
    req.setEncoding("utf8").on("data", (d: string) => (text += d)).on("end", () => {
      const body = JSON.parse(text) as { question?: string }
      received.push({ path: req.url ?? "", headers: req.headers, body })
      if (holding && body.question === "hang") return
      const [status, reply] = handle(req.url ?? "", req.headers, body)
      res.writeHead(status, { "content-type": "application/json" }).end(reply)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server?.closeAllConnections()
  server?.close()
})

const CASES = [
  { name: "fr", input: "Paris", expectedOutput: "Paris!", context: ["France is in Europe"], metadata: { lang: "fr" } },
  { name: "leak", input: "echo", expectedOutput: "nothing" }
].map((c) => JSON.stringify(c)).join("\n") + "\n"

const httpConfig = (path: string, output = "$.answer") => [
  "metrics: [exact-match]",
  "target:",
  `  model: ${base}${path}`,
  "  body: { question: \"{{input}}\", ctx: \"{{context}}\", lang: \"{{metadata.lang}}\", label: \"case {{name}}\", k: 3 }",
  `  output: ${JSON.stringify(output)}`,
  "  headers: { Authorization: \"Bearer {{env.APP_TOKEN}}\", X-Client: assay-test }"
].join("\n")

/** Every file the run left in `dir` (reports and the run store), as text. */
const everything = (dir: string): string =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => existsSync(join(dir, f)) && !f.endsWith(".mjs"))
    .map((f) => { try { return readFileSync(join(dir, f), "latin1") } catch { return "" } })
    .join("\n")

const results = (dir: string, file = "out.json") =>
  JSON.parse(readFileSync(join(dir, file), "utf8")) as { cases: Array<{ error?: string | null; testCase?: { actualOutput?: unknown }; metrics: Array<{ score: number | null; reason?: string }> }> }

describe("--target http://", () => {
  it("posts the templated body with the headers, reads the output path, and never shows the secret, even echoed", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": httpConfig("/ask") })
    received.length = 0
    const r = await assay(["run", "cases.jsonl", "--out", "out.json", "--jsonl", "out.jsonl", "--html", "out.html"], { cwd: dir, env: { APP_TOKEN: SECRET } })
    expect(r.code).toBe(1) // "leak" does not match
    const fr = received.find((x) => (x.body as { question: string }).question === "Paris")!
    expect(fr.body).toEqual({ question: "Paris", ctx: ["France is in Europe"], lang: "fr", label: "case fr", k: 3 })
    expect(received.find((x) => (x.body as { question: string }).question === "echo")!.body).toMatchObject({ ctx: null, lang: null })
    expect(fr.headers.authorization).toBe(`Bearer ${SECRET}`)
    expect(fr.headers["x-client"]).toBe("assay-test")
    expect(fr.headers["content-type"]).toBe("application/json")
    const out = results(dir)
    expect(out.cases[0]!.metrics[0]!.score).toBe(1) // output "Paris!" picked at $.answer
    expect(out.cases[1]!.metrics[0]!.reason).toContain("<redacted>")
    expect(r.stdout + r.stderr).toContain("<redacted>")
    expect(r.stdout + r.stderr + everything(dir)).not.toContain(SECRET)
  })

  it("a missing output path is the case's error naming the path", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": httpConfig("/ask", "choices.0.message.text") })
    const r = await assay(["run", "cases.jsonl", "--ignore-errors", "--out", "out.json"], { cwd: dir, env: { APP_TOKEN: SECRET } })
    expect(r.code).toBe(1)
    expect(results(dir).cases.map((c) => c.error)).toEqual([0, 1].map(() => expect.stringContaining('no value at target.output "choices.0.message.text"')))
  })

  it("a 500 is the case's error with its status and redacted excerpt: recorded under --ignore-errors, fatal by default", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": httpConfig("/fail") })
    const env = { APP_TOKEN: SECRET }
    const ignored = await assay(["run", "cases.jsonl", "--ignore-errors", "--max-retries", "0", "--out", "out.json"], { cwd: dir, env })
    expect(ignored.code).toBe(1)
    expect(results(dir).cases.map((c) => c.error)).toEqual([0, 1].map(() => `target ${base}/fail: 500: internal failure, you sent Bearer <redacted>`))
    const failFast = await assay(["run", "cases.jsonl", "--max-retries", "0", "--out", "ff.json"], { cwd: dir, env })
    expect(failFast.code).toBe(3)
    expect(failFast.stderr).toContain(`target ${base}/fail: 500: internal failure`)
    expect(ignored.stdout + ignored.stderr + failFast.stdout + failFast.stderr + everything(dir)).not.toContain(SECRET)
  })

  it("a 401 stops the run (exit 2) naming the URL; nothing listening stops it at once (exit 3) naming the URL", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": httpConfig("/deny") })
    const denied = await assay(["run", "cases.jsonl", "--ignore-errors"], { cwd: dir, env: { APP_TOKEN: SECRET } })
    expect(denied.code).toBe(2)
    expect(denied.stderr).toContain(`assay: target ${base}/deny: 401: bad token Bearer <redacted> — the server refused the credentials (check target.headers)`)
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve)) // a port where nothing listens now
    const none = await assay(["run", "cases.jsonl", "--ignore-errors", "--target", `http://127.0.0.1:${port}/ask`], { cwd: dir, env: { APP_TOKEN: SECRET } })
    expect(none.code).toBe(3)
    expect(none.stderr).toContain(`cannot connect to http://127.0.0.1:${port}/ask: connection refused`)
    expect(denied.stderr + none.stderr).not.toContain(SECRET)
  })

  it("--attempt-timeout ends a call the app never answers: the case's error", async () => {
    const cases = [{ input: "hang", expectedOutput: "hang!" }].map((c) => JSON.stringify(c)).join("\n") + "\n"
    const dir = fixtureDir({ "cases.jsonl": cases, "assay.config.yaml": httpConfig("/ask") })
    holding = true
    const r = await assay(["run", "cases.jsonl", "--attempt-timeout", "1s", "--max-retries", "0", "--ignore-errors", "--out", "out.json"], { cwd: dir, env: { APP_TOKEN: SECRET } })
    holding = false
    expect(r.code).toBe(1)
    expect(results(dir).cases.map((c) => c.error)).toEqual([`target ${base}/ask: attempt timed out after 1s`])
  })

  it("--record keeps the calls without the secret; --replay --offline answers them with no request", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES, "assay.config.yaml": httpConfig("/ask") })
    const env = { APP_TOKEN: SECRET }
    const recorded = await assay(["run", "cases.jsonl", "--record", "calls.jsonl", "--no-cache", "--out", "a.json"], { cwd: dir, env })
    expect(recorded.code).toBe(1)
    received.length = 0
    const replayed = await assay(["run", "cases.jsonl", "--replay", "calls.jsonl", "--offline", "--no-cache", "--out", "b.json"], { cwd: dir, env })
    expect(replayed.stderr).not.toMatch(/assay: (?!using)/)
    expect(replayed.code).toBe(1)
    expect(received).toEqual([])
    const scores = (file: string) => results(dir, file).cases.map((c) => [c.metrics[0]!.score, c.metrics[0]!.reason])
    expect(scores("b.json")).toEqual(scores("a.json"))
    expect(readFileSync(join(dir, "calls.jsonl"), "utf8")).toContain("Paris!")
    expect(everything(dir)).not.toContain(SECRET)
  })

  it("assay resume sends the headers again: the run keeps their templates, never their values", async () => {
    const cases = [{ input: "Paris", expectedOutput: "Paris!" }, { input: "hang", expectedOutput: "hang!" }].map((c) => JSON.stringify(c)).join("\n") + "\n"
    const dir = fixtureDir({ "cases.jsonl": cases, "assay.config.yaml": httpConfig("/ask") })
    const env = { APP_TOKEN: SECRET }
    holding = true
    const interrupt = whenStderr("progress 1/2", (child) => child.kill("SIGINT"))
    const first = await assay(["run", "cases.jsonl", "--concurrency", "1"], { cwd: dir, env, onSpawn: interrupt.onSpawn })
    expect(first.code).toBe(130)
    holding = false
    received.length = 0
    const resumed = await assay(["resume", "latest", "--out", "out.json"], { cwd: dir, env })
    expect(resumed.stderr).not.toContain("assay:")
    expect(resumed.code).toBe(0)
    expect(received.map((x) => [x.body, x.headers.authorization])).toEqual([[expect.objectContaining({ question: "hang" }), `Bearer ${SECRET}`]])
    expect(results(dir).cases.map((c) => c.metrics[0]!.score)).toEqual([1, 1])
    expect(everything(dir)).toContain("Bearer {{env.APP_TOKEN}}")
    expect(first.stdout + first.stderr + resumed.stdout + resumed.stderr + everything(dir)).not.toContain(SECRET)
  })

  it("bad settings are usage errors naming the file and field, or the flag", async () => {
    const bad = (yaml: string, extra: ReadonlyArray<string> = []) =>
      assay(["run", "cases.jsonl", "--config", "c.yaml", ...extra], { cwd: fixtureDir({ "cases.jsonl": CASES, "c.yaml": yaml }), env: { APP_TOKEN: SECRET } })
    const path = await bad(httpConfig("/ask", "choices..0"))
    expect(path.code).toBe(2)
    expect(path.stderr).toContain("c.yaml: target.output: expected a path such as choices.0.message.content or $.answer")
    const placeholder = await bad(httpConfig("/ask").replace("{{metadata.lang}}", "{{inptu}}"))
    expect(placeholder.code).toBe(2)
    expect(placeholder.stderr).toContain("c.yaml: target.body: lang: unknown placeholder {{inptu}}")
    const unset = await bad(httpConfig("/ask").replace("APP_TOKEN", "NOT_SET_ANYWHERE"))
    expect(unset.code).toBe(2)
    expect(unset.stderr).toContain("target.headers.Authorization reads {{env.NOT_SET_ANYWHERE}}, which is not set")
    const literal = await bad(httpConfig("/ask").replace("{{env.APP_TOKEN}}", "abc123"))
    expect(literal.code).toBe(2)
    expect(literal.stderr).toContain("c.yaml: target.headers.Authorization: a credential must come from the environment")
    const prompt = await bad(httpConfig("/ask"), ["--prompt-template", "Q: {{input}}"])
    expect(prompt.code).toBe(2)
    expect(prompt.stderr).toContain("--prompt-template (target.prompt) applies to LLM targets (openai:, openai-compatible:, anthropic:, gemini:, bedrock:) only")
  })
})

describe("--target exec:", () => {
  const SHELLY = "Paris; rm -rf ~ $(touch pwned) `touch pwned2` | cat > pwned3 \"quoted\" 'single' {{input}}"
  const EXEC_CASES = [
    { name: "shell", input: SHELLY, expectedOutput: JSON.stringify(["--q", SHELLY, "--lang="]) },
    { name: "plain", input: "two words", expectedOutput: JSON.stringify(["--q", "two words", "--lang=en"]), metadata: { lang: "en" } }
  ].map((c) => JSON.stringify(c)).join("\n") + "\n"

  it("substitutes the case into single arguments, literally, and takes stdout as the output", async () => {
    const dir = fixtureDir({ "cases.jsonl": EXEC_CASES })
    const target = `exec:node ${APP} echo --q {{input}} "--lang={{metadata.lang}}"`
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", target, "--out", "out.json", "--no-cache"], { cwd: dir })
    expect(r.stderr).not.toContain("assay:")
    expect(r.code).toBe(0)
    // stdout less its final newline equals the arguments the program got: the input arrived as one argument, as written
    expect(results(dir).cases.map((c) => c.metrics[0]!.score)).toEqual([1, 1])
    expect(readdirSync(dir).filter((f) => f.startsWith("pwned"))).toEqual([])
  })

  it("--record keeps each run's stdout; --replay (even --offline) answers from it without starting the program; a miss names the case", async () => {
    const dir = fixtureDir({ "cases.jsonl": EXEC_CASES, "app.mjs": readFileSync(APP, "utf8") })
    const target = `exec:node app.mjs echo --q {{input}} "--lang={{metadata.lang}}"`
    const args = ["run", "cases.jsonl", "--metric", "exact-match", "--target", target, "--no-cache"]
    const recorded = await assay([...args, "--record", "calls.jsonl", "--out", "a.json"], { cwd: dir })
    expect(recorded.code).toBe(0)
    expect(readFileSync(join(dir, "calls.jsonl"), "utf8").trim().split("\n")).toHaveLength(2)
    rmSync(join(dir, "app.mjs")) // a started program would now fail: node cannot find it
    const replayed = await assay([...args, "--replay", "calls.jsonl", "--offline", "--out", "b.json"], { cwd: dir })
    expect(replayed.stderr).not.toContain("assay:")
    expect(replayed.code).toBe(0)
    expect(results(dir, "b.json").cases.map((c) => c.testCase?.actualOutput)).toEqual(results(dir, "a.json").cases.map((c) => c.testCase?.actualOutput))
    writeFileSync(join(dir, "cases.jsonl"), JSON.stringify({ name: "new", input: "not recorded", expectedOutput: "x" }) + "\n")
    const missed = await assay([...args, "--replay", "calls.jsonl", "--ignore-errors"], { cwd: dir })
    expect(missed.code).toBeGreaterThanOrEqual(2)
    expect(missed.stderr).toContain('case #0 "new" made a call the recording')
  })

  it("a non-zero exit is the case's error with the exit code and stderr's end", async () => {
    const dir = fixtureDir({ "cases.jsonl": EXEC_CASES })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", `exec:node ${APP} fail {{name}}`, "--ignore-errors", "--out", "out.json", "--no-cache"], { cwd: dir })
    expect(r.code).toBe(1)
    expect(results(dir).cases.map((c) => c.error)).toEqual(["shell", "plain"].map((name) =>
      `target exec:node ${APP} fail {{name}}: exit code 3: starting\nboom: cannot answer "${name}"`))
    const failFast = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", `exec:node ${APP} fail {{name}}`, "--no-cache"], { cwd: dir })
    expect(failFast.code).toBe(3)
    expect(failFast.stderr).toContain("exit code 3")
  })

  it("a program that cannot start stops the run (exit 3) naming it", async () => {
    const dir = fixtureDir({ "cases.jsonl": EXEC_CASES })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", "exec:./no-such-app {{input}}", "--ignore-errors", "--no-cache"], { cwd: dir })
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("cannot run ./no-such-app (NotFound)")
  })

  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  const pids = (dir: string) => readdirSync(dir).filter((f) => f.startsWith("pid-")).map((f) => Number(f.slice(4)))

  it("--attempt-timeout and --timeout kill the process", async () => {
    for (const flag of ["--attempt-timeout", "--timeout"]) {
      const dir = fixtureDir({ "cases.jsonl": EXEC_CASES })
      const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", `exec:node ${APP} sleep ${dir} {{input}}`, flag, "1s", "--ignore-errors", "--out", "out.json", "--no-cache"], { cwd: dir })
      expect(r.code).toBe(1)
      expect(results(dir).cases.map((c) => c.error)).toEqual([0, 1].map(() => expect.stringMatching(flag === "--timeout" ? /timed out after 1s/ : /killed after 1s/)))
      expect(pids(dir)).toHaveLength(2)
      expect(pids(dir).filter(alive)).toEqual([])
    }
  })

  it("Ctrl-C kills the running processes", async () => {
    const dir = fixtureDir({ "cases.jsonl": EXEC_CASES })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--target", `exec:node ${APP} sleep ${dir} {{input}}`, "--no-cache"], {
      cwd: dir,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (pids(dir).length === 2) {
            clearInterval(poll)
            child.kill("SIGINT")
          }
        }, 20)
        child.on("close", () => clearInterval(poll))
      }
    })
    expect(r.code).toBe(130)
    expect(pids(dir)).toHaveLength(2)
    expect(pids(dir).filter(alive)).toEqual([])
  })
})
