/**
 * `@effect/platform-node`'s NodeHttpClient module, imported when a client is first built rather than when this
 * package is: it loads undici (a large module to compile), which a program that never calls a model
 * does not need — `assay --help` or a run of deterministic metrics start without it.
 *
 * @example
 * ```ts
 * const layer = Layer.unwrapEffect(Effect.map(nodeHttpClient, (m) => m.layerUndici))
 * ```
 */
import type * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Layer } from "effect"

let loading: Promise<typeof NodeHttpClient> | undefined

/**
 * The module, loaded once per process.
 *
 * @example
 * ```ts
 * Effect.flatMap(nodeHttpClient, (m) => m.Dispatcher)
 * ```
 * @since 0.1.0
 */
export const nodeHttpClient: Effect.Effect<typeof NodeHttpClient> = Effect.promise(() => (loading ??= import("@effect/platform-node/NodeHttpClient")))

/**
 * One undici connection pool, as an `HttpClient` and as the `Dispatcher` underneath it (the openai-compatible
 * provider posts on the dispatcher directly).
 *
 * @example
 * ```ts
 * OpenAiCompatible.layer(options).pipe(Layer.provide(undiciLayer))
 * ```
 * @since 0.1.0
 */
export const undiciLayer = Layer.unwrapEffect(
  Effect.map(nodeHttpClient, (m) => m.layerUndiciWithoutDispatcher.pipe(Layer.provideMerge(m.dispatcherLayer)))
)
