/**
 * The `--jsonl` report: one CaseResult line appended per case as it finishes (so a crash or Ctrl-C keeps
 * every finished line). The file handle lives in the caller's Scope.
 *
 * @example
 * ```ts
 * import { openJsonlSink } from "./jsonl.js"
 * const append = yield* openJsonlSink("results.jsonl")
 * yield* append(caseResult)
 * ```
 */
import { CaseResult, SinkError } from "@assay/core"
import { FileSystem, Path } from "@effect/platform"
import { Effect, Schema, type Scope } from "effect"
import { ReportError } from "../errors.js"

const encode = Schema.encodeSync(CaseResult)

/**
 * Open `file` for appending; the returned function writes one result per line.
 *
 * @example
 * ```ts
 * Effect.scoped(Effect.flatMap(openJsonlSink("r.jsonl"), (append) => append(result)))
 * ```
 */
export const openJsonlSink = (file: string): Effect.Effect<
  (result: CaseResult) => Effect.Effect<void, SinkError>,
  ReportError,
  FileSystem.FileSystem | Path.Path | Scope.Scope
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const handle = yield* fs.makeDirectory(path.dirname(file), { recursive: true }).pipe(
      Effect.zipRight(fs.open(file, { flag: "a" })),
      Effect.mapError((e) => new ReportError({ file, message: `cannot open ${file}: ${e.message}` }))
    )
    const encoder = new TextEncoder()
    return (result: CaseResult) =>
      handle.writeAll(encoder.encode(`${JSON.stringify(encode(result))}\n`)).pipe(
        Effect.mapError((e) => new SinkError({ sink: "jsonl", message: `cannot write ${file}: ${e.message}` }))
      )
  })
