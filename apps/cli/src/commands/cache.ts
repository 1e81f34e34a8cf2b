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
import { Effect, Option } from "effect"
import { DurationText, fromFlag } from "../config/values.js"
import { UsageError } from "../errors.js"
import { onExistingStore, storeFlag, withExistingStore } from "../run/store-flags.js"

/** The cache's maintenance (SQL over the store), imported when a `cache` command runs. */
const admin = Effect.promise(() => import("../run/cache-admin.js")).pipe(Effect.map((module) => module.cacheAdmin))

const stats = Command.make("stats", { cache: storeFlag }, () => Effect.flatMap(admin, (a) => a.stats)).pipe(
  withExistingStore,
  Command.withDescription("Cached results per metric, responses, runs and database size")
)

const clear = Command.make(
  "clear",
  { cache: storeFlag, runs: Options.boolean("runs").pipe(Options.withDescription("also delete stored runs")) },
  ({ runs }) => Effect.flatMap(admin, (a) => a.clear(runs))
).pipe(withExistingStore, Command.withDescription("Delete every cached result and response (runs are kept unless --runs)"))

const prune = Command.make(
  "prune",
  {
    cache: storeFlag,
    olderThan: Options.text("older-than").pipe(Options.withSchema(fromFlag(DurationText)), Options.withDescription("drop entries written longer ago, e.g. 30d or 12h"), Options.optional),
    maxBytes: Options.integer("max-bytes").pipe(Options.withDescription("keep the newest entries that fit in this many bytes"), Options.optional)
  },
  ({ cache, maxBytes, olderThan }) =>
    Effect.gen(function*() {
      if (Option.isNone(olderThan) && Option.isNone(maxBytes)) {
        return yield* new UsageError({ message: "cache prune: pass --older-than <duration> and/or --max-bytes <n>" })
      }
      yield* onExistingStore(cache, Effect.flatMap(admin, (a) => a.prune(olderThan, maxBytes)))
    })
).pipe(Command.withDescription("Drop old cache entries, or shrink the cache to a size"))

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
