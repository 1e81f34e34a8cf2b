/**
 * `assay runner --database-url <postgres-url>`: join a cluster and evaluate the case groups of the runs
 * submitted with `assay run --cluster` (see ../cluster/). The runner registers itself in the database, owns a
 * share of the shards (Postgres advisory locks) and runs until Ctrl-C, when it leaves and its shards move to
 * the other runners. Eval files are evaluated from the same path in the runner's own checkout of the project.
 *
 * @example
 * ```sh
 * assay runner --database-url postgres://assay@db:5432/assay --host 10.0.0.7 --port 34431
 * ```
 */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"

/** The runner itself (@effect/cluster, @effect/rpc, msgpackr), imported only when the command runs. */
const loadRunner = Effect.promise(() => import("../cluster/runner.js"))

/**
 * The `runner` command.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([runnerCommand]))
 * ```
 */
export const runnerCommand = Command.make(
  "runner",
  {
    databaseUrl: Options.redacted("database-url").pipe(Options.withDescription("the cluster's Postgres database: postgres://user:password@host:port/database")),
    host: Options.text("host").pipe(Options.withDescription("the address other runners reach this one at (default 127.0.0.1)"), Options.withDefault("127.0.0.1")),
    port: Options.integer("port").pipe(Options.withDescription("the port this runner listens on (default 34431)"), Options.withDefault(34431))
  },
  ({ databaseUrl, host, port }) => Effect.flatMap(loadRunner, (m) => m.joinCluster(databaseUrl, host, port))
).pipe(Command.withDescription("Join a cluster and evaluate the cases of runs submitted with `assay run --cluster`"))
