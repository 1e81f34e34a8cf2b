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
import { Command as Process, HttpServer } from "@effect/platform"
import { RunViews } from "@assay/store"
import { Console, Effect, Layer, Option } from "effect"
import { integerIn } from "../config/values.js"
import { UsageError } from "../errors.js"
import { valueFlag } from "./flags.js"
import { onExistingStore, storeFlag } from "./resume.js"

/** The viewer's server, imported when the command runs: @effect/platform-node's HTTP server loads undici. */
const lazyServer = (port: number) => Layer.unwrapEffect(Effect.map(Effect.promise(() => import("../view/server.js")), (m) => m.viewerServer({ port })))

/** The port `assay view` listens on by default. */
const DEFAULT_PORT = 4173

/** The program that opens a URL in the default browser on this platform. */
const opener = (url: string) =>
  process.platform === "darwin"
    ? Process.make("open", url)
    : process.platform === "win32"
    ? Process.make("cmd", "/c", "start", "", url)
    : Process.make("xdg-open", url)

/** Print the URL once listening; with `open`, open it (a failure to open is only a warning). */
const announce = (open: boolean) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const url = server.address._tag === "TcpAddress" ? `http://${server.address.hostname}:${server.address.port}/` : "(unknown address)"
    yield* Console.log(`assay view: ${url}  (Ctrl-C to stop)`)
    if (open) {
      yield* Process.exitCode(opener(url)).pipe(
        Effect.filterOrFail((code) => code === 0),
        Effect.catchAll(() => Console.error(`warning: could not open a browser; open ${url} yourself`))
      )
    }
  }))

const serve = (port: number, open: boolean) =>
  Layer.launch(announce(open).pipe(Layer.provideMerge(lazyServer(port)), Layer.provide(RunViews.Default))).pipe(
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
  ({ cache, open, port }) => onExistingStore(cache, serve(Option.getOrElse(port, () => DEFAULT_PORT), open))
).pipe(Command.withDescription("Browse stored runs in the browser (a local server on 127.0.0.1)"))
