/**
 * A run sharded over a cluster (`assay run --cluster`, `assay runner`) on a real PostgreSQL, with runner
 * processes of the built CLI and the fake OpenAI server as the target: the cases are spread over the runners,
 * each is evaluated and stored exactly once with the runner that produced it, the results equal a run on one
 * machine, a runner killed with SIGKILL mid-run has its unfinished cases re-run by another, a run whose
 * submitting process was killed is finished by `assay resume --cluster`, an eval file is sharded like a
 * dataset, `--rpm`, `--tpm` and `--max-connections` hold for all runners together, runners run the plan's
 * settings (a `--replay` recording, the config's prices), and a bad or unreachable database URL is a usage
 * error that never shows the password.
 * Skipped when PostgreSQL is not installed (unless ASSAY_REQUIRE_POSTGRES=1, as in CI).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { Effect, Redacted } from "effect"
import Pg from "pg"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { freshPgDatabase, postgresBin, postgresRequired, stopSharedServer } from "../../packages/store/test/pg-server.js"
import { assay, BIN, type FakeServer, fakeLog, fixtureDir, requireBuild, ROOT, startFake } from "./harness.js"

const PASSWORD = "cluster-SECRET-9c2e"

let fake: FakeServer
let slow: FakeServer
const runners: Array<ChildProcess> = []

beforeAll(async () => {
  requireBuild()
  // The file runs for several minutes: the servers must outlive it.
  fake = await startFake(["--reply", "ok"], 900)
  slow = await startFake(["--reply", "ok", "--latency", "250ms"], 900)
})
afterEach(() => {
  for (const runner of runners.splice(0)) if (runner.exitCode === null) runner.kill("SIGKILL")
})
afterAll(async () => {
  fake.stop()
  slow.stop()
  await stopSharedServer()
})

/** `n` cases whose expected output is what the fake target answers for most of them. */
const casesJsonl = (n: number): string =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ name: `c${i}`, input: `question ${i}`, expected_output: i % 4 === 0 ? "no" : "ok" })).join("\n") + "\n"

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer()
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

const targetEnv = (server: FakeServer) => ({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: "sk-test" })

/** Start a runner process; resolves once it has joined the cluster. */
const startRunner = async (url: string, server: FakeServer): Promise<{ child: ChildProcess; name: string }> => {
  const port = await freePort()
  const child = spawn(process.execPath, [BIN, "runner", "--database-url", url, "--host", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, ...targetEnv(server) },
    stdio: ["ignore", "ignore", "pipe"]
  })
  runners.push(child)
  let stderr = ""
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr += d
      if (stderr.includes("joined the cluster")) resolve()
    })
    child.on("exit", (code) => reject(new Error(`runner exited (${code}): ${stderr}`)))
  })
  return { child, name: `127.0.0.1:${port}` }
}

interface OutCase {
  readonly index: number
  readonly success: boolean
  readonly runner?: string
  readonly metrics: ReadonlyArray<{ readonly score: number | null }>
}
const readOut = (file: string) => JSON.parse(readFileSync(file, "utf8")) as { cases: ReadonlyArray<OutCase> }

/** Rows of a query on the cluster database. */
const query = async <A>(url: string, text: string): Promise<ReadonlyArray<A>> => {
  const client = new Pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text)).rows as ReadonlyArray<A>
  } finally {
    await client.end()
  }
}

/** What the store holds: claims per runner, and the results stored in batches. */
const stored = async (url: string) => {
  const claims = await query<{ runner: string; n: string }>(url, "SELECT runner, COUNT(*) AS n FROM run_case_runners GROUP BY runner")
  const [batches] = await query<{ n: string | null }>(url, "SELECT SUM(cases) AS n FROM run_batches")
  return { byRunner: Object.fromEntries(claims.map((c) => [c.runner, Number(c.n)])), results: Number(batches?.n ?? 0) }
}

/** When each request the fake server logged after the first `before` arrived (ms), in order. */
const arrivalsSince = async (server: FakeServer, before: number): Promise<ReadonlyArray<number>> =>
  ((await fakeLog(server)).slice(before) as unknown as ReadonlyArray<{ readonly arrivedAt: number }>).map((r) => r.arrivedAt).sort((a, b) => a - b)

const newDatabase = async () => Redacted.value(await Effect.runPromise(freshPgDatabase))

const RUN = ["--metric", "exact-match", "--target", "openai:gpt-4o-mini", "--no-progress"]

describe.skipIf(postgresBin === undefined && !postgresRequired)("assay run --cluster", () => {
  it("spreads the cases over three runners, each case once, with the results of a single-machine run", async () => {
    const url = await newDatabase()
    const started = await Promise.all([startRunner(url, fake), startRunner(url, fake), startRunner(url, fake)])
    const dir = fixtureDir({ "cases.jsonl": casesJsonl(90) })
    const run = await assay(["run", "cases.jsonl", ...RUN, "--cluster", url, "--out", "cluster.json"], { cwd: dir, env: targetEnv(fake) })
    expect(run.stderr).toContain("cluster: 90 cases on")
    expect(run.code).toBe(1) // a quarter of the cases expect another answer

    const local = await assay(["run", "cases.jsonl", ...RUN, "--out", "local.json", "--cache", "local.db"], { cwd: dir, env: targetEnv(fake) })
    expect(local.code).toBe(1)
    const clustered = readOut(join(dir, "cluster.json")).cases
    const single = readOut(join(dir, "local.json")).cases
    expect(clustered.map((c) => c.index)).toEqual(single.map((c) => c.index))
    expect(clustered.map((c) => [c.success, c.metrics.map((m) => m.score)])).toEqual(single.map((c) => [c.success, c.metrics.map((m) => m.score)]))

    const names = started.map((r) => r.name)
    for (const c of clustered) expect(names).toContain(c.runner)
    const spread = new Set(clustered.map((c) => c.runner))
    expect(spread.size).toBeGreaterThanOrEqual(2)
    const store = await stored(url)
    expect(store.results).toBe(90)
    expect(Object.values(store.byRunner).reduce((a, b) => a + b, 0)).toBe(90)
    expect(Object.keys(store.byRunner).sort()).toEqual([...spread].sort())
  })

  it("re-runs a SIGKILLed runner's unfinished cases on another runner, storing every case once", async () => {
    const url = await newDatabase()
    const [victim, survivor] = await Promise.all([startRunner(url, slow), startRunner(url, slow)])
    const dir = fixtureDir({ "cases.jsonl": casesJsonl(80) })
    const before = (await fakeLog(slow)).length
    // Kill the victim as soon as it has committed some cases (it is mid-run: more are in flight on it).
    const killer = setInterval(async () => {
      const { byRunner } = await stored(url).catch(() => ({ byRunner: {} as Record<string, number> }))
      if ((byRunner[victim!.name] ?? 0) >= 4 && victim!.child.exitCode === null) {
        clearInterval(killer)
        victim!.child.kill("SIGKILL")
      }
    }, 100)
    const run = await assay(["run", "cases.jsonl", ...RUN, "--concurrency", "2", "--cluster", url, "--out", "out.json"], { cwd: dir, env: targetEnv(slow) })
    clearInterval(killer)
    expect(victim!.child.signalCode).toBe("SIGKILL")
    expect(run.code).toBe(1)

    const cases = readOut(join(dir, "out.json")).cases
    expect(cases.map((c) => c.index)).toEqual(Array.from({ length: 80 }, (_, i) => i))
    const store = await stored(url)
    expect(store.results).toBe(80)
    expect(store.byRunner[victim!.name]).toBeGreaterThanOrEqual(4)
    expect(store.byRunner[survivor!.name]).toBe(80 - store.byRunner[victim!.name]!)
    // Only the victim's cases in flight when it died were asked again (it evaluates two cases at a time, whatever
    // the groups: --concurrency is per runner), and the target never saw more than 2 × 2 calls at once.
    const calls = (await fakeLog(slow)).slice(before)
    expect(calls.length).toBeLessThanOrEqual(80 + 2)
    expect(Math.max(...calls.map((c) => c.inFlight))).toBeLessThanOrEqual(4)
  })

  it("finishes with assay resume --cluster a run whose submitting process was SIGKILLed, every case once", async () => {
    const url = await newDatabase()
    const dir = fixtureDir({ "cases.jsonl": casesJsonl(40) })
    const before = (await fakeLog(slow)).length
    // No runner yet: the submitter stores every group's request, then dies before any is evaluated.
    const killed = await assay(["run", "cases.jsonl", ...RUN, "--concurrency", "1", "--cluster", url], {
      cwd: dir,
      env: targetEnv(slow),
      onSpawn: (child) => {
        const poll = setInterval(async () => {
          const [sent] = await query<{ n: string }>(url, "SELECT COUNT(*) AS n FROM cluster_messages").catch(() => [{ n: "0" }])
          if (Number(sent!.n) >= 40 && child.exitCode === null) {
            clearInterval(poll)
            child.kill("SIGKILL")
          }
        }, 100)
        child.on("close", () => clearInterval(poll))
      }
    })
    expect(killed.code).toBeNull() // ended by the signal
    const [left] = await query<{ status: string }>(url, "SELECT status FROM runs")
    expect(left!.status).toBe("running")

    // A runner joins, works through the stored requests (one case at a time, 250 ms each), and the resumed
    // run's groups join those requests rather than adding new ones.
    const runner = await startRunner(url, slow)
    const resumed = await assay(["resume", "latest", "--cluster", url, "--out", "out.json"], { cwd: dir, env: targetEnv(slow) })
    expect(resumed.code, resumed.stderr).toBe(1)
    expect(resumed.stderr).toMatch(new RegExp(`cluster: \\d+ cases on 1 runner\\(s\\): ${runner.name} \\d+`))
    const cases = readOut(join(dir, "out.json")).cases
    expect(cases.map((c) => c.index)).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(cases.filter((c) => c.success)).toHaveLength(30)
    expect(new Set(cases.map((c) => c.runner))).toEqual(new Set([runner.name]))
    expect((await stored(url)).results).toBe(40)
    const [finished] = await query<{ status: string }>(url, "SELECT status FROM runs")
    expect(finished!.status).toBe("completed")
    // Every case was asked of the target exactly once, across the killed run and the resume.
    expect((await fakeLog(slow)).length - before).toBe(40)
  })

  it("shards an eval file: runners load the same file, its layer's services, and give a local run's results", async () => {
    const url = await newDatabase()
    const [a, b] = await Promise.all([startRunner(url, fake), startRunner(url, fake)])
    const evalFile = join(ROOT, "test/cli/fixtures/evals/cluster/spread.eval.ts")
    const dir = fixtureDir()
    const run = await assay(["run", evalFile, "--cluster", url, "--no-progress", "--out", "out.json"], { cwd: dir })
    expect(run.code, run.stderr).toBe(1)
    const cases = readOut(join(dir, "out.json")).cases
    expect(cases.map((c) => c.index)).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(new Set(cases.map((c) => c.runner))).toEqual(new Set([a!.name, b!.name]))
    expect((await stored(url)).results).toBe(40)
    const local = fixtureDir()
    expect((await assay(["run", evalFile, "--no-progress", "--out", "out.json"], { cwd: local })).code).toBe(1)
    const scores = (list: ReadonlyArray<OutCase>) => list.map((c) => [c.index, c.success, c.metrics.map((m) => m.score)])
    expect(scores(cases)).toEqual(scores(readOut(join(local, "out.json")).cases))
    expect(cases.filter((c) => c.success)).toHaveLength(30)
  })

  it("holds an --rpm limit across all runners together", async () => {
    const url = await newDatabase()
    await Promise.all([startRunner(url, fake), startRunner(url, fake)])
    const dir = fixtureDir({ "cases.jsonl": casesJsonl(60) })
    const before = (await fakeLog(fake)).length
    const run = await assay(["run", "cases.jsonl", ...RUN, "--rpm", "600", "--cluster", url, "--out", "out.json"], { cwd: dir, env: targetEnv(fake) })
    expect(run.code).toBe(1)
    const arrivals = await arrivalsSince(fake, before)
    expect(arrivals).toHaveLength(60)
    const perSecond = new Map<number, number>()
    for (const at of arrivals) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1)
    // 600/min is 10 a second for the cluster; each runner alone would allow a minute's worth (all 60) at once.
    // Requests admitted in one second may arrive in the next when the machine is busy, so a second may see
    // up to two seconds' worth, but the 60 requests span at least the 5 s the limit needs after its first 10.
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(20)
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(4_500)
    expect(new Set(readOut(join(dir, "out.json")).cases.map((c) => c.runner)).size).toBe(2)
  })

  it("holds a --tpm limit across all runners together", async () => {
    const url = await newDatabase()
    await Promise.all([startRunner(url, fake), startRunner(url, fake)])
    const dir = fixtureDir({ "cases.jsonl": casesJsonl(40) })
    const before = (await fakeLog(fake)).length
    // A call's estimate is its prompt's characters ÷ 4 plus the 256-token reply budget: ~259 tokens here, so
    // 155 400 tokens a minute is about 10 calls a second for the cluster; each runner alone would allow a
    // minute's worth (every call) at once.
    const run = await assay(["run", "cases.jsonl", ...RUN, "--tpm", "155400", "--cluster", url, "--out", "out.json"], { cwd: dir, env: targetEnv(fake) })
    expect(run.code, run.stderr).toBe(1)
    const arrivals = await arrivalsSince(fake, before)
    expect(arrivals).toHaveLength(40)
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(3_000)
    expect(new Set(readOut(join(dir, "out.json")).cases.map((c) => c.runner)).size).toBe(2)
  })

  it("holds --max-connections across all runners together", async () => {
    const url = await newDatabase()
    await Promise.all([startRunner(url, slow), startRunner(url, slow)])
    const dir = fixtureDir({ "cases.jsonl": casesJsonl(24) })
    const before = (await fakeLog(slow)).length
    const run = await assay(["run", "cases.jsonl", ...RUN, "--max-connections", "3", "--cluster", url, "--out", "out.json"], { cwd: dir, env: targetEnv(slow) })
    expect(run.code, run.stderr).toBe(1)
    const calls = (await fakeLog(slow)).slice(before) as unknown as ReadonlyArray<{ readonly inFlight: number; readonly arrivedAt: number }>
    expect(calls).toHaveLength(24)
    // Each runner alone may hold 3; together they hold 3: the server never sees a fourth, and 24 calls of
    // 250 ms, 3 at a time, span at least 7 rounds (both runners at 3 each would take 4).
    expect(Math.max(...calls.map((c) => c.inFlight))).toBeLessThanOrEqual(3)
    const arrivals = calls.map((c) => c.arrivedAt).sort((a, b) => a - b)
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(1_700)
    expect(new Set(readOut(join(dir, "out.json")).cases.map((c) => c.runner)).size).toBe(2)
    // Every connection is free again once the run is over (each is freed just after its call).
    await expect.poll(() => query(url, "SELECT slot FROM cluster_connection_slots WHERE holder IS NOT NULL"), { timeout: 5_000 }).toEqual([])
  })

  it("runs the plan's settings on the runners: a --replay recording and the config's prices; --record is refused", async () => {
    const url = await newDatabase()
    const config = ["metrics: [exact-match]", "target: openai-compatible:house-model", "prices: { house-model: { input: 1000, output: 1000 } }"].join("\n")
    const dir = fixtureDir({ "cases.jsonl": casesJsonl(16), "assay.config.yaml": config })
    const local = await assay(["run", "cases.jsonl", "--no-progress", "--record", "rec.jsonl", "--cache", "local.db", "--out", "local.json"], { cwd: dir, env: targetEnv(fake) })
    expect(local.code, local.stderr).toBe(1)
    // The runners' target points nowhere: every answer must come from the recording.
    const nowhere = { baseUrl: "http://127.0.0.1:9/v1", stop: () => {} }
    await Promise.all([startRunner(url, nowhere), startRunner(url, nowhere)])
    const run = await assay(["run", "cases.jsonl", "--no-progress", "--replay", "rec.jsonl", "--cluster", url, "--out", "cluster.json"], { cwd: dir, env: targetEnv(nowhere) })
    expect(run.code, run.stderr).toBe(1)
    const single = readOut(join(dir, "local.json")).cases as ReadonlyArray<OutCase & { readonly cost: number }>
    const clustered = readOut(join(dir, "cluster.json")).cases as ReadonlyArray<OutCase & { readonly cost: number }>
    expect(clustered.map((c) => [c.index, c.success, c.cost])).toEqual(single.map((c) => [c.index, c.success, c.cost]))
    expect(clustered.every((c) => c.cost > 0)).toBe(true)
    expect(new Set(clustered.map((c) => c.runner)).size).toBe(2)

    const record = await assay(["run", "cases.jsonl", "--no-progress", "--record", "again.jsonl", "--cluster", url], { cwd: dir, env: targetEnv(fake) })
    expect(record.code).toBe(2)
    expect(record.stderr).toContain("--record cannot be combined with --cluster")
  })

  it("runs cases in the submitting process too with --cluster-local-runner", async () => {
    const url = await newDatabase()
    const dir = fixtureDir({ "cases.jsonl": casesJsonl(20) })
    const run = await assay(["run", "cases.jsonl", ...RUN, "--cluster", url, "--cluster-local-runner", "--out", "out.json"], { cwd: dir, env: targetEnv(fake) })
    expect(run.code).toBe(1)
    const cases = readOut(join(dir, "out.json")).cases
    expect(cases).toHaveLength(20)
    expect(new Set(cases.map((c) => c.runner)).size).toBe(1)
    expect((await stored(url)).results).toBe(20)
  })

  it("a bad or unreachable database URL is a usage error that never shows the password", async () => {
    const dir = fixtureDir({ "cases.jsonl": casesJsonl(3) })
    const unreachable = `postgres://assay:${PASSWORD}@127.0.0.1:9/nowhere`
    for (
      const args of [
        ["runner", "--database-url", unreachable],
        ["run", "cases.jsonl", "--metric", "exact-match", "--cluster", unreachable],
        ["runner", "--database-url", `mysql://assay:${PASSWORD}@127.0.0.1/db`]
      ]
    ) {
      const r = await assay(args, { cwd: dir })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^assay: --(database-url|cluster): /)
      expect(r.stderr).not.toContain(PASSWORD)
      expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    }
  })
})
