/**
 * The run-history commands: `assay runs list`, `assay runs show <run-id>` and
 * `assay compare <run-a> <run-b> [--fail-on-regression]`.
 *
 * @example
 * ```sh
 * assay runs list
 * assay compare 20261123-101500-ab12 latest --fail-on-regression
 * ```
 */
import { Args, Command, Options } from "@effect/cli"
import { Path } from "@effect/platform"
import { compareRuns } from "@assay/store"
import { Console, Effect, Option } from "effect"
import { ExitStatus } from "../exit-status.js"
import { comparisonText } from "../report/compare.js"
import { consoleReport, summaryLine } from "../report/console.js"
import { DEFAULT_CACHE } from "../run/plan.js"
import { RunLog } from "../run/run-log.js"
import { withRunStore } from "../run/store.js"
import { detectStyle } from "./flags.js"
import { storeFlag } from "./resume.js"

const inStore = <A, E, R>(cache: Option.Option<string>, body: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Path.Path, (path) => withRunStore(path.resolve(Option.getOrElse(cache, () => DEFAULT_CACHE)), body))

const listCommand = Command.make("list", { cache: storeFlag }, ({ cache }) =>
  inStore(cache, Effect.gen(function*() {
    const runs = yield* Effect.flatMap(RunLog, (log) => log.list)
    if (runs.length === 0) return yield* Console.log("no runs yet")
    for (const run of runs) {
      const started = new Date(run.startedAt).toISOString().replace("T", " ").slice(0, 19)
      yield* Console.log(
        `${run.runId}  ${started}  ${run.status.padEnd(9)}  ${String(run.finishedCases).padStart(6)}/${run.caseCount ?? "?"}  ${run.plan.identifier ?? run.plan.dataset}`
      )
    }
  }))).pipe(Command.withDescription("List stored runs, newest first"))

const showCommand = Command.make("show", { runId: Args.text({ name: "run-id" }), cache: storeFlag }, ({ cache, runId }) =>
  inStore(cache, Effect.gen(function*() {
    const { info, result } = yield* Effect.flatMap(RunLog, (log) => log.load(runId))
    const style = yield* detectStyle
    yield* Console.log(`run ${info.runId} · ${info.status} · ${info.plan.dataset} · metrics ${info.plan.metrics.map((m) => typeof m === "string" ? m : m.metric).join(", ")}`)
    yield* Console.log(consoleReport({ result, dataset: info.plan.dataset, cases: new Map() }, style))
    yield* Console.log(summaryLine(result.summary, style))
  }))).pipe(Command.withDescription("Show one stored run"))

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
  Command.withSubcommands([listCommand, showCommand])
)

/**
 * `assay compare <run-a> <run-b>`: per-case regressions and score deltas; with `--fail-on-regression` a
 * regression exits 1.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([compareCommand]))
 * ```
 */
export const compareCommand = Command.make(
  "compare",
  {
    runA: Args.text({ name: "run-a" }),
    runB: Args.text({ name: "run-b" }),
    failOnRegression: Options.boolean("fail-on-regression").pipe(Options.withDescription("exit 1 when a case regressed")),
    cache: storeFlag
  },
  ({ cache, failOnRegression, runA, runB }) =>
    inStore(cache, Effect.gen(function*() {
      const log = yield* RunLog
      const a = yield* log.load(runA)
      const b = yield* log.load(runB)
      const diff = compareRuns(a.result, b.result)
      yield* Console.log(comparisonText(diff, a.result.summary, b.result.summary, yield* detectStyle))
      if (failOnRegression && diff.regressed.length > 0) yield* ExitStatus.set(1)
    }))
).pipe(Command.withDescription("Compare two runs case by case"))
