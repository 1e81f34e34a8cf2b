/**
 * Creating the directories a file needs, one level at a time. Node's own recursive `mkdir` never returns for a
 * path under a file system that refuses new entries with ENOENT (it retries the parent forever: under /proc,
 * `mkdir -p /proc/x/y` loops), so `--cache /proc/x/assay.db` hung instead of failing; each level made on its
 * own fails at once with the real reason.
 *
 * @example
 * ```ts
 * yield* makeDirectories("/home/me/.assay") // creates .assay (and /home/me if missing)
 * ```
 */
import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"

/**
 * Create `dir` and its missing parents; an existing directory is fine, a file in the way is an error.
 *
 * @example
 * ```ts
 * yield* makeDirectories(path.dirname(file))
 * ```
 */
export const makeDirectories = (dir: string): Effect.Effect<void, PlatformError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const missing: Array<string> = []
    let current = path.resolve(dir)
    while (!(yield* fs.exists(current))) {
      missing.unshift(current)
      const parent = path.dirname(current)
      if (parent === current) break
      current = parent
    }
    // A file where a directory should be: mkdir names it (EEXIST or ENOTDIR).
    if ((yield* fs.stat(current)).type !== "Directory") return yield* fs.makeDirectory(missing[0] ?? current)
    for (const level of missing) {
      yield* fs.makeDirectory(level).pipe(Effect.catchIf((e) => e._tag === "SystemError" && e.reason === "AlreadyExists", () => Effect.void))
    }
  })
