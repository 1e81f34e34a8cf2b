/**
 * What `assay view` runs (see ../commands/view.ts): the viewer's server on 127.0.0.1, its URL printed and, with
 * `--open`, opened in the default browser. The command imports this module when it runs, so that the HTTP
 * server and the viewer's API stay off the start path of every other command.
 *
 * @example
 * ```ts
 * yield* launchViewer(4173, false)
 * ```
 */
import { Command as Process, HttpServer } from "@effect/platform"
import { RunViews } from "@assay/store"
import { Console, Effect, Layer } from "effect"
import { viewerServer } from "./server.js"

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

/**
 * Serve the run store's runs on 127.0.0.1:`port` until interrupted.
 *
 * @example
 * ```ts
 * launchViewer(0, true) // any free port, then open the browser
 * ```
 */
export const launchViewer = (port: number, open: boolean) =>
  Layer.launch(announce(open).pipe(Layer.provideMerge(viewerServer({ port })), Layer.provide(RunViews.Default)))
