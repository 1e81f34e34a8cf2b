/**
 * Test helpers: a temporary directory removed when the scope closes, a store on a file inside it, and the
 * store backends (SQLite always; Postgres when installed or required) for suites that run on both.
 */
import { Effect, type Layer, Logger, LogLevel, type Scope } from "effect"
import { Database, PostgresStore, SqliteStore, type StoreError, type StoreServices } from "@assay/store"
import { freshPgDatabase, postgresBin, postgresRequired } from "./pg-server.js"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A fresh temporary directory, deleted with its contents when the scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "assay-store-test-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** A database path in a fresh temporary directory. */
export const tempDb = Effect.map(tempDir, (dir) => join(dir, "assay.db"))

/** A fresh, empty database that tests may open as often as they like. */
export interface Location {
  /** All store services on it (a new connection each time the layer is built). */
  readonly store: (options?: { readonly compactAt?: number }) => Layer.Layer<StoreServices, StoreError>
  /** Just the Database service on it. */
  readonly database: Layer.Layer<Database, StoreError>
}

/** Where a suite's databases live. */
export interface Backend {
  readonly name: string
  /** A new empty database, deleted (SQLite) or abandoned (Postgres) when the scope closes. */
  readonly fresh: Effect.Effect<Location, never, Scope.Scope>
}

export const sqliteBackend: Backend = {
  name: "SQLite",
  fresh: Effect.map(tempDb, (path) => ({
    store: (options = {}) => SqliteStore.layer({ path, ...options }),
    database: Database.layer({ path })
  }))
}

export const postgresBackend: Backend = {
  name: "Postgres",
  fresh: Effect.map(freshPgDatabase, (url) => ({
    store: (options = {}) => PostgresStore.layer({ url, ...options }),
    database: Database.layerPg({ url })
  }))
}

/** The backends to run on here: Postgres is skipped (with a note) when not installed and not required. */
export const backends: ReadonlyArray<Backend> = postgresBin !== undefined || postgresRequired
  ? [sqliteBackend, postgresBackend]
  : (console.warn("PostgreSQL not installed: the store suites run on SQLite only"), [sqliteBackend])

/** A logger keeping the message of every warning (provide `logger`, read `warnings`). */
export const captureWarnings = () => {
  const warnings: Array<string> = []
  const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ logLevel, message }) => {
    if (logLevel === LogLevel.Warning) warnings.push(String(message))
  }))
  return { warnings, logger }
}
