/**
 * Report outputs of a run and how they are written once the run ends (or is interrupted): `--out` JSON,
 * `--junit` XML and `--html` page in one pass over the run's results in case order (streamed from the run
 * store, never held together), each atomically; then the console report and summary line.
 *
 * @example
 * ```ts
 * import { writeReports } from "./outputs.js"
 * yield* writeReports(outputs, { outcome, dataset }, log.results(runId))
 * ```
 */
import type { CaseResult } from "@assay/core"
import type { StoredResultJson } from "@assay/store"
import type { FileSystem, Path, Terminal } from "@effect/platform"
import { Console, Effect, Option, Stream } from "effect"
import type { ReportError } from "../errors.js"
import type { ProgressMode } from "../progress/reporter.js"
import { openReport, type ReportFile } from "../report/atomic.js"
import { ConsoleDigest, summaryLine } from "../report/console.js"
import { viewerReport } from "../report/html.js"
import { jsonReport } from "../report/json.js"
import { junitReport } from "../report/junit.js"
import type { ReportPieces, StreamedReport } from "../report/streamed.js"
import type { Style } from "../report/style.js"
import { loadViewerAssets } from "../view/assets.js"
import type { ReportHead } from "../report/view.js"

/**
 * Where and how to report.
 *
 * @example
 * ```ts
 * const outputs: Outputs = { out: Option.some("r.json"), jsonl: Option.none(), junit: Option.none(), html: Option.none(), progress: "plain", style, progressStyle: style }
 * ```
 */
export interface Outputs {
  readonly out: Option.Option<string>
  readonly jsonl: Option.Option<string>
  readonly junit: Option.Option<string>
  readonly html: Option.Option<string>
  readonly progress: ProgressMode
  /** Colours of what goes to stdout (reports, the summary). */
  readonly style: Style
  /** Colours of the progress display on stderr. */
  readonly progressStyle: Style
}

/** A report being written: its file and its pieces for this run. */
interface Open {
  readonly file: ReportFile
  readonly pieces: ReportPieces
}

/**
 * What the run gathered for its reports while it ran, and another form of its stored results.
 *
 * @example
 * ```ts
 * writeReports(outputs, head, log.results(runId), { gathered: tally.digest, json: log.resultJson(runId) })
 * ```
 */
export interface Gathered<E, R> {
  /** The console report, gathered as results arrived (else it is made from `cases`). */
  readonly gathered?: ConsoleDigest | undefined
  /** The same results as `cases`, as JSON text: read instead of `cases` when every report copies JSON. */
  readonly json?: Stream.Stream<StoredResultJson, E, R> | undefined
}

/**
 * Write the requested report files from `cases` (input order) and print the console report — from
 * `gathered` when the run gathered it as results arrived, else from `cases`. `cases` is read only when it is
 * needed, and not at all when `json` is given and every report copies each result's JSON. A report file is
 * only put in place once complete: a failure or an interruption leaves the previous file (or none).
 *
 * @example
 * ```ts
 * writeReports(outputs, { outcome, dataset: "cases.jsonl" }, Stream.fromIterable(results))
 * ```
 */
export const writeReports = <E, R>(
  outputs: Pick<Outputs, "out" | "junit" | "html" | "style">,
  head: ReportHead,
  cases: Stream.Stream<CaseResult, E, R>,
  { gathered, json }: Gathered<E, R> = {}
): Effect.Effect<void, ReportError | E, FileSystem.FileSystem | Path.Path | Terminal.Terminal | R> =>
  Effect.gen(function*() {
    const wanted: Array<readonly [Option.Option<string>, StreamedReport]> = [[outputs.out, jsonReport], [outputs.junit, junitReport]]
    if (Option.isSome(outputs.html)) wanted.push([outputs.html, viewerReport(yield* loadViewerAssets)])
    const open: Array<Open> = []
    for (const [file, report] of wanted) {
      if (Option.isSome(file)) open.push({ file: yield* openReport(file.value), pieces: report(head) })
    }
    const digest = gathered ?? new ConsoleDigest()
    const writeAll = (text: (o: Open) => string) => Effect.forEach(open, (o) => o.file.write(text(o)), { discard: true })
    yield* writeAll((o) => o.pieces.head)
    const copiesJson = json !== undefined && gathered !== undefined && open.every((o) => o.pieces.jsonPrefix !== undefined)
    if (copiesJson && open.length > 0) yield* caseJson(open, json)
    else if (open.length > 0 || gathered === undefined) yield* caseTexts(open, cases, gathered === undefined ? digest : undefined)
    yield* writeAll((o) => o.pieces.tail)
    yield* Effect.forEach(open, (o) => o.file.commit, { discard: true })
    const table = digest.render(head.outcome, outputs.style)
    if (table !== "") yield* Console.log(table)
    yield* Console.log(summaryLine(head.outcome.summary, outputs.style, head.unpriced))
  }).pipe(Effect.scoped)

/**
 * Stream `items` once into every open report: `emit` adds an item's parts for the report at that index of
 * `open`, `join` makes what is written of a chunk's parts; `seen` is told of each item (the console digest, when the run did not gather one).
 */
const writeEach = <T, P, E, R>(
  open: ReadonlyArray<Open>,
  items: Stream.Stream<T, E, R>,
  emit: (parts: Array<P>, report: number, item: T, first: boolean) => void,
  join: (parts: Array<P>) => string | ReadonlyArray<Uint8Array>,
  seen?: (item: T) => void
) => {
  let first = true
  return Stream.runForEachChunk(items, (chunk) =>
    Effect.suspend(() => {
      const parts = open.map(() => [] as Array<P>)
      for (const item of chunk) {
        seen?.(item)
        for (let i = 0; i < open.length; i++) emit(parts[i]!, i, item, first)
        first = false
      }
      return Effect.forEach(open, (o, i) => o.file.write(join(parts[i]!)), { discard: true })
    }))
}

/** Each case's text, joined. */
const caseTexts = <E, R>(open: ReadonlyArray<Open>, cases: Stream.Stream<CaseResult, E, R>, digest: ConsoleDigest | undefined) =>
  writeEach(
    open,
    cases,
    (parts: Array<string>, report, c, first) => void parts.push(open[report]!.pieces.item(c, first)),
    (parts) => parts.join(""),
    digest === undefined ? undefined : (c) => digest.add(c)
  )

/** Each case's stored JSON behind the report's prefix, as bytes: nothing is parsed, decoded or encoded again. */
const caseJson = <E, R>(open: ReadonlyArray<Open>, json: Stream.Stream<StoredResultJson, E, R>) => {
  const prefixes = open.map((o) => [true, false].map((first) => Buffer.from(o.pieces.jsonPrefix!(first))))
  const emit = (parts: Array<Uint8Array>, report: number, item: StoredResultJson, first: boolean) =>
    void parts.push(prefixes[report]![first ? 0 : 1]!, item.json)
  return writeEach(open, json, emit, (parts) => parts)
}
