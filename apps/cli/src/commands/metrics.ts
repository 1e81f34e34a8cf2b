/**
 * `assay metrics`: every metric id with its description, the test-case fields it needs, whether it needs a judge,
 * and its parameters (from the factories' paramsDoc).
 *
 * @example
 * ```sh
 * assay metrics
 * ```
 */
import { Command } from "@effect/cli"
import { Console, Effect } from "effect"

/**
 * The `metrics` command; the catalog (every metric's factory) is imported when it runs.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([metricsCommand]))
 * ```
 */
export const metricsCommand = Command.make("metrics", {}, () =>
  Effect.flatMap(Effect.promise(() => import("./metrics-text.js")), (text) => Console.log(text.metricsText()))).pipe(
  Command.withDescription("List every metric id with its parameters")
)
