/**
 * The bodies of the run-history commands (`./history.ts`), imported when one of them runs: the run list, a
 * stored run's reports written from the store, and the comparison of two runs.
 *
 * @example
 * ```ts
 * onExistingStore(cache, listRuns)
 * ```
 */
import { compareStreams, type RunComparison } from "@assay/store"
import { Console, Effect, Option } from "effect"
import { ExitStatus } from "../exit-status.js"
import { comparisonText, significantRegressions } from "../report/compare.js"
import { percent } from "../report/text.js"
import { writeReports } from "../run/outputs.js"
import { RunLog } from "../run/run-log.js"
import { detectStyle } from "./flags.js"

/** What `runs list` prints when the store has no runs. */
export const noRuns = Console.log("no runs yet")

/**
 * `runs list`: the stored runs, newest first.
 *
 * @example
 * ```ts
 * onExistingStore(cache, listRuns, noRuns)
 * ```
 */
export const listRuns = Effect.gen(function*() {
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
})

/**
 * `runs show` and `runs export`: a stored run's header, and the reports asked for, written from the store.
 *
 * @example
 * ```ts
 * storedReports("latest", { out: Option.some("out.json"), junit: Option.none(), html: Option.none() })
 * ```
 */
export const storedReports = (runId: string, reports: { readonly out: Option.Option<string>; readonly junit: Option.Option<string>; readonly html: Option.Option<string> }) =>
  Effect.gen(function*() {
    const log = yield* RunLog
    const { info, outcome } = yield* log.outline(runId)
    const style = yield* detectStyle
    yield* Console.log(`run ${info.runId} · ${info.status} · ${info.plan.dataset} · metrics ${info.plan.metrics.map((m) => typeof m === "string" ? m : m.metric).join(", ")}`)
    yield* writeReports({ ...reports, style }, { outcome, dataset: info.plan.dataset }, log.results(info.runId))
  })

/** Whether the comparison fails the flags given. */
const failed = (diff: RunComparison, flags: { failOnRegression: boolean; failOnSignificant: boolean; alpha: number }) =>
  (flags.failOnRegression && diff.regressed.length > 0) ||
  (flags.failOnSignificant && significantRegressions(diff, flags.alpha).length > 0)

/**
 * `compare`: the two runs matched case by case, printed (or as JSON), the exit status set by the flags.
 *
 * @example
 * ```ts
 * onExistingStore(flags.cache, compareRuns(flags))
 * ```
 */
export const compareRuns = (flags: {
  readonly runA: string
  readonly runB: string
  readonly failOnRegression: boolean
  readonly failOnSignificant: boolean
  readonly alpha: Option.Option<number>
  readonly json: boolean
}) =>
  Effect.gen(function*() {
    const log = yield* RunLog
    const a = yield* log.info(flags.runA)
    const b = yield* log.info(flags.runB)
    const diff = yield* compareStreams({ id: a.runId, results: log.results(a.runId) }, { id: b.runId, results: log.results(b.runId) })
    const alpha = Option.getOrElse(flags.alpha, () => 0.05)
    if (flags.json) yield* Console.log(JSON.stringify({ ...diff, alpha, significantRegressions: significantRegressions(diff, alpha).map((m) => m.name) }, null, 2))
    else yield* Console.log(comparisonText(diff, alpha, yield* detectStyle))
    if (failed(diff, { ...flags, alpha })) yield* ExitStatus.set(1)
  })
