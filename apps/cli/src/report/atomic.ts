/**
 * Report writing that never leaves a half-written report and never replaces what the path is:
 *
 * - a regular file (or a new path) gets the content in a temporary file next to it, then renamed over it, so a
 *   reader (or an interrupted run) never sees a half-written report; a failed write (a full disk) removes the
 *   temporary file;
 * - a symbolic link is written through: the rename happens next to the file it points to, and the link stays;
 * - a FIFO or a character device (`/dev/null`, a terminal) is written to directly (there is nothing to rename
 *   over); `/dev/stdout` is this process's standard output whatever it is (a pipe, a socket, a file);
 * - a directory, block device or socket is refused with a clear error.
 *
 * @example
 * ```ts
 * import { writeAtomic } from "./atomic.js"
 * yield* writeAtomic("reports/run.json", JSON.stringify(result))
 * ```
 */
import { FileSystem, Path, Terminal } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Option, Random } from "effect"
import { ReportError } from "../errors.js"

/** How a report reaches its path. */
type Destination =
  | { readonly kind: "replace"; readonly path: string }
  | { readonly kind: "stream" }
  | { readonly kind: "stdout" }

/** Names of this process's standard output (opening them fails when it is a socket, as under a spawner). */
const STDOUT = new Set(["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])

const isNotFound = (error: PlatformError) => error._tag === "SystemError" && error.reason === "NotFound"

/** A platform error as a user reads it: the OS's own words (`ENOSPC: no space left on device, write`). */
const reasonOf = (error: PlatformError): string => {
  const cause = error._tag === "SystemError" ? error.cause : undefined
  return cause instanceof Error ? cause.message : error.message
}

/**
 * Where the content must go for `file` to hold it: see the module doc.
 *
 * @example
 * ```ts
 * destination("/dev/stdout") // { kind: "stream" }
 * ```
 */
const destination = (file: string): Effect.Effect<Destination, ReportError | PlatformError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    if (STDOUT.has(path.resolve(file))) return { kind: "stdout" }
    const link = yield* Effect.option(fs.readLink(file)) // fails unless `file` is a symbolic link
    const info = yield* fs.stat(file).pipe(Effect.map(Option.some), Effect.catchIf(isNotFound, () => Effect.succeedNone))
    if (Option.isNone(info)) {
      // A new file, or a link whose target does not exist yet: create the target, keep the link.
      return { kind: "replace", path: Option.match(link, { onNone: () => file, onSome: (to) => path.resolve(path.dirname(file), to) }) }
    }
    switch (info.value.type) {
      case "File":
        return { kind: "replace", path: Option.isSome(link) ? yield* fs.realPath(file) : file }
      case "FIFO":
      case "CharacterDevice":
        return { kind: "stream" }
      default:
        return yield* new ReportError({ file, message: `cannot write ${file}: it is a ${describeType(info.value.type)}, not a file` })
    }
  })

const describeType = (type: FileSystem.File.Type): string =>
  type === "Directory" ? "directory" : type === "BlockDevice" ? "block device" : type === "Socket" ? "socket" : "special file"

/** Write through a temporary file renamed over `target`; the temporary file never outlives a failure. */
const replace = (target: string, content: string): Effect.Effect<void, PlatformError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = path.dirname(target)
    const suffix = (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    const temp = path.join(dir, `.${path.basename(target)}.${suffix}.tmp`)
    yield* fs.makeDirectory(dir, { recursive: true })
    yield* fs.writeFileString(temp, content).pipe(
      Effect.zipRight(fs.rename(temp, target)),
      Effect.tapError(() => Effect.ignore(fs.remove(temp))),
      Effect.onInterrupt(() => Effect.ignore(fs.remove(temp)))
    )
  })

/**
 * Write `content` to `file` (see the module doc), creating the parent directory when needed.
 *
 * @example
 * ```ts
 * writeAtomic("out/junit.xml", xml) // Effect<void, ReportError, FileSystem | Path>
 * ```
 */
export const writeAtomic = (file: string, content: string): Effect.Effect<void, ReportError, FileSystem.FileSystem | Path.Path | Terminal.Terminal> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const target = yield* destination(file)
    if (target.kind === "stdout") return yield* Effect.flatMap(Terminal.Terminal, (terminal) => terminal.display(content))
    if (target.kind === "stream") return yield* fs.writeFileString(file, content)
    yield* replace(target.path, content)
  }).pipe(Effect.catchIf(
    (error): error is PlatformError => error._tag !== "ReportError",
    (error) => Effect.fail(new ReportError({ file, message: `cannot write ${file}: ${reasonOf(error)}` }))
  ))
