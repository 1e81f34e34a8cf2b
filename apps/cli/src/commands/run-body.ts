/**
 * The body of `assay run`: resolve the config and the plan, then run the eval files or the dataset (on the
 * run store, or over a cluster), and settle the exit status. Imported by {@link runCommand} when it runs.
 *
 * @example
 * ```ts
 * yield* run(parsed)
 * ```
 */
import { Path } from "@effect/platform"
import { Console, Effect, Option } from "effect"
import { resolveConfig } from "../config/load.js"
import { isEvalTarget } from "../evals/load.js"
import { runEvalFiles } from "../evals/run.js"
import { ExitStatus } from "../exit-status.js"
import { execute } from "../run/execute.js"
import { DEFAULT_CACHE, resolvePlan, withAbsoluteRecordings } from "../run/plan.js"
import { withRunStore } from "../run/store.js"
import { withTelemetry } from "../telemetry/telemetry.js"
import { toOutputs, toRunFlags } from "./flags.js"
import type { RunArgs } from "./run.js"
import { loadCluster } from "../cluster/load.js"

/**
 * Run what `run` parsed.
 *
 * @example
 * ```ts
 * run(parsed) // Effect<void, …>
 * ```
 */
export const run = (parsed: RunArgs) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const { config, file } = yield* resolveConfig(parsed.config, path.resolve("."))
    if (file !== undefined && Option.isNone(parsed.config)) yield* Console.error(`assay: using ${path.relative(".", file)}`)
    const outputs = yield* toOutputs(parsed)
    const telemetry = withTelemetry(parsed.otel, { "assay.dataset": path.basename(parsed.dataset) })
    if (isEvalTarget(parsed.dataset)) {
      const cluster = Option.map(parsed.cluster, (url) => ({ url, localRunner: parsed.clusterLocalRunner }))
      return yield* runEvalFiles(parsed.dataset, toRunFlags(parsed), outputs, config, path.resolve("."), Option.getOrUndefined(cluster)).pipe(telemetry)
    }
    const plan = withAbsoluteRecordings(resolvePlan(path.resolve(parsed.dataset), toRunFlags(parsed), config, path.resolve(DEFAULT_CACHE)), path.resolve("."))
    const cluster = parsed.cluster
    const result = Option.isSome(cluster)
      ? yield* Effect.flatMap(loadCluster, (m) => m.runOnCluster(cluster.value, parsed.clusterLocalRunner, { plan, resume: undefined, outputs }))
      : yield* withRunStore(plan.cache ?? path.resolve(DEFAULT_CACHE), execute({ plan, resume: undefined, outputs }), { fallback: true }).pipe(telemetry)
    yield* ExitStatus.settle(result, plan.minPassRate)
  })
