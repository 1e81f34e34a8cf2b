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
import { Path } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { DEFAULT_CACHE } from "../run/plan.js"
import { clusterFlags } from "../cluster/flags.js"
import { maxCostFlag, outputFlags } from "./flags.js"

/**
 * `--cache` for commands that read the run store.
 *
 * @example
 * ```ts
 * Command.make("list", { cache: storeFlag }, ({ cache }) => Console.log(cache))
 * ```
 */
export const storeFlag = Options.text("cache").pipe(
  Options.withDescription("SQLite cache and run store (default .assay/assay.db)"),
  Options.optional
)

/** The run store's module (SQLite or Postgres through @effect/sql), imported when a command opens the store. */
const loadStore = Effect.promise(() => import("../run/store.js"))

/**
 * Run a command body against the store that `--cache` (or `ASSAY_DATABASE_URL`) names, which must exist (else
 * `ifMissing` runs, or the command fails naming the path).
 *
 * @example
 * ```ts
 * onExistingStore(Option.none(), Effect.flatMap(RunLog, (log) => log.list))
 * ```
 */
export const onExistingStore = <A, E, R>(cache: Option.Option<string>, body: Effect.Effect<A, E, R>, ifMissing?: Effect.Effect<A>) =>
  Effect.flatMap(Effect.zip(Path.Path, loadStore), ([path, { withRunStore }]) =>
    withRunStore(path.resolve(Option.getOrElse(cache, () => DEFAULT_CACHE)), body, { existing: true, ...(ifMissing ? { ifMissing } : {}) }))

/**
 * The store `--cache` (or `ASSAY_DATABASE_URL`) names, which must exist (else the command fails naming the
 * path), as a layer; the store's module is imported when the layer is built.
 *
 * @example
 * ```ts
 * Effect.provide(Effect.flatMap(RunLog, (log) => log.list), existingStore(Option.none()))
 * ```
 */
export const existingStore = (cache: Option.Option<string>) =>
  Layer.unwrapEffect(Effect.map(Effect.zip(Path.Path, loadStore), ([path, { runStoreLayer }]) =>
    runStoreLayer(path.resolve(Option.getOrElse(cache, () => DEFAULT_CACHE)), { existing: true })))

/**
 * A command whose `--cache` flag alone names its store: `Command.provide` builds {@link existingStore} from the
 * parsed flag before the body runs, so the body just uses the store's services.
 *
 * @example
 * ```ts
 * Command.make("stats", { cache: storeFlag }, () => body).pipe(withExistingStore)
 * ```
 */
export const withExistingStore = <Name extends string, R, E, A extends { readonly cache: Option.Option<string> }>(command: Command.Command<Name, R, E, A>) =>
  Command.provide(command, (flags) => existingStore(flags.cache))

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
