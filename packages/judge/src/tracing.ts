/**
 * Spans that cost nothing when nobody collects them: @assay/core's {@link traced}, re-exported where the judge
 * has always offered it.
 *
 * @example
 * ```ts
 * const call = provider.complete(request).pipe(traced("judge.chat", { attributes: { model } }))
 * ```
 */
export { spendAttributes, traced, type TraceOptions } from "@assay/core"
