/**
 * The body of `assay resume`: the stored run's plan (its target's base URL given again when it carried
 * credentials), its unfinished cases evaluated — here, or with `--cluster` by the cluster's runners — an eval
 * file's run handed to the unbundled CLI. Imported by the `resume` command when it runs.
 *
 * @example
 * ```ts
 * yield* resume(parsed)
 * ```
 */
import { Path } from "@effect/platform"
import { Effect, Option } from "effect"
import type { TargetConfig } from "../config/schema.js"
import { UsageError } from "../errors.js"
import { ExitStatus } from "../exit-status.js"
import { type Distribute, execute } from "../run/execute.js"
import { bundledEntry, handOff } from "../evals/handoff.js"
import { isEvalRun } from "../evals/load.js"
import { evalSource, loadEvalRun } from "../evals/run.js"
import { DEFAULT_CACHE } from "../run/plan.js"
import { RunLog } from "../run/run-log.js"
import { withRunStore } from "../run/store.js"
import type { Outputs } from "../run/outputs.js"
import { toOutputs } from "./flags.js"
import type { ResumeArgs } from "./resume.js"
import { loadCluster } from "../cluster/load.js"

/**
 * The target of a resumed run: `--base-url` replaces the stored base URL, which must be given again when the
 * stored one had its credentials removed (the run store never keeps them).
 */
const resumedTarget = (runId: string, target: TargetConfig | null, baseUrl: Option.Option<string>) => {
  if (target === null || Option.isNone(baseUrl)) {
    return target?.baseUrl?.includes("<redacted>@")
      ? Effect.fail(new UsageError({ message: `run ${runId}'s target base URL carried credentials, which are not stored: resume with --base-url <url>` }))
      : Effect.succeed(target)
  }
  return Effect.succeed({ ...target, baseUrl: baseUrl.value })
}

/**
 * Resume the run `resume` parsed: from the run store `--cache` names, or with `--cluster` from the cluster's
 * Postgres, its unfinished cases evaluated by the cluster's runners.
 *
 * @example
 * ```ts
 * resume(parsed) // Effect<void, …>
 * ```
 */
export const resume = (parsed: ResumeArgs) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const outputs = yield* toOutputs(parsed)
    const cluster = parsed.cluster
    const resumed = Option.isSome(cluster)
      ? yield* Effect.flatMap(loadCluster, (m) => m.onCluster(cluster.value, parsed.clusterLocalRunner, (distribute) => resumeStored(parsed, outputs, distribute)))
      : yield* withRunStore(path.resolve(Option.getOrElse(parsed.cache, () => DEFAULT_CACHE)), resumeStored(parsed, outputs, undefined))
    if ("handOff" in resumed) return yield* handOff(process.argv.slice(2), resumed.handOff)
    yield* ExitStatus.settle(resumed.result, resumed.plan.minPassRate)
  })

/** Read the run from the store in context and execute what it did not finish (`distribute`: on a cluster). */
const resumeStored = (parsed: ResumeArgs, outputs: Outputs, distribute: Distribute | undefined) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const info = yield* Effect.flatMap(RunLog, (log) => log.info(parsed.runId))
    const evalRun = isEvalRun(info.plan.dataset)
    // An eval file's run continues on the unbundled CLI, once this process has closed the store.
    if (evalRun && bundledEntry !== undefined) return { handOff: bundledEntry } as const
    const target = yield* resumedTarget(info.runId, info.plan.target, parsed.baseUrl)
    const plan = {
      ...info.plan,
      target,
      ...Option.match(parsed.minPassRate, { onNone: () => ({}), onSome: (minPassRate) => ({ minPassRate }) }),
      // A run stopped by its budget continues with a higher one: the whole run's limit, earlier spend included.
      ...Option.match(parsed.maxCost, { onNone: () => ({}), onSome: (maxCost) => ({ maxCost }) })
    }
    const source = evalRun ? evalSource(yield* loadEvalRun(plan.dataset, path.resolve(".")), plan, path.resolve(".")) : undefined
    const result = yield* execute({ plan, resume: info.runId, outputs, eval: source, distribute })
    return { plan, result }
  })
