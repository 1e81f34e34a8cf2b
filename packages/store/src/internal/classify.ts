/**
 * Turn a SQLite failure (a better-sqlite3 error) or a Postgres one (node-postgres: SQLSTATE codes, socket
 * errors), possibly wrapped in an SqlError or a MigrationError, into a {@link StoreError} that names the file
 * or server and the remedy. Driver-specific codes live here only.
 *
 * @example
 * ```ts
 * classify("/tmp/a.db", sqlError).reason // "locked"
 * ```
 */
import { DAMAGED_BATCH } from "./batch-codec.js"
import { StoreError, type StoreFailure } from "./errors.js"

const codeOf = (cause: unknown): string | undefined => {
  let current: unknown = cause
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const messageOf = (cause: unknown): string => {
  let current: unknown = cause
  let message = String(cause)
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const m = (current as { message?: unknown }).message
    if (typeof m === "string" && m.length > 0) message = m
    current = (current as { cause?: unknown }).cause
  }
  return message
}

/** Postgres: cannot reach the server, log in, or find the database (socket errors; SQLSTATE classes 08, 28, 3D). */
const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|08...|28...|3D000)$/

const reasonOf = (code: string | undefined): StoreFailure => {
  if (code === undefined) return "io"
  if (UNREACHABLE.test(code)) return "unreachable"
  // Postgres: lock not available, deadlock, serialization failure.
  if (code === "55P03" || code === "40P01" || code === "40001") return "locked"
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "locked"
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT") || code === DAMAGED_BATCH) return "corrupt"
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_PERM")) return "unwritable"
  return "io"
}

/**
 * Classify a failure of the database at `path`.
 *
 * @example
 * ```ts
 * classify("a.db", { code: "SQLITE_NOTADB", message: "file is not a database" }).reason // "corrupt"
 * ```
 */
export const classify = (path: string, cause: unknown): StoreError => {
  const code = codeOf(cause)
  return new StoreError({ path, reason: reasonOf(code), detail: `${messageOf(cause)}${code ? ` (${code})` : ""}` })
}
