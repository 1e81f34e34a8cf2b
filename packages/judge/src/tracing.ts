/**
 * Spans for the judge's hot path that cost nothing when nobody collects them.
 *
 * With Effect's built-in tracer (no OpenTelemetry or DevTools layer installed) a span goes nowhere, yet
 * `Effect.withSpan` still builds it: random trace and span ids, an attribute map, a copy of the fiber's
 * context to make it the parent, and an exit hook. On a judge call that was ~17 KB of allocation — a third of
 * the call's total, measured with V8's sampling heap profiler over 6,000 calls — and the garbage collector's
 * pauses delay every call in flight. {@link traced} checks the fiber's tracer and adds the span only when one
 * that records spans is installed (`Layer.setTracer`, `@effect/opentelemetry`, DevTools), so traced runs see
 * exactly the spans they saw before.
 *
 * @example
 * ```ts
 * const call = provider.complete(request).pipe(traced("judge.chat", { attributes: { model } }))
 * ```
 */
import { Context, DefaultServices, Effect, Tracer } from "effect"

/** The tracer every fiber has unless a layer replaces it: Effect's built-in one, which exports nothing. */
const builtinTracer: Tracer.Tracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * `Effect.withSpan(name, options)` when the fiber's tracer records spans; the effect unchanged otherwise.
 * Stack capture is always off: it costs a `new Error()` per call.
 *
 * @example
 * ```ts
 * const measured = score(testCase).pipe(traced("metric.faithfulness"))
 * ```
 */
export const traced = (name: string, options: { readonly attributes?: Record<string, unknown> } = {}) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const spanOptions = { ...options, captureStackTrace: false }
  return Effect.tracerWith((tracer) => (tracer === builtinTracer ? self : Effect.withSpan(self, name, spanOptions)))
}
