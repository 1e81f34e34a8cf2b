/**
 * The run-history commands: `assay runs list`, `assay runs show <run-id> [--out f.json] [--junit f.xml]
 * [--html f.html]` (a past run's reports, written from the store by content), `assay runs export <run-id>
 * --html f.html` (the run's viewer as one file) and
 * `assay compare <run-a> <run-b> [--fail-on-regression] [--fail-on-significant-regression [--alpha 0.05]] [--json]`.
 *
 * @example
 * ```sh
 * assay runs list
 * assay runs show latest --html last.html
 * assay compare 20261123-101500-ab12 latest --fail-on-regression
 * ```
 */
import { Args, Command, Options } from "@effect/cli"
import { compareStreams, type RunComparison } from "@assay/store"
import { Console, Effect, Option } from "effect"
import { Rate } from "../config/values.js"
import { ExitStatus } from "../exit-status.js"
import { comparisonText, significantRegressions } from "../report/compare.js"
import { percent } from "../report/text.js"
import { writeReports } from "../run/outputs.js"
import { RunLog } from "../run/run-log.js"
import { detectStyle, outputFlags, valueFlag } from "./flags.js"
import { onExistingStore, storeFlag } from "./resume.js"

const noRuns = Console.log("no runs yet")

const listCommand = Command.make("list", { cache: storeFlag }, ({ cache }) =>
  onExistingStore(cache, Effect.gen(function*() {
    const runs = yield* Effect.flatMap(RunLog, (log) => log.list)
    if (runs.length === 0) return yield* noRuns
    const row = (id: string, started: string, status: string, cases: string, rate: string, name: string) =>
      `${id.padEnd(20)}  ${started.padEnd(19)}  ${status.padEnd(9)}  ${cases.padStart(13)}  ${rate.padStart(9)}  ${name}`
    yield* Console.log(row("RUN", "STARTED (UTC)", "STATUS", "FINISHED/ALL", "PASS RATE", "IDENTIFIER OR DATASET"))
    for (const run of runs) {
      const started = new Date(run.startedAt).toISOString().replace("T", " ").slice(0, 19)
      const cases = `${run.finishedCases}/${run.caseCount ?? "?"}`
      yield* Console.log(row(run.runId, started, run.status, cases, percent(run.passRate), run.plan.identifier ?? run.plan.dataset))
    }
  }), noRuns)).pipe(Command.withDescription("List stored runs, newest first"))

const showFlags = {
  runId: Args.text({ name: "run-id" }).pipe(Args.withDescription("a run id, or latest")),
  cache: storeFlag,
  out: outputFlags.out,
  junit: outputFlags.junit,
  html: outputFlags.html
}

/** Print a stored run's header and write the requested reports from the store. */
const storedReports = (runId: string, reports: { readonly out: Option.Option<string>; readonly junit: Option.Option<string>; readonly html: Option.Option<string> }) =>
  Effect.gen(function*() {
    const log = yield* RunLog
    const { info, outcome } = yield* log.outline(runId)
    const style = yield* detectStyle
    yield* Console.log(`run ${info.runId} · ${info.status} · ${info.plan.dataset} · metrics ${info.plan.metrics.map((m) => typeof m === "string" ? m : m.metric).join(", ")}`)
    yield* writeReports({ ...reports, style }, { outcome, dataset: info.plan.dataset }, log.results(info.runId))
  })

const showCommand = Command.make("show", showFlags, ({ cache, html, junit, out, runId }) => onExistingStore(cache, storedReports(runId, { out, junit, html })))
  .pipe(Command.withDescription("Show one stored run; --out, --junit and --html write its reports from the store"))

const exportCommand = Command.make(
  "export",
  {
    runId: showFlags.runId,
    cache: storeFlag,
    html: Options.text("html").pipe(Options.withDescription("write the run's viewer as one self-contained HTML file"))
  },
  ({ cache, html, runId }) => onExistingStore(cache, storedReports(runId, { out: Option.none(), junit: Option.none(), html: Option.some(html) }))
).pipe(Command.withDescription("Write a stored run's viewer as one self-contained HTML file (--html <file>)"))

/**
 * `assay runs list|show`.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([runsCommand]))
 * ```
 */
export const runsCommand = Command.make("runs").pipe(
  Command.withDescription("Stored runs"),
  Command.withSubcommands([listCommand, showCommand, exportCommand])
)

const compareFlags = {
  runA: Args.text({ name: "run-a" }).pipe(Args.withDescription("the baseline run id, or latest")),
  runB: Args.text({ name: "run-b" }).pipe(Args.withDescription("the run to compare with it, or latest")),
  failOnRegression: Options.boolean("fail-on-regression").pipe(Options.withDescription("exit 1 when any case went from pass to fail")),
  failOnSignificant: Options.boolean("fail-on-significant-regression").pipe(
    Options.withDescription("exit 1 when a metric's pass rate or mean score dropped with Holm-adjusted p below --alpha")
  ),
  alpha: valueFlag("alpha", Rate, "significance level for --fail-on-significant-regression (default 0.05)"),
  json: Options.boolean("json").pipe(Options.withDescription("print the comparison as JSON")),
  cache: storeFlag
}

/** Whether the comparison fails the flags given. */
const failed = (diff: RunComparison, flags: { failOnRegression: boolean; failOnSignificant: boolean; alpha: number }) =>
  (flags.failOnRegression && diff.regressed.length > 0) ||
  (flags.failOnSignificant && significantRegressions(diff, flags.alpha).length > 0)

/**
 * `assay compare <run-a> <run-b>`: cases matched by identity, regressions first, per-metric paired statistics;
 * `--fail-on-regression` exits 1 on any regressed case, `--fail-on-significant-regression` only on a
 * significant drop. Both runs are streamed from the store.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([compareCommand]))
 * ```
 */
export const compareCommand = Command.make("compare", compareFlags, (flags) =>
  onExistingStore(flags.cache, Effect.gen(function*() {
    const log = yield* RunLog
    const a = yield* log.info(flags.runA)
    const b = yield* log.info(flags.runB)
    const diff = yield* compareStreams({ id: a.runId, results: log.results(a.runId) }, { id: b.runId, results: log.results(b.runId) })
    const alpha = Option.getOrElse(flags.alpha, () => 0.05)
    if (flags.json) yield* Console.log(JSON.stringify({ ...diff, alpha, significantRegressions: significantRegressions(diff, alpha).map((m) => m.name) }, null, 2))
    else yield* Console.log(comparisonText(diff, alpha, yield* detectStyle))
    if (failed(diff, { ...flags, alpha })) yield* ExitStatus.set(1)
  }))).pipe(Command.withDescription("Compare two runs case by case, with paired statistics per metric"))
