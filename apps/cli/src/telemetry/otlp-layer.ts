/**
 * The OTLP/HTTP trace exporter (JSON), loaded only when telemetry is on: @effect/opentelemetry's own OTLP
 * tracer, which needs no OpenTelemetry SDK. Deep imports keep the SDK-backed modules of the package out.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(otlpLayer("http://127.0.0.1:4318")))
 * ```
 */
import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import { FetchHttpClient } from "@effect/platform"
import { Layer } from "effect"

/**
 * A tracer that batches spans to `${endpoint}/v1/traces` and flushes them when its scope closes.
 *
 * @example
 * ```ts
 * otlpLayer("http://127.0.0.1:4318") // posts to http://127.0.0.1:4318/v1/traces
 * ```
 */
export const otlpLayer = (endpoint: string): Layer.Layer<never> =>
  OtlpTracer.layer({
    url: `${endpoint.replace(/\/+$/, "")}/v1/traces`,
    resource: { serviceName: "assay" },
    exportInterval: "1 second"
  }).pipe(Layer.provide(OtlpSerialization.layerJson), Layer.provide(FetchHttpClient.layer))
