/**
 * The CLI on a shared Postgres database (`ASSAY_DATABASE_URL`): a second run — from another directory, as a
 * teammate's machine would — is served from the cache, `runs` and `cache stats` read the same database, the
 * password never appears in any output or stored report, and an unreachable server is a clear error.
 * Skipped when PostgreSQL is not installed (unless ASSAY_REQUIRE_POSTGRES=1, as in CI).
 */
import { Effect, Redacted } from "effect"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshPgDatabase, postgresBin, postgresRequired, stopSharedServer } from "../../packages/store/test/pg-server.js"
import { assay, fixtureDir, qaJsonl, requireBuild } from "./harness.js"

beforeAll(requireBuild)
afterAll(stopSharedServer)

const PASSWORD = "pg-SECRET-41f7"
const METRICS = ["--metric", "exact-match", "--metric", "bleu"]

/** Every file a run left in `dir`, as text. */
const everything = (dir: string): string =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), "latin1"))
    .join("\n")

describe.skipIf(postgresBin === undefined && !postgresRequired)("the CLI on Postgres", () => {
  it("shares the cache and run history across directories; the password never leaks", async () => {
    // Trust authentication on loopback: the password is sent in the URL but not checked.
    const url = Redacted.value(await Effect.runPromise(freshPgDatabase)).replace("postgres://assay@", `postgres://assay:${PASSWORD}@`)
    const env = { ASSAY_DATABASE_URL: url }
    const [alice, bob] = [fixtureDir({ "cases.jsonl": qaJsonl() }), fixtureDir({ "cases.jsonl": qaJsonl() })]
    const first = await assay(["run", "cases.jsonl", ...METRICS, "--out", "run.json", "--html", "run.html"], { cwd: alice!, env })
    const second = await assay(["run", "cases.jsonl", ...METRICS, "--out", "run.json"], { cwd: bob!, env })
    expect(second.code).toBe(first.code)
    const cached = JSON.parse(readFileSync(join(bob!, "run.json"), "utf8")) as { cases: Array<{ metrics: Array<{ cached: boolean }> }> }
    expect(cached.cases.flatMap((c) => c.metrics.map((m) => m.cached))).toEqual(Array(20).fill(true))
    expect(existsSync(join(bob!, ".assay"))).toBe(false) // no SQLite file when a database URL is set

    const runs = await assay(["runs", "list"], { cwd: bob!, env })
    expect(runs.code).toBe(0)
    expect(runs.stdout.match(/completed|failed/g)?.length).toBe(2)
    const stats = await assay(["cache", "stats"], { cwd: alice!, env })
    expect(stats.stdout).toContain("cached results: 20")
    expect(stats.stdout).toMatch(/postgres:\/\/127\.0\.0\.1:\d+\/t\d+/)

    const outputs = [first, second, runs, stats].map((r) => r.stdout + r.stderr).join("\n")
    expect(outputs).not.toContain(PASSWORD)
    expect(everything(alice!) + everything(bob!)).not.toContain(PASSWORD)
  }, 180_000)

  it("an unreachable server is a clear error naming it, without the password", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match"], {
      cwd: dir,
      env: { ASSAY_DATABASE_URL: `postgres://assay:${PASSWORD}@127.0.0.1:9/nowhere` }
    })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain("postgres://127.0.0.1:9/nowhere")
    expect(r.stderr).toContain("ASSAY_DATABASE_URL")
    expect(r.stderr + r.stdout).not.toContain(PASSWORD)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
  }, 60_000)
})
