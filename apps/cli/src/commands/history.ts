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
import { Effect, Option } from "effect"
import { Rate } from "../config/values.js"
import { outputFlags, valueFlag } from "./flags.js"
import { onExistingStore, storeFlag, withExistingStore } from "../run/store-flags.js"

/** The commands' bodies (the run log, the reports, the comparison), imported when one runs. */
const body = Effect.promise(() => import("./history-body.js"))

const listCommand = Command.make("list", { cache: storeFlag }, ({ cache }) =>
  Effect.flatMap(body, ({ listRuns, noRuns }) => onExistingStore(cache, listRuns, noRuns))).pipe(Command.withDescription("List stored runs, newest first"))

const showFlags = {
  runId: Args.text({ name: "run-id" }).pipe(Args.withDescription("a run id, or latest")),
  cache: storeFlag,
  out: outputFlags.out,
  junit: outputFlags.junit,
  html: outputFlags.html
}

const showCommand = Command.make("show", showFlags, ({ html, junit, out, runId }) => Effect.flatMap(body, ({ storedReports }) => storedReports(runId, { out, junit, html })))
  .pipe(withExistingStore, Command.withDescription("Show one stored run; --out, --junit and --html write its reports from the store"))

const exportCommand = Command.make(
  "export",
  {
    runId: showFlags.runId,
    cache: storeFlag,
    html: Options.text("html").pipe(Options.withDescription("write the run's viewer as one self-contained HTML file"))
  },
  ({ html, runId }) => Effect.flatMap(body, ({ storedReports }) => storedReports(runId, { out: Option.none(), junit: Option.none(), html: Option.some(html) }))
).pipe(withExistingStore, Command.withDescription("Write a stored run's viewer as one self-contained HTML file (--html <file>)"))

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
export const compareCommand = Command.make("compare", compareFlags, (flags) => Effect.flatMap(body, ({ compareRuns }) => compareRuns(flags))).pipe(
  withExistingStore,
  Command.withDescription("Compare two runs case by case, with paired statistics per metric"))
