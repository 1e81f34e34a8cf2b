/**
 * Executing a run plan — the shared body of `assay run` and `assay resume`:
 *
 * 1. build the metrics; read the dataset once to validate it and count the cases (a malformed dataset
 *    fails here, before anything is evaluated or written);
 * 2. stream the dataset through the engine, leaving out cases a resumed run already finished; every finished
 *    case goes to the run store, the `--jsonl` file and the progress reporter as it completes;
 * 3. write the reports for the whole run (earlier results included).
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
import { type CaseResult, evaluate, type Metric, type RunResult, SummaryAccumulator, type TestCase } from "@assay/core"
import { Judge, type JudgeStats, stopOnFatal } from "@assay/judge"
import { datasetFingerprint, metricsFingerprint } from "@assay/store"
import type { FileSystem, Path, Terminal } from "@effect/platform"
import { Chunk, Clock, Console, Effect, Option, Stream } from "effect"
import { loadDataset } from "../dataset/index.js"
import { buildMetrics } from "../metrics/catalog.js"
import { makeProgress } from "../progress/reporter.js"
import { openJsonlSink } from "../report/jsonl.js"
import { caseView, type CaseView } from "../report/view.js"
import { type Outputs, writeReports } from "./outputs.js"
import { type RunPlan, toEvalOptions } from "./plan.js"
import { RunLog } from "./run-log.js"
import { fatalError, runServices } from "./services.js"
import { withTarget } from "./target.js"

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

/** Case content kept for reports beyond this many cases only when `--html` asks for it. */
const MAX_KEPT_VIEWS = 50_000

/**
 * A whole-run RunResult from the finished results (in input order) and the cases that did not finish.
 *
 * @example
 * ```ts
 * assemble("run-1", null, "cancelled", results, 40, 1234)
 * ```
 */
export const assemble = (
  runId: string,
  identifier: string | null,
  status: RunResult["status"],
  finished: ReadonlyArray<CaseResult>,
  total: number,
  durationMs: number
): RunResult => {
  const cases = [...finished].sort((a, b) => a.index - b.index)
  const summary = SummaryAccumulator.empty()
  const done = new Set<number>()
  for (const c of cases) {
    summary.add(c)
    done.add(c.index)
  }
  const unfinished: Array<{ index: number; name: null }> = []
  for (let i = 0; i < total; i++) if (!done.has(i)) unfinished.push({ index: i, name: null })
  return { runId, identifier, status, summary: summary.summary(durationMs), cases, unfinished }
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
  Effect.flatMap(buildMetrics(input.plan.metrics, input.plan.judge), ({ metrics, needsJudge }) =>
    evaluatePlan(input, metrics, needsJudge).pipe(Effect.scoped, Effect.provide(runServices(input.plan, needsJudge))))

const evaluatePlan = (input: Execution, metrics: ReadonlyArray<Metric.Metric<Judge>>, needsJudge: boolean) =>
  Effect.gen(function*() {
    const { outputs, plan } = input
    const log = yield* RunLog
    const judge = yield* Judge
    const dataset = yield* datasetFingerprint(loadDataset(plan.dataset)) // validates the whole file first
    const total = dataset.count
    const fingerprints = { dataset: dataset.fingerprint, metrics: metricsFingerprint(metrics, plan.hyperparameters), caseCount: total }
    // The target is set up before the run is recorded: a target without its key fails here, leaving no run.
    const skip = new Set<number>() // filled below with the cases a resumed run already finished
    const generated = yield* withTarget(loadDataset(plan.dataset), plan.target, plan.concurrency, skip)
    const runId = input.resume ?? (yield* log.start(plan, fingerprints))
    const prior = input.resume === undefined ? [] : yield* log.reopen(input.resume, fingerprints)
    for (const r of prior) skip.add(r.index)
    const started = yield* Clock.currentTimeMillis
    const keepViews = Option.isSome(outputs.html) || total <= MAX_KEPT_VIEWS
    const views = new Map<number, CaseView>()
    let seen = 0
    const finished: Array<CaseResult> = [...prior]
    const source = generated.pipe(
      Stream.mapChunks((chunk: Chunk.Chunk<TestCase>) => {
        if (keepViews) for (const testCase of chunk) views.set(seen++, caseView(testCase))
        return chunk
      })
    )
    const progress = yield* makeProgress({
      mode: outputs.progress,
      total: total - skip.size,
      style: outputs.style,
      extra: needsJudge ? Effect.map(judge.stats, judgeStatus) : undefined
    })
    const appendJsonl = Option.isSome(outputs.jsonl) ? Option.some(yield* openJsonlSink(outputs.jsonl.value)) : Option.none()

    const report = (status: RunResult["status"]) =>
      Effect.gen(function*() {
        yield* progress.finish
        const duration = (yield* Clock.currentTimeMillis) - started
        const result = assemble(runId, plan.identifier, status, finished, total, duration)
        yield* log.finish(runId, status)
        yield* writeReports(outputs, { result, dataset: plan.dataset, cases: views })
        return result
      })

    // A rejected judge key or an unreachable judge stops the run at the first call that meets it.
    const evaluation = evaluate(source, metrics, {
      ...toEvalOptions(plan),
      runId,
      skipIndex: (index) => skip.has(index),
      // Results are durable in the run store (one transaction per batch) before they reach the other sinks.
      onResults: (results) => log.record(runId, results),
      onResult: (result) =>
        Effect.gen(function*() {
          if (Option.isSome(appendJsonl)) yield* appendJsonl.value(result)
          yield* progress.add(result)
          finished.push(result)
        })
    })
    const run = stopOnFatal(judge.fatal, evaluation).pipe(Effect.catchTag("JudgeError", (e) => Effect.fail(fatalError("judge", judge.model, e))))
    const outcome = yield* run.pipe(
      Effect.onInterrupt(() =>
        report("cancelled").pipe(
          Effect.zipRight(Console.error(`\nInterrupted: ${finished.length} of ${total} cases finished. Resume with: assay resume ${runId}`)),
          Effect.catchAll((error) => Console.error(`could not write the partial reports: ${error.message}`))
        )
      ),
      Effect.tapError(() => Effect.ignore(log.finish(runId, "failed")))
    )
    const result = yield* report(outcome.status)
    if (result.unfinished.length > 0) {
      yield* Console.error(`Deadline reached: ${result.unfinished.length} cases unfinished. Continue with: assay resume ${runId}`)
    }
    return result
  })

/**
 * The judge part of the progress line: calls, retries, rate-limit backoffs and the adaptive connection cap.
 *
 * @example
 * ```ts
 * judgeStatus(stats) // "judge 120 calls · 3 retries · 2×429 · cap 4 (3 in flight)"
 * ```
 */
export const judgeStatus = (stats: JudgeStats): string => {
  const p = stats.policy
  return p === undefined
    ? ""
    : `judge ${p.calls} calls · ${p.retries} retries · ${p.rateLimited}×429 · cap ${p.cap} (${p.inFlight} in flight)`
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
