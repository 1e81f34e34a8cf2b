/**
 * Report outputs of a run and how they are written once the run ends (or is interrupted): `--out` JSON,
 * `--junit` XML, `--html` page (atomically), then the console table and summary line.
 *
 * @example
 * ```ts
 * import { writeReports } from "./outputs.js"
 * yield* writeReports(outputs, { result, dataset, cases })
 * ```
 */
import type { FileSystem, Path, Terminal } from "@effect/platform"
import { Console, Effect, Option } from "effect"
import type { ReportError } from "../errors.js"
import { writeAtomic } from "../report/atomic.js"
import { consoleReport, summaryLine } from "../report/console.js"
import { htmlReport } from "../report/html.js"
import { writeJsonReport } from "../report/json.js"
import { junitXml } from "../report/junit.js"
import type { Style } from "../report/style.js"
import type { ReportData } from "../report/view.js"
import type { ProgressMode } from "../progress/reporter.js"

/**
 * Where and how to report.
 *
 * @example
 * ```ts
 * const outputs: Outputs = { out: Option.some("r.json"), jsonl: Option.none(), junit: Option.none(), html: Option.none(), progress: "plain", style }
 * ```
 */
export interface Outputs {
  readonly out: Option.Option<string>
  readonly jsonl: Option.Option<string>
  readonly junit: Option.Option<string>
  readonly html: Option.Option<string>
  readonly progress: ProgressMode
  readonly style: Style
}

/**
 * Write the requested report files and print the console report.
 *
 * @example
 * ```ts
 * writeReports({ out: Option.some("r.json"), jsonl: Option.none(), junit: Option.none(), html: Option.none(), progress: "plain", style }, data)
 * ```
 */
export const writeReports = (outputs: Outputs, data: ReportData): Effect.Effect<void, ReportError, FileSystem.FileSystem | Path.Path | Terminal.Terminal> =>
  Effect.gen(function*() {
    if (Option.isSome(outputs.out)) yield* writeJsonReport(outputs.out.value, data.result)
    if (Option.isSome(outputs.junit)) yield* writeAtomic(outputs.junit.value, junitXml(data))
    if (Option.isSome(outputs.html)) yield* writeAtomic(outputs.html.value, htmlReport(data))
    const table = consoleReport(data, outputs.style)
    if (table !== "") yield* Console.log(table)
    yield* Console.log(summaryLine(data.result.summary, outputs.style))
  })
