/**
 * `assay view [--port 4173] [--cache file | ASSAY_DATABASE_URL] [--open]`: serve the run store's runs in the
 * browser on 127.0.0.1 (see ../view/server.ts) until Ctrl-C. It prints its URL; `--open` also opens it in the
 * default browser.
 *
 * @example
 * ```sh
 * assay view --port 4173
 * ```
 */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { integerIn } from "../config/values.js"
import { UsageError } from "../errors.js"
import { valueFlag } from "./flags.js"
import { storeFlag, withExistingStore } from "../run/store-flags.js"

/** The viewer (HTTP server, HttpApi, run views), imported when the command runs: nothing else needs it. */
const loadViewer = Effect.promise(() => import("../view/launch.js"))

/** The port `assay view` listens on by default. */
const DEFAULT_PORT = 4173

const serve = (port: number, open: boolean) =>
  Effect.flatMap(loadViewer, (m) => m.launchViewer(port, open)).pipe(
    Effect.catchTag("ServeError", (e) =>
      new UsageError({ message: `cannot listen on 127.0.0.1:${port}: ${e.cause instanceof Error ? e.cause.message : String(e.cause)} (pass --port <n>)` }))
  )

/**
 * The `view` command.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([viewCommand]))
 * ```
 */
export const viewCommand = Command.make(
  "view",
  {
    port: valueFlag("port", integerIn(0, 65535), "port on 127.0.0.1, 0 for any free one (default 4173)"),
    cache: storeFlag,
    open: Options.boolean("open").pipe(Options.withDescription("open the viewer in the default browser"))
  },
  ({ open, port }) => serve(Option.getOrElse(port, () => DEFAULT_PORT), open)
).pipe(withExistingStore, Command.withDescription("Browse stored runs in the browser (a local server on 127.0.0.1)"))
