/** Test helpers: a temporary directory removed when the scope closes, and a store on a file inside it. */
import { Effect } from "effect"
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
