/**
 * The application's `HttpClient` (what `http://` targets post through), over undici's connection pool — which
 * is imported and opened on the first request, not at start-up: most commands (`--help`, `runs list`, a run of
 * deterministic metrics) make none, and compiling undici is a large share of the CLI's start-up.
 *
 * @example
 * ```ts
 * Layer.mergeAll(NodeContext.layer, LazyHttpClient)
 * ```
 */
import { nodeHttpClient } from "@assay/judge"
import { HttpClient, type HttpClientRequest } from "@effect/platform"
import { Context, Effect, Layer } from "effect"

/**
 * The `HttpClient` over an undici pool opened on the first request; the pool lives as long as the layer.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(LazyHttpClient))
 * ```
 */
export const LazyHttpClient: Layer.Layer<HttpClient.HttpClient> = Layer.scoped(
  HttpClient.HttpClient,
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const build = Effect.flatMap(nodeHttpClient, (m) => Layer.buildWithScope(m.layerUndici, scope))
    const client = yield* Effect.cached(Effect.map(build, (context) => Context.get(context, HttpClient.HttpClient)))
    // Only a pass-through: makeWith adds no request handling of its own, the loaded client does all of it.
    return HttpClient.makeWith(
      (request: Effect.Effect<HttpClientRequest.HttpClientRequest>) => Effect.flatMap(request, (r) => Effect.flatMap(client, (c) => c.execute(r))),
      Effect.succeed
    )
  })
)
