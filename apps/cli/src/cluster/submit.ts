/**
 * The submitting side of `assay run --cluster`: the run's cases are cut into groups of consecutive cases (the
 * stable key of a group is its run and first index) and every group is sent at once as a persisted
 * `CaseGroup/Evaluate` request, so the groups' shards — hence the work — spread over every registered runner
 * from the start. When a group's reply arrives its results are read back from the run store (what the runners
 * committed, exactly once) and handed to this process's sinks: progress, `--jsonl`, the summary.
 *
 * @example
 * ```ts
 * execute({ plan, resume: undefined, outputs, distribute: distributeOverCluster(clusterLayer(url, undefined)) })
 * ```
 */
import { type CaseResult, SummaryAccumulator, type TestCase } from "@assay/core"
import { ClaimedResults } from "@assay/store"
import type { Sharding } from "@effect/cluster"
import { Console, Effect, Layer, Stream } from "effect"
import { RunFailed, type UsageError } from "../errors.js"
import type { Distribute, DistributeContext } from "../run/execute.js"
import { CaseGroup, groupId } from "./entity.js"

/** Groups per run the size aims at: enough to spread over many runners, few enough to keep requests cheap. */
const TARGET_GROUPS = 128
/** Groups whose results are read back from the store at once (fewer than the pool's connections). */
const READERS = 4
/** Cases per group at most (a group's cases travel in one stored request). */
const MAX_GROUP = 200

/**
 * Cases per group for a run of `total` cases.
 *
 * @example
 * ```ts
 * groupSize(60) // 1
 * groupSize(20_000) // 157
 * ```
 */
export const groupSize = (total: number): number => Math.max(1, Math.min(MAX_GROUP, Math.ceil(total / TARGET_GROUPS)))

/** How many cases each runner stored, for the closing line. */
const spreadLine = (byRunner: ReadonlyMap<string, number>): string =>
  `cluster: ${[...byRunner.values()].reduce((a, b) => a + b, 0)} cases on ${byRunner.size} runner(s): ` +
  [...byRunner].sort(([a], [b]) => a.localeCompare(b)).map(([runner, n]) => `${runner} ${n}`).join(", ")

/**
 * A {@link Distribute} over the cluster: `sharding` is the submitter's `Sharding` layer (a client, or a
 * runner with `--cluster-local-runner`), built for the run and closed after it.
 *
 * @example
 * ```ts
 * distributeOverCluster(clusterLayer(url, undefined))
 * ```
 */
export const distributeOverCluster = (sharding: Layer.Layer<Sharding.Sharding, UsageError, ClaimedResults | DistributeContext>): Distribute => (run) =>
  Effect.gen(function*() {
    const claims = yield* ClaimedResults
    const client = yield* CaseGroup.client
    const size = groupSize(run.total)
    // Every group is in flight at once, but reading their results back shares the store's connection pool.
    const reading = yield* Effect.makeSemaphore(READERS)
    const summary = SummaryAccumulator.empty()
    const byRunner = new Map<string, number>()
    const deliver = (result: CaseResult) =>
      Effect.suspend(() => {
        summary.add(result)
        const runner = result.runner ?? "(local)"
        byRunner.set(runner, (byRunner.get(runner) ?? 0) + 1)
        return run.skipIndex(result.index) ? Effect.void : run.onResult(result)
      })
    const sendGroup = (cases: ReadonlyArray<TestCase>, start: number) =>
      Effect.gen(function*() {
        if (cases.every((_, i) => run.skipIndex(start + i))) return
        yield* run.stillHeld
        yield* client(groupId(run.runId, start)).Evaluate({ runId: run.runId, start, cases }).pipe(
          Effect.catchAll((error) => new RunFailed({ message: `case group ${start}–${start + cases.length - 1}: ${error.message}` }))
        )
        const results = yield* reading.withPermits(1)(claims.resultsIn(run.runId, start, start + cases.length)).pipe(
          Effect.mapError((e) => new RunFailed({ message: e.message }))
        )
        yield* Effect.forEach(results, deliver, { discard: true })
      })
    yield* run.source.pipe(
      Stream.grouped(size),
      Stream.zipWithIndex,
      // Every group in flight at once: their shards are spread over all runners, each of which bounds its own work.
      Stream.mapEffect(([group, n]) => sendGroup([...group], n * size), { concurrency: "unbounded" }),
      Stream.runDrain
    )
    if (byRunner.size > 0) yield* Console.error(spreadLine(byRunner))
    return { runId: run.runId, identifier: run.plan.identifier, status: "completed" as const, summary: summary.summary(0), unfinished: [] }
  }).pipe(Effect.provide(Layer.provideMerge(sharding, ClaimedResults.Default)))
