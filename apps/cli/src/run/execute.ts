/**
 * Executing a run plan — the shared body of `assay run` and `assay resume`:
 *
 * 1. build the metrics; read the dataset once to validate it and count the cases (a malformed dataset
 *    fails here, before anything is evaluated or written);
 * 2. stream the dataset through the engine, leaving out cases a resumed run already finished; every finished
 *    case goes to the run store, the `--jsonl` file and the progress reporter as it completes;
 * 3. write the reports for the whole run (earlier results included) in one pass streamed from the run store
 *    (`outputs.ts`); the summary is accumulated as results arrive (`tally.ts`), so no list of results is kept.
 *
 * On interruption (Ctrl-C) the finished results are already stored; the reports are written for what
 * finished, the run is marked cancelled, and the resume command is printed.
 *
 * @example
 * ```ts
 * import { execute } from "./execute.js"
 * const result = yield* execute({ plan, resume: undefined, outputs })
 * ```
 */
import { evaluateToSinks, type Metric, type RunOutcome } from "@assay/core"
import { Judge, JudgeError, type JudgeStats, stopOnFatal } from "@assay/judge"
import { datasetFingerprint, metricsFingerprint } from "@assay/store"
import type { FileSystem, Path, Terminal } from "@effect/platform"
import { Clock, Console, Effect, Option, Stream } from "effect"
import { loadDataset } from "../dataset/index.js"
import { buildMetrics } from "../metrics/catalog.js"
import { makeProgress } from "../progress/reporter.js"
import { openJsonlSink } from "../report/jsonl.js"
import { type Outputs, writeReports } from "./outputs.js"
import { type RunPlan, toEvalOptions } from "./plan.js"
import { RunLog } from "./run-log.js"
import { fatalError, runServices } from "./services.js"
import { RunTally } from "./tally.js"
import { makeTarget, type Target } from "./target.js"
import { validationOf } from "./validation.js"

/**
 * What to execute.
 *
 * @example
 * ```ts
 * execute({ plan, resume: undefined, outputs } satisfies Execution)
 * ```
 */
export interface Execution {
  readonly plan: RunPlan
  /** The stored run to continue (its finished cases are not evaluated again); a new run when absent. */
  readonly resume: string | undefined
  readonly outputs: Outputs
}

/**
 * Run a plan; see the module doc.
 *
 * @example
 * ```ts
 * execute({ plan, resume: undefined, outputs })
 * ```
 */
export const execute = (input: Execution) =>
  Effect.flatMap(buildMetrics(input.plan.metrics, input.plan.judge), ({ judged, metrics, needsJudge }) =>
    evaluatePlan(input, metrics, needsJudge).pipe(Effect.scoped, Effect.provide(runServices(input.plan, judged))))

const evaluatePlan = (input: Execution, metrics: ReadonlyArray<Metric.Metric<Judge>>, needsJudge: boolean) =>
  Effect.gen(function*() {
    const { outputs, plan } = input
    const log = yield* RunLog
    const judge = yield* Judge
    const dataset = yield* datasetFingerprint(loadDataset(plan.dataset, validationOf(plan, metrics))) // validates the whole file first
    const total = dataset.count
    const fingerprints = { dataset: dataset.fingerprint, metrics: metricsFingerprint(metrics, plan.hyperparameters), caseCount: total }
    // The target is set up before the run is recorded: a target without its key fails here, leaving no run.
    const target = yield* makeTarget(plan.target, plan.concurrency, plan.calls)
    const runId = input.resume ?? (yield* log.start(plan, fingerprints))
    const stillHeld = yield* log.lease(runId) // released when the run's scope closes
    if (input.resume !== undefined) yield* log.reopen(input.resume, fingerprints)
    const started = yield* Clock.currentTimeMillis
    const tally = new RunTally(total)
    // A resumed run's stored results are streamed once: counted, and with --jsonl appended where the file
    // misses them (a crash between commit and write).
    const stored = input.resume === undefined ? undefined : Stream.tap(log.results(input.resume), (r) => Effect.sync(() => tally.add(r)))
    const appendJsonl = Option.isSome(outputs.jsonl) ? Option.some(yield* openJsonlSink(outputs.jsonl.value, stored)) : Option.none()
    if (stored !== undefined && Option.isNone(outputs.jsonl)) yield* Stream.runDrain(stored)
    const source = loadDataset(plan.dataset)
    const calls = callStatus(needsJudge ? judge : undefined, target)
    const progress = yield* makeProgress({ mode: outputs.progress, total: total - tally.finished, style: outputs.style, extra: calls })

    const report = (status: RunOutcome["status"]) =>
      Effect.gen(function*() {
        yield* progress.finish
        const duration = (yield* Clock.currentTimeMillis) - started
        const outcome = tally.outcome(runId, plan.identifier, status, duration)
        yield* log.finish(runId, status, outcome.summary.passRate)
        yield* writeReports(outputs, { outcome, dataset: plan.dataset }, log.results(runId))
        return outcome
      })

    const evaluation = evaluateToSinks(source, metrics, {
      ...toEvalOptions(plan),
      ...(target === undefined ? {} : { task: target.task }),
      runId,
      skipIndex: (index) => tally.has(index),
      // Results are durable in the run store (one transaction per batch) before they reach the other sinks.
      onResults: (results) => Effect.zipRight(stillHeld, log.record(runId, results)),
      onResult: (result) =>
        Effect.gen(function*() {
          if (Option.isSome(appendJsonl)) yield* appendJsonl.value(result)
          yield* progress.add(result)
          tally.add(result)
        })
    })
    const run = stoppingOnFatal(evaluation, judge, target)
    const outcome = yield* run.pipe(
      Effect.onInterrupt(() =>
        report("cancelled").pipe(
          Effect.zipRight(Console.error(`\nInterrupted: ${tally.finished} of ${total} cases finished. Resume with: assay resume ${runId}`)),
          Effect.catchAll((error) => Console.error(`could not write the partial reports: ${error.message}`))
        )
      ),
      Effect.tapError(() => Effect.ignore(Effect.zipRight(stillHeld, log.finish(runId, "failed"))))
    )
    const result = yield* report(outcome.status)
    if (calls !== undefined) yield* Effect.flatMap(calls, (line) => Console.log(`calls: ${line}`))
    yield* Console.error(whereItWent(runId, outputs))
    if (result.unfinished.length > 0) {
      yield* Console.error(`Deadline reached: ${result.unfinished.length} cases unfinished. Continue with: assay resume ${runId}`)
    }
    return result
  })

/**
 * The run's closing line on stderr: its id and where its results went.
 *
 * @example
 * ```ts
 * whereItWent("20261204-101500-ab12", outputs) // "run 20261204-101500-ab12 · reports: out.json, report.html · …"
 * ```
 */
export const whereItWent = (runId: string, outputs: Outputs): string => {
  const files = [outputs.out, outputs.jsonl, outputs.junit, outputs.html].flatMap((o) => Option.isSome(o) ? [o.value] : [])
  return `run ${runId}${files.length > 0 ? ` · reports: ${files.join(", ")}` : ""} · see it again: assay runs show ${runId}`
}

/**
 * A client's part of the progress line and the run's closing `calls:` line: calls, retries after failures,
 * 429s (waited out, counted apart), failed calls and the adaptive connection cap.
 *
 * @example
 * ```ts
 * judgeStatus(stats) // "judge 120 calls · 3 retries · 2×429 · cap 4 (3 in flight)"
 * judgeStatus(stats, "target") // "target 40 calls · 0 retries · 9×429 · 1 failed · cap 2 (0 in flight)"
 * ```
 */
export const judgeStatus = (stats: JudgeStats, label = "judge"): string => {
  const p = stats.policy
  return p === undefined
    ? ""
    : `${label} ${p.calls} calls · ${p.retries} retries · ${p.rateLimited}×429${p.failed > 0 ? ` · ${p.failed} failed` : ""}` +
      ` · cap ${p.cap} (${p.inFlight} in flight)`
}

/** The judge's and the target's counters as one status text (undefined when the run makes no calls). */
const callStatus = (judge: Judge["Type"] | undefined, target: Target | undefined): Effect.Effect<string> | undefined => {
  const parts = [
    ...(judge === undefined ? [] : [Effect.map(judge.stats, (s) => judgeStatus(s))]),
    ...(target === undefined ? [] : [Effect.map(target.stats, (s) => judgeStatus(s, "target"))])
  ]
  return parts.length === 0 ? undefined : Effect.map(Effect.all(parts), (lines) => lines.filter((l) => l !== "").join(" · "))
}

/**
 * The run, ended by the first fatal failure of the judge or the target (a rejected key, an unreachable
 * endpoint; see `stopOnFatal` in @assay/judge) whatever the error policy, as a CLI error: a rejected key
 * exits 2, an unreachable endpoint 3.
 */
const stoppingOnFatal = <A, E, R>(run: Effect.Effect<A, E, R>, judge: Judge["Type"], target: Target | undefined) => {
  const reported = (role: "judge" | "target", model: string) => <X>(e: X | JudgeError) => (e instanceof JudgeError ? fatalError(role, model, e) : e)
  return stopOnFatal(target?.fatal, run).pipe(
    Effect.mapError(reported("target", target?.model ?? "")),
    (targeted) => stopOnFatal(judge.fatal, targeted),
    Effect.mapError(reported("judge", judge.model))
  )
}

/**
 * The services `execute` needs from the application layer.
 *
 * @example
 * ```ts
 * const program: Effect.Effect<RunResult, unknown, ExecuteContext> = execute(execution)
 * ```
 */
export type ExecuteContext = FileSystem.FileSystem | Path.Path | Terminal.Terminal | RunLog
