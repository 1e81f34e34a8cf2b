/**
 * `assay resume <run-id|latest>`: continue an interrupted run with its stored plan, evaluating only the
 * cases it had not finished; the reports cover the whole run. A run submitted with `--cluster` is resumed with
 * `--cluster <postgres-url>` (its store is the cluster's), its cases evaluated by the cluster's runners.
 *
 * @example
 * ```sh
 * assay resume latest --out results.json
 * ```
 */
import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { clusterFlags } from "../cluster/flags.js"
import { storeFlag } from "../run/store-flags.js"
import { maxCostFlag, outputFlags } from "./flags.js"

const config = {
  runId: Args.text({ name: "run-id" }).pipe(Args.withDescription("a run id, or latest")),
  cache: storeFlag,
  baseUrl: Options.text("base-url").pipe(Options.withDescription("the target's base URL again (needed when it carried credentials, which are not stored)"), Options.optional),
  maxCost: maxCostFlag,
  ...clusterFlags,
  ...outputFlags
}

/** What `resume` parsed from the command line. */
export type ResumeArgs = Command.Command.ParseConfig<typeof config>

/**
 * The `resume` command; its body is imported when it runs (see `./resume-body.ts`).
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([resumeCommand]))
 * ```
 */
export const resumeCommand = Command.make(
  "resume",
  config,
  (parsed) => Effect.flatMap(Effect.promise(() => import("./resume-body.js")), (body) => body.resume(parsed))
).pipe(Command.withDescription("Continue an interrupted run; reports cover the whole run"))
