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
import { Effect, Fiber, Option, Random, type Scope } from "effect"
import { ReportError } from "../errors.js"
import { makeDirectories } from "./directories.js"

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

/** A fresh temporary path next to `target` (same directory: the rename stays on one file system). */
const tempPathFor = (target: string) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const dir = path.dirname(target)
    const suffix = (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    yield* makeDirectories(dir)
    return path.join(dir, `.${path.basename(target)}.${suffix}.tmp`)
  })

/** Write through a temporary file renamed over `target`; the temporary file never outlives a failure. */
const replace = (target: string, content: string): Effect.Effect<void, PlatformError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const temp = yield* tempPathFor(target)
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

/**
 * A report being written piece by piece (see {@link openReport}).
 *
 * @example
 * ```ts
 * yield* report.write("<html>")
 * yield* report.commit
 * ```
 */
export interface ReportFile {
  /** Append text, or UTF-8 bytes in pieces (buffered; written in large blocks). */
  readonly write: (text: string | ReadonlyArray<Uint8Array>) => Effect.Effect<void, ReportError>
  /** Write what is buffered and put the report in place (the rename of its temporary file). */
  readonly commit: Effect.Effect<void, ReportError>
}

/** Text buffered before a write. */
const BLOCK = 1 << 20
const encoder = new TextEncoder()

/**
 * Open `file` for a report written in pieces, with the guarantees of {@link writeAtomic}: a regular file is
 * written to a temporary file that `commit` renames over it; if the scope closes without a commit (a failure,
 * Ctrl-C) the temporary file is removed and `file` is left as it was.
 *
 * @example
 * ```ts
 * Effect.scoped(Effect.flatMap(openReport("out.json"), (r) => Effect.zipRight(r.write("{}"), r.commit)))
 * ```
 */
export const openReport = (file: string): Effect.Effect<ReportFile, ReportError, FileSystem.FileSystem | Path.Path | Terminal.Terminal | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const target = yield* destination(file)
    let sink: (bytes: Uint8Array) => Effect.Effect<void, PlatformError | ReportError>
    let finish: Effect.Effect<void, PlatformError> = Effect.void
    if (target.kind === "stdout") {
      const terminal = yield* Terminal.Terminal
      const decoder = new TextDecoder()
      sink = (bytes) => terminal.display(decoder.decode(bytes))
    } else {
      const path = target.kind === "stream" ? file : yield* tempPathFor(target.path)
      let committed = target.kind === "stream"
      // The temporary file goes away unless the report was committed (registered before it is created).
      if (!committed) yield* Effect.addFinalizer(() => (committed ? Effect.void : Effect.ignore(fs.remove(path))))
      // A FIFO or device is opened for appending: its writes then carry no file position (a pipe cannot seek).
      const handle = yield* fs.open(path, { flag: target.kind === "stream" ? "a" : "w" })
      sink = (bytes) => handle.writeAll(bytes)
      if (target.kind === "replace") {
        finish = Effect.zipRight(fs.rename(path, target.path), Effect.sync(() => void (committed = true)))
      }
    }
    let buffered: Array<Uint8Array> = []
    let size = 0
    // One block is written while the next is gathered, so the caller's work overlaps the write; a failed
    // write fails the next flush or the commit. An uncommitted report's scope interrupts the write in flight.
    const scope = yield* Effect.scope
    let writing: Fiber.Fiber<void, PlatformError | ReportError> | undefined
    const written = Effect.suspend(() => (writing === undefined ? Effect.void : Fiber.join(writing)))
    const flush = Effect.suspend(() => {
      if (buffered.length === 0) return written
      const bytes = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered)
      buffered = []
      size = 0
      return Effect.flatMap(written, () => Effect.map(Effect.forkIn(sink(bytes), scope), (fiber) => void (writing = fiber)))
    })
    const failed = mapFailure(file)
    return {
      write: (text: string | ReadonlyArray<Uint8Array>) =>
        Effect.suspend(() => {
          for (const bytes of typeof text === "string" ? [encoder.encode(text)] : text) {
            buffered.push(bytes)
            size += bytes.length
          }
          return size >= BLOCK ? failed(flush) : Effect.void
        }),
      commit: failed(Effect.zipRight(Effect.zipRight(flush, written), finish))
    }
  }).pipe(mapFailure(file))

/** Platform errors as the ReportError a user reads (naming the file and the OS's reason). */
const mapFailure = (file: string) => <A, R>(effect: Effect.Effect<A, PlatformError | ReportError, R>): Effect.Effect<A, ReportError, R> =>
  Effect.catchIf(
    effect,
    (error): error is PlatformError => error._tag !== "ReportError",
    (error) => Effect.fail(new ReportError({ file, message: `cannot write ${file}: ${reasonOf(error)}` }))
  )
