/**
 * The `--jsonl` report: one CaseResult line appended per case as it finishes (so a crash or Ctrl-C keeps
 * every finished line). The file handle lives in the caller's Scope.
 *
 * The run store commits a case before its line is written, so after a crash the file can miss cases the store
 * has, and a crash or a full disk in the middle of a write can leave a torn last line. A resumed run therefore
 * reconciles the file with the store first: it cuts a torn last line, reads which case indexes the file holds,
 * and appends the stored results it misses — every case is in the file exactly once, whole lines only. A write
 * that fails is cut back to the last whole line at once.
 *
 * @example
 * ```ts
 * import { openJsonlSink } from "./jsonl.js"
 * const append = yield* openJsonlSink("results.jsonl", storedResults) // a Stream of the run's stored results
 * yield* append(caseResult)
 * ```
 */
import { CaseResult, SinkError } from "@assay/core"
import { FileSystem, Path } from "@effect/platform"
import { Console, Effect, Schema, type Scope, Stream } from "effect"
import { ReportError } from "../errors.js"
import { makeDirectories } from "./directories.js"

const encode = Schema.encodeSync(CaseResult)
const encoder = new TextEncoder()
const NEWLINE = 0x0a

/** The encoder writes `index` first (CaseResult's first field), so a line's case is read without parsing it. */
const INDEX_AT_START = /^\{"index":(\d+),/

/**
 * The case indexes of the whole lines in `bytes` (up to `end`), and how many lines are not case results.
 *
 * @example
 * ```ts
 * lineIndexes(new TextEncoder().encode('{"index":3,"name":null}\n'), 25) // { indexes: Set {3}, foreign: 0 }
 * ```
 */
export const lineIndexes = (bytes: Uint8Array, end: number): { readonly indexes: Set<number>; readonly foreign: number } => {
  const decoder = new TextDecoder()
  const indexes = new Set<number>()
  let foreign = 0
  for (let start = 0; start < end;) {
    const stop = bytes.indexOf(NEWLINE, start)
    const head = decoder.decode(bytes.subarray(start, Math.min(stop, start + 32)))
    const match = INDEX_AT_START.exec(head)
    if (match) indexes.add(Number(match[1]))
    else if (stop > start) foreign++
    start = stop + 1
  }
  return { indexes, foreign }
}

const encodeLines = (results: ReadonlyArray<CaseResult>): Uint8Array =>
  encoder.encode(results.map((result) => `${JSON.stringify(encode(result))}\n`).join(""))

/**
 * Bring an existing file in line with the store: cut a torn last line, and return the case indexes it holds.
 */
const reconcile = (file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    if (!(yield* fs.exists(file))) return new Set<number>()
    const bytes = yield* fs.readFile(file)
    const whole = bytes.lastIndexOf(NEWLINE) + 1
    if (whole < bytes.length) {
      yield* fs.truncate(file, whole)
      yield* Console.error(`${file}: removed a torn last line (${bytes.length - whole} bytes) left by an interrupted write`)
    }
    const { foreign, indexes } = lineIndexes(bytes, whole)
    if (foreign > 0) yield* Console.error(`${file}: ${foreign} lines are not case results of this run; left as they are`)
    return indexes
  })

/**
 * Open `file` for appending; the returned function writes one result per line. `stored`: the results a
 * resumed run already has, streamed (the file gets those it misses first); omit it for a new run.
 *
 * @example
 * ```ts
 * Effect.scoped(Effect.flatMap(openJsonlSink("r.jsonl"), (append) => append(result)))
 * ```
 */
export const openJsonlSink = <E = never, R = never>(file: string, stored?: Stream.Stream<CaseResult, E, R>): Effect.Effect<
  (result: CaseResult) => Effect.Effect<void, SinkError>,
  ReportError | E,
  FileSystem.FileSystem | Path.Path | Scope.Scope | R
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const cannot = (e: { readonly message: string }) => new ReportError({ file, message: `cannot write ${file}: ${e.message}` })
    yield* makeDirectories(path.dirname(file)).pipe(Effect.mapError(cannot))
    const present = stored === undefined ? new Set<number>() : yield* Effect.mapError(reconcile(file), cannot)
    const handle = yield* fs.open(file, { flag: "a" }).pipe(Effect.mapError((e) => new ReportError({ file, message: `cannot open ${file}: ${e.message}` })))
    let size = Number((yield* Effect.mapError(handle.stat, cannot)).size)
    /** Append whole lines: a failed write (a full disk) is cut back to the last whole line. */
    const appendLines = (bytes: Uint8Array) =>
      handle.writeAll(bytes).pipe(
        Effect.tap(() => Effect.sync(() => (size += bytes.length))),
        Effect.tapError(() => Effect.ignore(handle.truncate(size)))
      )
    if (stored !== undefined) {
      yield* Stream.runForEachChunk(stored, (chunk) => {
        const missing: Array<CaseResult> = []
        for (const result of chunk) if (!present.has(result.index)) missing.push(result)
        return missing.length === 0 ? Effect.void : Effect.mapError(appendLines(encodeLines(missing)), cannot)
      })
    }
    return (result: CaseResult) =>
      appendLines(encodeLines([result])).pipe(
        Effect.mapError((e) => new SinkError({ sink: "jsonl", message: `cannot write ${file}: ${e.message}` }))
      )
  })
