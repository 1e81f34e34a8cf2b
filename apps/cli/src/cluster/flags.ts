/**
 * The flags of `assay run` for a cluster, apart from the code that runs on one (./run.ts), which the command
 * loads only when `--cluster` is given.
 *
 * @example
 * ```ts
 * Command.make("run", { ...runFlags, ...clusterFlags }, handler)
 * ```
 */
import { Options } from "@effect/cli"

/**
 * The flags of `assay run` for a cluster.
 *
 * @example
 * ```ts
 * Command.make("run", { ...runFlags, ...clusterFlags }, handler)
 * ```
 */
export const clusterFlags = {
  cluster: Options.redacted("cluster").pipe(
    Options.withDescription("evaluate the cases on the cluster of `assay runner`s whose Postgres database this is"),
    Options.optional
  ),
  clusterLocalRunner: Options.boolean("cluster-local-runner").pipe(Options.withDescription("with --cluster: evaluate cases in this process too"))
}
