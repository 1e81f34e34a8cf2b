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
import { Effect } from "effect"
import { clusterFlags } from "../cluster/flags.js"
import { otelFlag } from "../telemetry/telemetry.js"
import { outputFlags, runFlags } from "./flags.js"

const config = {
  dataset: Args.text({ name: "dataset" }).pipe(Args.withDescription("a .json, .jsonl or .csv file of test cases, or eval files: a *.eval.ts file, a folder or a glob")),
  ...runFlags,
  ...outputFlags,
  ...clusterFlags,
  otel: otelFlag
}

/** What `run` parsed from the command line. */
export type RunArgs = Command.Command.ParseConfig<typeof config>

/**
 * The `run` command. Its body (config, plan, store, engine, judge) is imported when the command runs, so
 * `assay --version`, `--help` and the other commands do not load it.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([runCommand]))
 * ```
 */
export const runCommand = Command.make(
  "run",
  config,
  (parsed) => Effect.flatMap(Effect.promise(() => import("./run-body.js")), (body) => body.run(parsed))
).pipe(Command.withDescription("Evaluate a dataset with metrics and report the results"))
