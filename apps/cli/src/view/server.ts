/**
 * The `assay view` server: the JSON API (./api.ts), the live progress stream (./live.ts), the front end's
 * assets and its page on every page route, on @effect/platform's HttpServer bound to 127.0.0.1 only.
 * Requests whose Host is not this loopback address are refused (403), so a web page cannot reach the store
 * through DNS rebinding.
 *
 * @example
 * ```ts
 * Layer.launch(viewerServer({ port: 4173 })) // with RunViews and RunStore provided
 * ```
 */
import { HttpLayerRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer" // not the index, which loads undici
import { Effect, Layer } from "effect"
import { createServer } from "node:http"
import { ViewerApi } from "./api.js"
import { loadViewerAssets, servedPage } from "./assets.js"
import { ViewerHandlers } from "./handlers.js"
import { LiveRoute } from "./live.js"

/** The loopback address the viewer listens on. */
export const HOST = "127.0.0.1"

const PAGE_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"

/** The front end's files and its page on the client-side routes. */
const PageRoutes = HttpLayerRouter.use((router) =>
  Effect.gen(function*() {
    const assets = yield* loadViewerAssets
    const file = (body: string, contentType: string) =>
      HttpServerResponse.text(body, { contentType, headers: { "cache-control": "no-cache", "x-content-type-options": "nosniff" } })
    yield* router.add("GET", "/assets/app.js", file(assets.script, "text/javascript; charset=utf-8"))
    yield* router.add("GET", "/assets/app.css", file(assets.css, "text/css; charset=utf-8"))
    const page = HttpServerResponse.text(servedPage(), {
      contentType: "text/html; charset=utf-8",
      headers: { "content-security-policy": PAGE_POLICY, "cache-control": "no-cache", "x-content-type-options": "nosniff" }
    })
    for (const route of ["/", "/runs/*", "/compare/*"] as const) yield* router.add("GET", route, page)
  }))

/** Refuse requests addressed to another host name (DNS rebinding). */
const HostCheck = HttpLayerRouter.middleware(
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const allowed = new Set([`${HOST}:${port}`, `localhost:${port}`])
    return (app) =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        allowed.has(request.headers["host"] ?? "")
          ? app
          : Effect.succeed(HttpServerResponse.text(`assay view answers requests to ${HOST}:${port} only`, { status: 403 })))
  }),
  { global: true }
)

/**
 * The whole server on `127.0.0.1:port` (port 0: any free port; read it from `HttpServer`).
 *
 * @example
 * ```ts
 * viewerServer({ port: 0 }).pipe(Layer.provide(RunViews.Default))
 * ```
 */
export const viewerServer = (options: { readonly port: number }) => {
  const routes = Layer.mergeAll(
    HttpLayerRouter.addHttpApi(ViewerApi).pipe(Layer.provide(ViewerHandlers)),
    LiveRoute,
    PageRoutes,
    HostCheck
  )
  return HttpLayerRouter.serve(routes, { disableListenLog: true, disableLogger: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { host: HOST, port: options.port }))
  )
}
