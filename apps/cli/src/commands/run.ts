/**
 * `assay run <dataset>`: evaluate a dataset with the selected metrics and report. Exit 0 when every case
 * passed (or the pass rate reached `--min-pass-rate`), 1 when some failed; errors map to 2 and 3.
 *
 * @example
 * ```sh
 * assay run examples/capitals.jsonl --config examples/assay.config.json --out results.json
 * ```
 */
import { Args, Command } from "@effect/cli"
import { Path } from "@effect/platform"
import { Console, Effect, Option } from "effect"
import { resolveConfig } from "../config/load.js"
import { isEvalTarget } from "../evals/load.js"
import { runEvalFiles } from "../evals/run.js"
import { ExitStatus } from "../exit-status.js"
import { execute } from "../run/execute.js"
import { DEFAULT_CACHE, resolvePlan, withAbsoluteRecordings } from "../run/plan.js"
import { withRunStore } from "../run/store.js"
import { withTelemetry, otelFlag } from "../telemetry/telemetry.js"
import { clusterFlags } from "../cluster/flags.js"
import { UsageError } from "../errors.js"
import { outputFlags, runFlags, toOutputs, toRunFlags } from "./flags.js"

/** The cluster client (@effect/cluster, @effect/rpc, msgpackr), imported only when `--cluster` is given. */
const loadCluster = Effect.promise(() => import("../cluster/run.js"))

/**
 * The `run` command.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([runCommand]))
 * ```
 */
export const runCommand = Command.make(
  "run",
  { dataset: Args.text({ name: "dataset" }).pipe(Args.withDescription("a .json, .jsonl or .csv file of test cases, or eval files: a *.eval.ts file, a folder or a glob")), ...runFlags, ...outputFlags, ...clusterFlags, otel: otelFlag },
  (parsed) =>
    Effect.gen(function*() {
      const path = yield* Path.Path
      const { config, file } = yield* resolveConfig(parsed.config, path.resolve("."))
      if (file !== undefined && Option.isNone(parsed.config)) yield* Console.error(`assay: using ${path.relative(".", file)}`)
      const outputs = yield* toOutputs(parsed)
      const telemetry = withTelemetry(parsed.otel, { "assay.dataset": path.basename(parsed.dataset) })
      if (isEvalTarget(parsed.dataset)) {
        if (Option.isSome(parsed.cluster)) return yield* new UsageError({ message: "--cluster runs a dataset file; eval files cannot be sharded over a cluster yet" })
        return yield* runEvalFiles(parsed.dataset, toRunFlags(parsed), outputs, config, path.resolve(".")).pipe(telemetry)
      }
      const plan = withAbsoluteRecordings(resolvePlan(path.resolve(parsed.dataset), toRunFlags(parsed), config, path.resolve(DEFAULT_CACHE)), path.resolve("."))
      const cluster = parsed.cluster
      const result = Option.isSome(cluster)
        ? yield* Effect.flatMap(loadCluster, (m) => m.runOnCluster(cluster.value, parsed.clusterLocalRunner, { plan, resume: undefined, outputs }))
        : yield* withRunStore(plan.cache ?? path.resolve(DEFAULT_CACHE), execute({ plan, resume: undefined, outputs }), { fallback: true }).pipe(telemetry)
      yield* ExitStatus.settle(result, plan.minPassRate)
    })
).pipe(Command.withDescription("Evaluate a dataset with metrics and report the results"))
