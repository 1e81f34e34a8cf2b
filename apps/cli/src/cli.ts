/**
 * The `assay` command tree.
 *
 * @example
 * ```ts
 * import { cli } from "./cli.js"
 * cli(process.argv) // Effect<void, …, CliApp.Environment | …>
 * ```
 */
import { Command } from "@effect/cli"
import { cacheCommand } from "./commands/cache.js"
import { compareCommand, runsCommand } from "./commands/history.js"
import { metricsCommand } from "./commands/metrics.js"
import { resumeCommand } from "./commands/resume.js"
import { runCommand } from "./commands/run.js"
import { runnerCommand } from "./commands/runner.js"
import { viewCommand } from "./commands/view.js"
import { VERSION } from "./version.js"

export { VERSION } from "./version.js"

/**
 * The root command.
 *
 * @example
 * ```ts
 * Command.run(assay, { name: "assay", version: VERSION })
 * ```
 */
export const assay = Command.make("assay").pipe(
  Command.withDescription("Evaluate LLM applications: metrics, judges, caching and reports"),
  Command.withSubcommands([runCommand, resumeCommand, runsCommand, compareCommand, viewCommand, cacheCommand, metricsCommand, runnerCommand])
)

/**
 * Parse arguments and run the selected command.
 *
 * @example
 * ```ts
 * cli(["node", "assay", "metrics"])
 * ```
 */
export const cli = Command.run(assay, { name: "assay", version: VERSION })
