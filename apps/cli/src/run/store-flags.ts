/**
 * The run store as commands that read it name it: the `--cache` flag, and running a command against the store
 * it (or `ASSAY_DATABASE_URL`) names, which must exist. The store's module (SQLite or Postgres through
 * @effect/sql) is imported only when a command opens the store.
 *
 * @example
 * ```ts
 * Command.make("stats", { cache: storeFlag }, () => body).pipe(withExistingStore)
 * ```
 */
import { Command, Options } from "@effect/cli"
import { Path } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { DEFAULT_CACHE } from "./plan.js"

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
const loadStore = Effect.promise(() => import("./store.js"))

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
