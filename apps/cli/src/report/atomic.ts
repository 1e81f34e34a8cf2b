/**
 * Atomic report writing: the content goes to a temporary file next to the target, which is then renamed over
 * it, so a reader (or an interrupted run) never sees a half-written report.
 *
 * @example
 * ```ts
 * import { writeAtomic } from "./atomic.js"
 * yield* writeAtomic("reports/run.json", JSON.stringify(result))
 * ```
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect, Random } from "effect"
import { ReportError } from "../errors.js"

/**
 * Write `content` to `file` atomically, creating the parent directory when needed.
 *
 * @example
 * ```ts
 * writeAtomic("out/junit.xml", xml) // Effect<void, ReportError, FileSystem | Path>
 * ```
 */
export const writeAtomic = (file: string, content: string): Effect.Effect<void, ReportError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = path.dirname(file)
    const suffix = (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    const temp = path.join(dir, `.${path.basename(file)}.${suffix}.tmp`)
    yield* fs.makeDirectory(dir, { recursive: true })
    yield* fs.writeFileString(temp, content)
    yield* fs.rename(temp, file).pipe(Effect.tapError(() => Effect.ignore(fs.remove(temp))))
  }).pipe(Effect.mapError((error) => new ReportError({ file, message: `cannot write ${file}: ${error.message}` })))
