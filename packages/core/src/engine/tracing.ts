/**
 * Spans for the hot path that cost nothing when nobody collects them.
 *
 * With Effect's built-in tracer (no OpenTelemetry or DevTools layer installed) a span goes nowhere, yet
 * `Effect.withSpan` still builds it: random ids, an attribute map, a copy of the fiber's context and an exit
 * hook — a large share of a cheap call's allocation. {@link traced} checks the fiber's tracer and adds the span
 * only when one that records spans is installed (`Layer.setTracer`, `@effect/opentelemetry`, DevTools).
 *
 * Attributes carry counts, names, models, tokens, cost and scores — never a case's text or a secret.
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
 * Options of {@link traced}: fixed attributes, and attributes read from the result once it succeeded.
 *
 * @example
 * ```ts
 * const options: TraceOptions<Outcome> = { attributes: { "assay.metric.name": "bleu" }, annotate: (o) => ({ "assay.score": o.score }) }
 * ```
 * @since 0.1.0
 */
export interface TraceOptions<A> {
  readonly attributes?: Record<string, unknown>
  readonly annotate?: (value: A) => Record<string, unknown>
}

/**
 * `Effect.withSpan(name, options)` when the fiber's tracer records spans; the effect unchanged otherwise.
 * Stack capture is always off: it costs a `new Error()` per call.
 *
 * @example
 * ```ts
 * const measured = score(testCase).pipe(traced("metric.faithfulness"))
 * ```
 * @since 0.1.0
 */
export const traced = <A>(name: string, options: TraceOptions<A> = {}) =>
<E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => {
    if (tracer === builtinTracer) return self
    const annotate = options.annotate
    const body = annotate === undefined ? self : Effect.tap(self, (a) => Effect.annotateCurrentSpan(annotate(a)))
    return Effect.withSpan(body, name, { captureStackTrace: false, ...(options.attributes === undefined ? {} : { attributes: options.attributes }) })
  })

/**
 * The span attributes of a spend: GenAI semantic-convention token counts and assay's cost.
 *
 * @example
 * ```ts
 * spendAttributes(0.002, { input: 12, output: 3 }) // { "gen_ai.usage.input_tokens": 12, … }
 * ```
 * @since 0.1.0
 */
export const spendAttributes = (cost: number | undefined, tokens: { readonly input: number; readonly output: number } | undefined): Record<string, unknown> => ({
  ...(tokens === undefined ? {} : { "gen_ai.usage.input_tokens": tokens.input, "gen_ai.usage.output_tokens": tokens.output }),
  ...(cost === undefined ? {} : { "assay.cost_usd": cost })
})

/**
 * Whether the fiber's tracer records spans: read once by a run's plan, so its hot path decides per run
 * instead of per case and metric.
 *
 * @example
 * ```ts
 * const spans = yield* recordsSpans
 * ```
 */
export const recordsSpans: Effect.Effect<boolean> = Effect.tracerWith((tracer) => Effect.succeed(tracer !== builtinTracer))
