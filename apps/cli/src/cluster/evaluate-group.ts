/**
 * The runner's side of a sharded run: the `CaseGroup` entity's handler. For each run it is asked about it
 * builds, once, what the run needs — the stored plan's metrics, judge, caches and target as on one machine, whose
 * calls share the cluster's `--rpm`/`--tpm` budget (`rate-limit.ts`) and, with an explicit `--max-connections`,
 * its connections (`connections.ts`), or an eval file's Eval loaded again with its layer built; a keyed
 * resource released after a minute without groups — and evaluates each group it receives: the group's cases not yet
 * stored (a redelivered group skips what its first runner committed), with the run's `--concurrency`, every
 * batch of results committed exactly once with this runner's name (`ClaimedResults`). A group takes as many
 * of the run's `--concurrency` permits as it evaluates cases at once, so `--concurrency` bounds the cases in
 * flight per runner however many groups it holds.
 *
 * @example
 * ```ts
 * Layer.launch(caseGroupHandlers("10.0.0.7:34431").pipe(Layer.provide(clusterLayer(url, address))))
 * ```
 */
import { type EvalCache, evaluateToSinks, type Metric, SinkError, type Task, type TaskCache } from "@assay/core"
import { type Embedder, type Judge, Offline } from "@assay/judge"
import { ClaimedResults } from "@assay/store"
import { Context, Deferred, Effect, Layer, Option, RcMap } from "effect"
import { describeError, UsageError } from "../errors.js"
import { isEvalRun } from "../evals/load.js"
import { evalSource, loadEvalRun } from "../evals/run.js"
import { batchJournalLayer } from "../run/batch.js"
import { evalLayer, flagMetrics, planTarget, targetTask } from "../run/execute.js"
import { type RunPlan, toEvalOptions } from "../run/plan.js"
import { RunLog } from "../run/run-log.js"
import { recordingFor, runServices } from "../run/services.js"
import { RunTarget } from "../run/target.js"
import { sharedConnectionsLayer } from "./connections.js"
import { CaseGroup, type Evaluate, GroupFailed } from "./entity.js"
import { sharedRateLimitLayer } from "./rate-limit.js"

/** What a runner keeps for one run while it evaluates its groups. */
interface RunContext {
  readonly plan: RunPlan
  readonly metrics: ReadonlyArray<Metric.Metric<Judge | Embedder>>
  readonly task: Task | undefined
  readonly services: Context.Context<Judge | Embedder | EvalCache | TaskCache>
  /** Permits for the run's `--concurrency`: the cases in flight on this runner, whatever the groups. */
  readonly inFlight: Effect.Semaphore
}

/**
 * What a run's judge, target and eval layer share on this runner, as on one machine (`execute`): the network
 * policy, the batch journal, a `--replay` recording (read from the same path on every runner), and the
 * cluster's shared `--rpm`/`--tpm` budget and, with an explicit `--max-connections`, its shared connections.
 */
const runnerShared = (plan: RunPlan, runId: string, runner: string) =>
  Effect.gen(function*() {
    if (plan.record !== null) {
      return yield* new UsageError({ message: `run ${runId}: --record is not supported on a cluster (each runner would write its own file)` })
    }
    const known = yield* Deferred.make<string>()
    yield* Deferred.succeed(known, runId)
    const recording = recordingFor(plan, true)
    const maxConnections = plan.calls.maxConnections
    return Layer.mergeAll(
      Layer.succeed(Offline, plan.offline),
      batchJournalLayer(known),
      sharedRateLimitLayer,
      ...(maxConnections === undefined ? [] : [sharedConnectionsLayer(maxConnections, runner)]),
      ...(recording === undefined ? [] : [recording])
    )
  })

/** Build a run's context from its stored plan (scoped: its judge and caches live as long as the context). */
const runContext = (runner: string) => (runId: string) =>
  Effect.gen(function*() {
    const info = yield* Effect.flatMap(RunLog, (log) => log.info(runId))
    const plan = info.plan
    const shared = Layer.succeedContext(yield* Layer.build(yield* runnerShared(plan, runId, runner)))
    const own = isEvalRun(plan.dataset) ? yield* Effect.provide(evalParts(plan), shared) : undefined
    const { embedded, judged, metrics } = yield* flagMetrics(plan, own?.metrics ?? [])
    const services = yield* Layer.build(runServices(plan, judged, embedded).pipe(Layer.provide(shared)))
    const target = Context.get(yield* Layer.build(planTarget(plan).pipe(Layer.provide(shared))), RunTarget)
    const task = own?.task ?? Option.getOrUndefined(Option.map(target, (t) => targetTask(plan, t)))
    return {
      plan,
      metrics: [...(own?.metrics ?? []), ...metrics],
      task,
      services: own === undefined ? services : Context.merge(services, own.context),
      inFlight: yield* Effect.makeSemaphore(plan.concurrency)
    } satisfies RunContext
  })

/**
 * An eval file's run: its Eval loaded again from the stored path (a cluster runs one version of the project,
 * checked out at the same path on every machine), its layer built once for the run.
 */
const evalParts = (plan: RunPlan) =>
  Effect.gen(function*() {
    const cwd = process.cwd()
    const loaded = yield* loadEvalRun(plan.dataset, cwd)
    const { layer, metrics, task } = evalSource(loaded, plan, cwd)
    const context = layer === undefined ? Context.empty() : yield* Layer.build(evalLayer(layer))
    return { metrics: metrics as ReadonlyArray<Metric.Metric<never>>, task, context }
  })

/** Evaluate one group's unstored cases and commit their results under `runner`. */
const evaluateGroup = (runner: string, context: RunContext, payload: typeof Evaluate.payloadSchema.Type) =>
  Effect.gen(function*() {
    const { cases, runId, start } = payload
    const claims = yield* ClaimedResults
    let evaluated = 0
    // The run's deadline is the submitter's to enforce; a group has none of its own.
    const { deadline: _deadline, ...options } = toEvalOptions(context.plan)
    const width = Math.max(1, Math.min(cases.length, context.plan.concurrency))
    const evaluate = (stored: ReadonlySet<number>) =>
      evaluateToSinks(cases, context.metrics, {
        ...options,
        concurrency: width,
        ...(context.task === undefined ? {} : { task: context.task }),
        runId,
        skipIndex: (i) => stored.has(start + i),
        onResults: (results) =>
          claims.commit(runId, runner, results.map((r) => ({ ...r, index: start + r.index, runner }))).pipe(
            Effect.map((kept) => void (evaluated += kept.length)),
            Effect.mapError((e) => new SinkError({ sink: "run-store", message: e.message }))
          )
      }).pipe(Effect.provide(context.services), Effect.as(stored))
    // Read what is stored inside the permits: groups waiting for them hold no database connection either.
    const stored = yield* context.inFlight.withPermits(width)(Effect.flatMap(claims.claimedIn(runId, start, start + cases.length), evaluate))
    return { runner, evaluated, reused: stored.size }
  })

/**
 * The `CaseGroup` handlers of a runner named `runner`.
 *
 * @example
 * ```ts
 * caseGroupHandlers("127.0.0.1:34431") // Layer<never, never, Sharding | RunLog | ClaimedResults | …>
 * ```
 */
export const caseGroupHandlers = (runner: string) =>
  // The run contexts are made once per runner, outside the entity: an entity's build runs once per entity
  // instance (here: per case group), and a context per group would give each group its own judge, target
  // and `--concurrency` permits — no bound on the cases in flight on the runner.
  Layer.unwrapScoped(Effect.map(RcMap.make({ lookup: runContext(runner), idleTimeToLive: "1 minute" }), (contexts) =>
    CaseGroup.toLayer(CaseGroup.of({
      Evaluate: ({ payload }) =>
        RcMap.get(contexts, payload.runId).pipe(
          Effect.flatMap((context) => evaluateGroup(runner, context, payload)),
          Effect.scoped,
          Effect.mapError((error) => (error instanceof GroupFailed ? error : new GroupFailed({ message: describeError(error) })))
        )
    }))))
