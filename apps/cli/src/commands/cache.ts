/**
 * `assay cache stats|clear|prune`: inspect and trim the evaluation cache in the SQLite database.
 *
 * @example
 * ```sh
 * assay cache stats
 * assay cache prune --older-than 30d
 * ```
 */
import { Command, Options } from "@effect/cli"
import { Path } from "@effect/platform"
import { Effect, Option } from "effect"
import { DurationText, fromFlag } from "../config/values.js"
import { DEFAULT_CACHE } from "../run/plan.js"
import { cacheAdmin } from "../run/cache-admin.js"
import { storeFlag } from "./resume.js"

const dbPath = (cache: Option.Option<string>) =>
  Effect.map(Path.Path, (path) => path.resolve(Option.getOrElse(cache, () => DEFAULT_CACHE)))

const stats = Command.make("stats", { cache: storeFlag }, ({ cache }) =>
  Effect.flatMap(dbPath(cache), (db) => cacheAdmin.stats(db))).pipe(Command.withDescription("Entries per metric and database size"))

const clear = Command.make("clear", { cache: storeFlag }, ({ cache }) =>
  Effect.flatMap(dbPath(cache), (db) => cacheAdmin.clear(db))).pipe(Command.withDescription("Delete every cached result"))

const prune = Command.make(
  "prune",
  {
    cache: storeFlag,
    olderThan: Options.text("older-than").pipe(Options.withSchema(fromFlag(DurationText)), Options.withDescription("drop entries not used for this long, e.g. 30d"), Options.optional)
  },
  ({ cache, olderThan }) => Effect.flatMap(dbPath(cache), (db) => cacheAdmin.prune(db, olderThan))
).pipe(Command.withDescription("Drop cache entries not used recently"))

/**
 * The `cache` command group.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([cacheCommand]))
 * ```
 */
export const cacheCommand = Command.make("cache").pipe(
  Command.withDescription("Inspect or trim the evaluation cache"),
  Command.withSubcommands([stats, clear, prune])
)
