/**
 * A real, throw-away PostgreSQL server for tests: `initdb` into a temporary directory, `pg_ctl start` on
 * 127.0.0.1 and a free port (no durability: fsync off), stopped (`-m immediate`) and deleted when the scope
 * closes. Each test asks for its own database. As root (CI), the server runs as the `postgres` user, which
 * Debian's package creates (`initdb` refuses root).
 *
 * The binaries are looked up in PATH and in /usr/lib/postgresql/<version>/bin. Without them the Postgres
 * tests are skipped — unless `ASSAY_REQUIRE_POSTGRES=1` (set by `.ci/run`, which installs them), where a
 * missing server is a failure.
 */
import { execFileSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"
import { Context, Effect, Layer, ManagedRuntime, Redacted } from "effect"
import Pg from "pg"

/** The directory holding `initdb` and `pg_ctl`, or undefined when PostgreSQL is not installed. */
export const postgresBin: string | undefined = (() => {
  const candidates = (process.env.PATH ?? "").split(":")
  const versions = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)
    : []
  return [...candidates, ...versions].find((dir) => dir !== "" && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")))
})()

/** Whether the Postgres tests must run (CI) rather than be skipped when PostgreSQL is missing. */
export const postgresRequired = process.env.ASSAY_REQUIRE_POSTGRES === "1"

/** A running server: a fresh database on it per call. */
export class PgServer extends Context.Tag("test/PgServer")<PgServer, {
  readonly port: number
  /** Create an empty database; its URL (user `assay`, no password: trust authentication on loopback). */
  readonly freshDatabase: Effect.Effect<Redacted.Redacted>
}>() {}

const freePort = Effect.async<number>((resume) => {
  const probe = createServer()
  probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as { port: number }
    probe.close(() => resume(Effect.succeed(port)))
  })
})

const asRoot = userInfo().uid === 0
/** Run a PostgreSQL binary (as `postgres` when we are root). */
const pg = (bin: string, tool: string, args: ReadonlyArray<string>) =>
  asRoot
    ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { stdio: "pipe" })
    : execFileSync(join(bin, tool), [...args], { stdio: "pipe" })

const start = (bin: string) =>
  Effect.gen(function*() {
    // As root the server runs as `postgres`, which must reach the directory: not under a private $TMPDIR.
    const dir = mkdtempSync(join(asRoot ? "/tmp" : tmpdir(), "assay-pg-"))
    if (asRoot) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), 0)
    const data = join(dir, "data")
    const port = yield* freePort
    yield* Effect.sync(() => {
      pg(bin, "initdb", ["-D", data, "-A", "trust", "-U", "assay", "-E", "UTF8", "--no-sync"])
      pg(bin, "pg_ctl", [
        "-D", data, "-l", join(dir, "server.log"), "-w", "-t", "60", "start",
        "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`
      ])
    })
    return { bin, dir, data, port }
  })

const stop = (server: { readonly bin: string; readonly dir: string; readonly data: string }) =>
  Effect.sync(() => {
    try {
      pg(server.bin, "pg_ctl", ["-D", server.data, "-m", "immediate", "-w", "stop"])
    } finally {
      rmSync(server.dir, { recursive: true, force: true })
    }
  })

/**
 * The server for the lifetime of the layer (one per test file).
 *
 * @example
 * ```ts
 * layer(PgServer.layer)("postgres", (it) => { it.effect("...", () => Effect.flatMap(PgServer, (s) => s.freshDatabase)) })
 * ```
 */
export const pgServerLayer = Layer.scoped(
  PgServer,
  Effect.gen(function*() {
    if (postgresBin === undefined) return yield* Effect.dieMessage("PostgreSQL is not installed (initdb/pg_ctl not found)")
    const server = yield* Effect.acquireRelease(start(postgresBin), stop)
    let next = 0
    const admin = `postgres://assay@127.0.0.1:${server.port}/postgres`
    const freshDatabase = Effect.suspend(() => {
      const name = `t${++next}_${process.pid}`
      return Effect.acquireUseRelease(
        Effect.promise(() => {
          const client = new Pg.Client({ connectionString: admin })
          return client.connect().then(() => client)
        }),
        (client) => Effect.promise(() => client.query(`CREATE DATABASE ${name}`)),
        (client) => Effect.promise(() => client.end())
      ).pipe(Effect.as(Redacted.make(`postgres://assay@127.0.0.1:${server.port}/${name}`)))
    })
    return { port: server.port, freshDatabase }
  })
)

/**
 * One server per test file, started on first use; call {@link stopSharedServer} in `afterAll`.
 *
 * @example
 * ```ts
 * const url = yield* freshPgDatabase
 * ```
 */
const shared = ManagedRuntime.make(pgServerLayer)

/** A fresh database on the file's shared server. */
export const freshPgDatabase: Effect.Effect<Redacted.Redacted> = Effect.flatMap(PgServer, (server) => server.freshDatabase).pipe(
  Effect.provide(shared)
)

/** Stop the file's shared server (if it was started). */
export const stopSharedServer = () => shared.dispose()
