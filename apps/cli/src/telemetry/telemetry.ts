/**
 * OpenTelemetry for `assay run`: with `--otel <url>` or `OTEL_EXPORTER_OTLP_ENDPOINT` set, the run is traced —
 * a span per run, case, task call, metric and judge call (names, models, tokens, cost, scores; never a case's
 * text or a secret) exported over OTLP/HTTP. Unset, the exporter module is never loaded and the engine's
 * spans are skipped altogether (see @assay/core's `traced`).
 *
 * @example
 * ```ts
 * execute(plan).pipe(withTelemetry(parsed.otel, { "assay.dataset": "cases.jsonl" }))
 * ```
 */
import { Options } from "@effect/cli"
import { traced } from "@assay/core"
import { Config, Effect, Option } from "effect"

/**
 * `--otel <url>`: the OTLP/HTTP endpoint (base URL, e.g. http://127.0.0.1:4318); overrides the environment.
 *
 * @example
 * ```ts
 * Command.make("run", { otel: otelFlag }, ({ otel }) => Effect.void)
 * ```
 */
export const otelFlag = Options.text("otel").pipe(
  Options.withDescription("export OpenTelemetry traces over OTLP/HTTP to this base URL (default: OTEL_EXPORTER_OTLP_ENDPOINT)"),
  Options.optional
)

const fromEnv = Config.option(Config.nonEmptyString("OTEL_EXPORTER_OTLP_ENDPOINT")).pipe(
  Effect.orElseSucceed(() => Option.none<string>())
)

/**
 * Run `self` under a run span exported to the endpoint the flag or the environment names; `self` unchanged
 * when neither does. Spans still batched flush before this returns.
 *
 * @example
 * ```ts
 * program.pipe(withTelemetry(Option.some("http://127.0.0.1:4318"), { "assay.dataset": "cases.jsonl" }))
 * ```
 */
export const withTelemetry = (flag: Option.Option<string>, attributes: Record<string, unknown>) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const endpoint = Option.isSome(flag) ? flag : yield* fromEnv
    if (Option.isNone(endpoint)) return yield* self
    // Imported on demand: a run without telemetry never parses the exporter.
    const { otlpLayer } = yield* Effect.promise(() => import("./otlp-layer.js"))
    return yield* self.pipe(traced("assay.run", { attributes }), Effect.provide(otlpLayer(endpoint.value)))
  })
