/**
 * Executing a run plan — the shared body of `assay run` and `assay resume`:
 *
 * 1. build the metrics; read the dataset once to validate it and count the cases (a malformed dataset
 *    fails here, before anything is evaluated or written) — unless the run store remembers the same bytes
 *    passing the same checks (`dataset-check.ts`);
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
import { type CaseResult, cachedTask, CostBudget, type CostBudgetApi, evaluateToSinks, loadDataset, type Metric, type RunOutcome, type SinkError, type Task, type TestCase } from "@assay/core"
import { type Embedder, Judge, JudgeError, Offline, Recording, recordedHttpClient, stopOnFatal } from "@assay/judge"
import { type Database, datasetFingerprint, metricsFingerprint, type ProviderBatches } from "@assay/store"
import type { CommandExecutor, FileSystem, HttpClient, Path, Terminal } from "@effect/platform"
import { Chunk, Clock, Console, Deferred, Effect, Layer, Option, Stream } from "effect"
import { type DatasetError, describeError, RunFailed, UsageError } from "../errors.js"
import { buildMetrics } from "../metrics/catalog.js"
import { makeProgress, type Progress } from "../progress/reporter.js"
import { openJsonlSink } from "../report/jsonl.js"
import { checkedDataset } from "./dataset-check.js"
import { budgetMessage, checkPrices, makeRunBudget, spendView } from "./budget.js"
import { batchJournalLayer, batchOptionsOf, batchProblem, runConcurrency } from "./batch.js"
import { type Outputs, writeReports } from "./outputs.js"
import { type RunPlan, toEvalOptions } from "./plan.js"
import { asCached, reusableOutcome, reuseKey } from "./reuse.js"
import { RunLog, type RunLogApi } from "./run-log.js"
import { embeddingModelOf, fatalError, pricesOf, recordingFor, runServices, servesCached } from "./services.js"
import { RunTally } from "./tally.js"
import { RunTarget, type Target, targetLayer } from "./target.js"

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
  /** An Eval's cases, task, metrics and layer, used instead of the plan's dataset and target. */
  readonly eval?: EvalSource | undefined
  /** Evaluates the cases elsewhere (`assay run --cluster`) instead of in this process. */
  readonly distribute?: Distribute | undefined
}

/**
 * Evaluation handed to other processes: given the stored run, its cases and the sinks of this process, evaluate
 * every case not skipped, deliver each stored result to `onResult`, and return the outcome.
 *
 * @example
 * ```ts
 * execute({ plan, resume: undefined, outputs, distribute: distributeOver(cluster) })
 * ```
 */
export type Distribute = (run: {
  readonly runId: string
  readonly plan: RunPlan
  /** The run's case count. */
  readonly total: number
  readonly source: Stream.Stream<TestCase, DatasetError, FileSystem.FileSystem>
  readonly skipIndex: (index: number) => boolean
  readonly stillHeld: Effect.Effect<void, SinkError>
  readonly onResult: (result: CaseResult) => Effect.Effect<void, SinkError>
}) => Effect.Effect<RunOutcome, RunFailed | SinkError | DatasetError | UsageError, DistributeContext>

/**
 * What a {@link Distribute} may use beyond {@link ExecuteContext}: the command's database.
 *
 * @example
 * ```ts
 * const needs: Context.Tag.Identifier<Database> extends DistributeContext ? true : false = true
 * ```
 */
export type DistributeContext = ExecuteContext | Database

/**
 * What an Eval brings to a run: its cases (read twice: once to validate and count, once to evaluate), its
 * metrics (beside the plan's), its task and the layer providing what they need.
 *
 * @example
 * ```ts
 * execute({ plan, resume: undefined, outputs, eval: { cases, metrics, task, layer: undefined } })
 * ```
 */
export interface EvalSource {
  readonly cases: Stream.Stream<TestCase, DatasetError, FileSystem.FileSystem>
  readonly metrics: ReadonlyArray<Metric.Metric<never>>
  readonly task: Task | undefined
  readonly layer: Layer.Layer<never, unknown> | undefined
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
  Effect.flatMap(planMetrics(input), ({ embedded, judged, metrics, needsJudge }) =>
    Effect.gen(function*() {
      const problem = batchProblem(input.plan, needsJudge)
      if (problem !== undefined) return yield* new UsageError({ message: problem })
      const services = runServices(input.plan, judged, embedded)
      const recording = recordingFor(input.plan, input.resume !== undefined)
      // One recording and one network policy for the judge, the target and an Eval's own layer (all built
      // inside the run from the same context): under --offline a judge an Eval builds cannot call out either.
      const offline = Layer.succeed(Offline, input.plan.offline)
      // Batch mode's journal of submitted batches, for the run whose id is known once it is recorded: an input
      // of the judge's layer and, for the target's (built inside the run), in the context too.
      const runId = yield* Deferred.make<string>()
      const shared = Layer.mergeAll(offline, batchJournalLayer(runId), ...(recording === undefined ? [] : [recording]))
      const all = Layer.provideMerge(services, shared)
      return yield* evaluatePlan(input, [...(input.eval?.metrics ?? []), ...metrics], needsJudge, runId).pipe(Effect.scoped, Effect.provide(all))
    }))

/**
 * `--offline` means no network at all: a target can only be answered from a recording.
 *
 * @example
 * ```ts
 * yield* offlineTarget(plan) // fails with --offline --target and no --replay
 * ```
 */
const offlineTarget = (plan: RunPlan): Effect.Effect<void, UsageError> =>
  plan.offline && plan.target !== null && plan.replay === null
    ? Effect.fail(new UsageError({
      message: `--offline: the target ${plan.target.model} would call the network; answer it from a recording with --replay <file> (made with --record)`
    }))
    : Effect.void

/**
 * The target's task, served from the task cache for unchanged cases (read only when cached results may be served;
 * not kept at all with `--no-cache`).
 *
 * @example
 * ```ts
 * const task = Option.map(yield* RunTarget, (target) => targetTask(plan, target))
 * ```
 */
export const targetTask = (plan: RunPlan, target: Target): Task =>
  plan.target === null || plan.cache === null
    ? target.task
    : cachedTask(target.task, {
      name: `target:${target.model}`,
      version: plan.target.version,
      // An http target's templates decide what it is asked (header templates hold no secret, see TargetHeaders).
      hyperparameters: {
        prompt: plan.target.prompt ?? null,
        body: plan.target.body ?? null,
        output: plan.target.output ?? null,
        headers: plan.target.headers ?? null,
        ...plan.hyperparameters
      }
    }, { read: !plan.freshTask && servesCached(plan) })

/** The plan's metrics; an Eval with metrics of its own needs none from flags or config. */
const planMetrics = (input: Execution) => flagMetrics(input.plan, input.eval?.metrics ?? [])

/**
 * The metrics a plan names (flags or config) beside an Eval's `own`: none are needed when the Eval has its own.
 *
 * @example
 * ```ts
 * const { metrics, judged } = yield* flagMetrics(plan, [])
 * ```
 */
export const flagMetrics = (plan: RunPlan, own: ReadonlyArray<Metric.Metric<unknown>>) =>
  own.length > 0 && plan.metrics.length === 0
    ? Effect.succeed({ judged: 0, embedded: 0, metrics: [], needsJudge: false })
    : buildMetrics(plan.metrics, plan.judge, embeddingModelOf(plan))

/** What a run's input is known to be before anything is set up for it: the validated dataset and its prices. */
interface Checked {
  readonly total: number
  readonly fingerprints: { readonly dataset: string; readonly metrics: string; readonly caseCount: number }
  /** The digest of the dataset file's bytes, when it is a file of UTF-8 text. */
  readonly digest: string | undefined
  /** Models without a price (their cost is not counted). */
  readonly unpriced: ReadonlyArray<string>
  readonly source: Stream.Stream<TestCase, DatasetError, FileSystem.FileSystem>
}

/** What a run is set up from before it is recorded: the checked input, the target and the task. */
interface Prepared extends Checked {
  readonly target: Target | undefined
  readonly task: Task | undefined
}

/** A recorded run in progress: what its reports and closing messages are made from. */
interface Running {
  readonly input: Execution
  readonly log: RunLogApi
  readonly runId: string
  /** Fails once the run's lease is lost; every write of results checks it first. */
  readonly stillHeld: Effect.Effect<void, SinkError>
  readonly tally: RunTally
  readonly progress: Progress
  readonly started: number
  readonly total: number
  readonly unpriced: ReadonlyArray<string>
}

/** Validate and count the dataset, refuse a target `--offline` forbids, and check the models' prices. */
const checkRun = (input: Execution, metrics: ReadonlyArray<Metric.Metric<Judge | Embedder>>, needsJudge: boolean) =>
  Effect.gen(function*() {
    const { plan } = input
    const cases = input.eval?.cases
    // Validates the whole file first (unless the store remembers these bytes passing these checks).
    // An Eval's cases are not a file: they have no digest.
    const dataset = yield* (cases === undefined
      ? checkedDataset(plan, metrics)
      : Effect.map(datasetFingerprint(cases), (found) => ({ ...found, digest: undefined })))
    const total = dataset.count
    const fingerprints = { dataset: dataset.fingerprint, metrics: metricsFingerprint(metrics, plan.hyperparameters), caseCount: total }
    yield* offlineTarget(plan)
    const unpriced = yield* checkPrices(plan, needsJudge)
    return { total, fingerprints, digest: dataset.digest, unpriced, source: cases ?? loadDataset(plan.dataset) } satisfies Checked
  })

/**
 * The run's target as a layer. An http target posts through the application's HttpClient, recorded or replayed
 * with --record / --replay; an LLM target's client needs no key when every call is replayed.
 *
 * @example
 * ```ts
 * const target = yield* Effect.provide(RunTarget, planTarget(plan))
 * ```
 */
export const planTarget = (plan: RunPlan) =>
  targetLayer(plan.target, plan.concurrency, plan.calls, plan.replay === null, batchOptionsOf(plan), pricesOf(plan)).pipe(Layer.provide(recordedHttpClient))

/** The checked run with its target and task (an Eval's own task wins over the plan's target). */
const prepare = (input: Execution, checked: Checked) =>
  Effect.map(RunTarget, (found): Prepared => {
    const target = Option.getOrUndefined(found)
    const task = input.eval?.task ?? (target === undefined ? undefined : targetTask(input.plan, target))
    return { ...checked, target, task }
  })

/** Record a new run (or reopen the resumed one) and hold its lease; the run id goes to the batch journal too. */
const openRun = (input: Execution, log: RunLogApi, fingerprints: Prepared["fingerprints"], runIdCell: Deferred.Deferred<string>) =>
  Effect.gen(function*() {
    const runId = input.resume ?? (yield* log.start(input.plan, fingerprints))
    const stillHeld = yield* log.lease(runId) // released when the run's scope closes
    if (input.resume !== undefined) yield* log.reopen(input.resume, fingerprints)
    yield* Deferred.succeed(runIdCell, runId)
    return { runId, stillHeld }
  })

/**
 * Count a resumed run's stored results in the tally (streamed once) and open the `--jsonl` sink, appending the
 * results the file misses (a crash between commit and write).
 */
const restoreEarlier = (input: Execution, log: RunLogApi, tally: RunTally) =>
  Effect.gen(function*() {
    const { jsonl } = input.outputs
    const stored = input.resume === undefined ? undefined : Stream.tap(log.results(input.resume), (r) => Effect.sync(() => tally.add(r)))
    const appendJsonl = Option.isSome(jsonl) ? Option.some(yield* openJsonlSink(jsonl.value, stored)) : Option.none()
    if (stored !== undefined && Option.isNone(jsonl)) yield* Stream.runDrain(stored)
    return appendJsonl
  })

/**
 * The run's cost budget — it covers the whole run: what a resumed run's earlier results cost is already spent —
 * and its progress reporter, showing the judge's and the target's calls and the spend.
 */
const meters = (input: Execution, tally: RunTally, total: number, judge: Judge["Type"] | undefined, target: Target | undefined) =>
  Effect.gen(function*() {
    const { outputs, plan } = input
    const earlierSpend = tally.cost
    const budget = yield* makeRunBudget(plan, earlierSpend)
    const clients = [
      ...(judge === undefined ? [] : [{ label: "judge", stats: judge.stats }]),
      ...(target === undefined ? [] : [{ label: "target", stats: target.stats }])
    ]
    const spend = clients.length === 0 && budget === undefined ? undefined : spendView(budget, clients.map((c) => c.stats), earlierSpend)
    const progress = yield* makeProgress({ mode: outputs.progress, total: total - tally.finished, style: outputs.progressStyle, clients, spend })
    return { budget, progress }
  })

/** Close the progress display, mark the run with its status and write the reports for the whole run. */
const report = (run: Running, status: RunOutcome["status"]) =>
  Effect.gen(function*() {
    yield* run.progress.finish
    const duration = (yield* Clock.currentTimeMillis) - run.started
    const outcome = run.tally.outcome(run.runId, run.input.plan.identifier, status, duration)
    yield* run.log.finish(run.runId, status, outcome.summary.passRate)
    yield* writeReports(run.input.outputs, { outcome, dataset: run.input.plan.dataset, unpriced: run.unpriced }, run.log.results(run.runId), {
      gathered: run.tally.digest,
      json: run.log.resultJson(run.runId)
    })
    return outcome
  })

/**
 * The cases evaluated in this process, or handed to other processes (`--cluster`). Results are durable in the
 * run store (one transaction per batch) before they reach the other sinks through `onResult`.
 */
const evaluation = (
  run: Running,
  metrics: ReadonlyArray<Metric.Metric<Judge | Embedder>>,
  prepared: Prepared,
  onResult: (result: CaseResult) => Effect.Effect<void, SinkError>
) => {
  const { plan } = run.input
  const { runId, stillHeld, total } = run
  const skipIndex = (index: number) => run.tally.has(index)
  const local = evaluateToSinks(prepared.source, metrics, {
    ...toEvalOptions(plan),
    concurrency: runConcurrency(plan, total),
    ...(prepared.task === undefined ? {} : { task: prepared.task }),
    runId,
    skipIndex,
    onResults: (results) => Effect.zipRight(stillHeld, run.log.record(runId, results)),
    onResult
  })
  type Evaluation = Effect.Effect<RunOutcome, Effect.Effect.Error<typeof local> | Effect.Effect.Error<ReturnType<Distribute>>, Effect.Effect.Context<typeof local> | DistributeContext>
  const evaluation: Evaluation = run.input.distribute === undefined
    ? local
    : run.input.distribute({ runId, plan, total, source: prepared.source, skipIndex, stillHeld, onResult })
  return evaluation
}

/**
 * On interruption, write the reports for what finished and print the resume command; on failure, mark the run
 * failed.
 */
const whenStopped = (run: Running) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(
    Effect.onInterrupt(() =>
      report(run, "cancelled").pipe(
        Effect.zipRight(Console.error(`\nInterrupted: ${run.tally.finished} of ${run.total} cases finished. Resume with: assay resume ${run.runId}`)),
        Effect.catchAll((error) => Console.error(`could not write the partial reports: ${error.message}`))
      )
    ),
    Effect.tapError((error) =>
      Effect.zipRight(Effect.ignore(Effect.zipRight(run.stillHeld, run.log.finish(run.runId, "failed"))), Console.error(stoppedLine(run, error)))
    )
  )

/** What a failed run left and how to go on, printed above the error itself. */
const stoppedLine = (run: Running, error: unknown): string => {
  const tag = typeof error === "object" && error !== null && "_tag" in error ? error._tag : undefined
  const where = `run ${run.runId} stopped with ${run.tally.finished} of ${run.total} cases finished`
  const resume = `continue it with: assay resume ${run.runId}`
  if (tag === "MetricFailed" || tag === "TaskFailed") {
    return `${where}: a run stops at its first error unless --ignore-errors (record errored cases and go on) or --max-errors <n>; ${resume}`
  }
  return `${where}; ${resume}`
}

/** The closing messages: the calls made, where the results went, and why cases are unfinished (budget, deadline). */
const closingLines = (run: Running, result: RunOutcome, budget: CostBudgetApi | undefined) =>
  Effect.gen(function*() {
    const { runId } = run
    const calls = yield* run.progress.callsSummary
    if (calls !== undefined) yield* Console.log(`calls: ${calls}`)
    yield* Console.error(whereItWent(runId, run.input.outputs))
    if (budget !== undefined && result.status === "budget") {
      yield* Console.error(budgetMessage(budget.limit, (yield* budget.snapshot).spent, result.unfinished.length, runId))
    } else if (result.unfinished.length > 0) {
      yield* Console.error(`Deadline reached: ${result.unfinished.length} cases unfinished. Continue with: assay resume ${runId}`)
    }
  })

/**
 * Check the run's input, then set the run up under its target, record it, evaluate its cases into the sinks,
 * and write its reports; see the module doc. The target's layer is built once the input is checked — a bad
 * dataset is reported before a bad target — and before the run is recorded: a target without its key leaves
 * no run. It lives until the reports are written.
 */
const evaluatePlan = (input: Execution, metrics: ReadonlyArray<Metric.Metric<Judge | Embedder>>, needsJudge: boolean, runIdCell: Deferred.Deferred<string>) =>
  Effect.gen(function*() {
    const checked = yield* checkRun(input, metrics, needsJudge)
    const key = reuseKey(input, checked.fingerprints, checked.digest)
    const prior = key === undefined || input.plan.freshTask ? Option.none<string>() : yield* Effect.flatMap(RunLog, (log) => log.reusable(key))
    if (Option.isSome(prior) && key !== undefined) return yield* reuseRun(input, checked, prior.value, key, runIdCell)
    return yield* evaluateChecked(input, metrics, needsJudge, checked, key, runIdCell).pipe(Effect.provide(planTarget(input.plan)))
  })

/**
 * A run whose every case the cache would serve, as a completed run with the same key shows (`reuse.ts`): that
 * run's results are copied as cached ones — streamed from the store into the new run, the `--jsonl` file and
 * the tally — and the reports are written as for any run. Nothing is read from the dataset or the cache.
 */
const reuseRun = (input: Execution, checked: Checked, prior: string, key: string, runIdCell: Deferred.Deferred<string>) =>
  Effect.zipRight(
    Console.error(`every case is cached: reusing the results of run ${prior} (same dataset, metrics and settings); --no-cache evaluates again`),
    recordedRun(input, checked, key, runIdCell, {}, (run, onResult) =>
      priorResults(run.log, prior).pipe(
        Stream.map(asCached),
        Stream.rechunk(REUSE_BATCH),
        Stream.runForEachChunk((chunk) =>
          Effect.zipRight(
            Effect.zipRight(run.stillHeld, run.log.record(run.runId, Chunk.toReadonlyArray(chunk))),
            Effect.forEach(chunk, onResult, { discard: true })
          )
        ),
        Effect.as("completed" as const)
      ))
  )

/**
 * Record a run (or reopen the resumed one) and hold its lease; count its results in a tally, the `--jsonl`
 * file and the progress display (showing the `clients`' calls) as `body` delivers them; then write its reports,
 * mark it reusable under `key` when it qualifies, and print the closing lines. `body` evaluates the cases and
 * says how the run ended.
 */
const recordedRun = <E, R>(
  input: Execution,
  checked: Checked,
  key: string | undefined,
  runIdCell: Deferred.Deferred<string>,
  clients: { readonly judge?: Judge["Type"] | undefined; readonly target?: Target | undefined },
  body: (run: Running, onResult: (result: CaseResult) => Effect.Effect<void, SinkError>, budget: CostBudgetApi | undefined) => Effect.Effect<RunOutcome["status"], E, R>
) =>
  Effect.gen(function*() {
    const log = yield* RunLog
    const { total } = checked
    const { runId, stillHeld } = yield* openRun(input, log, checked.fingerprints, runIdCell)
    // Task outputs produced afresh replace cached ones that other runs' results stand for.
    if (key !== undefined && input.plan.freshTask) yield* log.forgetReusable
    const started = yield* Clock.currentTimeMillis
    const tally = new RunTally(total)
    const appendJsonl = yield* restoreEarlier(input, log, tally)
    const { budget, progress } = yield* meters(input, tally, total, clients.judge, clients.target)
    const run: Running = { input, log, runId, stillHeld, tally, progress, started, total, unpriced: checked.unpriced }
    const status = yield* body(run, resultSinks(progress, tally, appendJsonl), budget).pipe(progress.around, whenStopped(run))
    const result = yield* report(run, status)
    if (key !== undefined && reusableOutcome(result)) yield* Effect.ignore(log.markReusable(runId, key))
    yield* closingLines(run, result, budget)
    return result
  })

/**
 * The results of the run being reused. One that cannot be read back (a damaged batch) fails this run with a
 * reason, and every run is unmarked: the next run evaluates its cases rather than failing the same way.
 */
const priorResults = (log: RunLogApi, prior: string) =>
  Stream.catchAll(log.results(prior), (error) =>
    Stream.fromEffect(Effect.zipRight(
      Effect.ignore(log.forgetReusable),
      Effect.fail(new RunFailed({ message: `could not reuse run ${prior}: ${error.message}; the next run evaluates every case` }))
    )))

/** Results copied per run-store transaction when a run is reused. */
const REUSE_BATCH = 1024

/**
 * What each finished case goes to besides the run store: the progress display, the tally and, with `--jsonl`,
 * the file. Called once per case: composed directly rather than through a generator.
 */
const resultSinks = (progress: Progress, tally: RunTally, appendJsonl: Option.Option<(result: CaseResult) => Effect.Effect<void, SinkError>>) => {
  const counted = (result: CaseResult) => Effect.map(progress.add(result), () => tally.add(result))
  return Option.match(appendJsonl, {
    onNone: () => counted,
    onSome: (append) => (result: CaseResult) => Effect.zipRight(append(result), counted(result))
  })
}

/** Set up, record, evaluate and report a run whose input is checked. */
const evaluateChecked = (
  input: Execution,
  metrics: ReadonlyArray<Metric.Metric<Judge | Embedder>>,
  needsJudge: boolean,
  checked: Checked,
  key: string | undefined,
  runIdCell: Deferred.Deferred<string>
) =>
  Effect.gen(function*() {
    const judge = yield* Judge
    const prepared = yield* prepare(input, checked)
    const { target } = prepared
    const recording = yield* Effect.serviceOption(Recording)
    const clients = { judge: needsJudge ? judge : undefined, target }
    return yield* recordedRun(input, prepared, key, runIdCell, clients, (run, onResult, budget) =>
      stopOnFatal(
        Option.getOrUndefined(Option.map(recording, (r) => r.missed)),
        stoppingOnFatal(withBudget(withLayer(evaluation(run, metrics, prepared, onResult), input.eval?.layer), budget), judge, target)
      ).pipe(
        Effect.catchTag("ReplayMiss", (miss) => Effect.fail(new RunFailed({ message: miss.message }))),
        Effect.map((outcome) => outcome.status)
      ))
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

/** The run under its cost budget, when it has one (the judge and the target look it up per call). */
const withBudget = <A, E, R>(run: Effect.Effect<A, E, R>, budget: CostBudgetApi | undefined) =>
  budget === undefined ? run : Effect.provideService(run, CostBudget, budget)

/** The run with an Eval's layer provided; a layer that fails to build stops the run, naming its error. */
const withLayer = <A, E, R>(run: Effect.Effect<A, E, R>, layer: Layer.Layer<never, unknown> | undefined) =>
  layer === undefined ? run : Effect.provide(run, evalLayer(layer))

/**
 * An Eval's layer, its failure to build a {@link RunFailed} naming the error.
 *
 * @example
 * ```ts
 * const context = yield* Layer.build(evalLayer(loaded.eval.layer))
 * ```
 */
export const evalLayer = <A>(layer: Layer.Layer<A, unknown>): Layer.Layer<A, RunFailed> =>
  Layer.mapError(layer, (error) => new RunFailed({ message: `the eval's layer failed to build: ${describeError(error)}` }))

/**
 * The services `execute` needs from the application layer.
 *
 * @example
 * ```ts
 * const program: Effect.Effect<RunResult, unknown, ExecuteContext> = execute(execution)
 * ```
 */
export type ExecuteContext =
  | FileSystem.FileSystem
  | Path.Path
  | Terminal.Terminal
  | RunLog
  | ProviderBatches
  | HttpClient.HttpClient
  | CommandExecutor.CommandExecutor
