/**
 * The `layerConfig` of every provider and layer of this package: its `layer`, with options read from `Config`
 * values the caller names (the library names no variable).
 *
 * @example
 * ```ts
 * export const layerConfig = (config: Config.Config.Wrap<GeminiOptions>) => layerFromConfig(config, layer)
 * ```
 */
import { Config, type ConfigError, Effect, Layer } from "effect"

/**
 * `layer` over options read from `config` (a `Config` of the options, or a record of `Config`s per field).
 *
 * @example
 * ```ts
 * layerFromConfig({ model: Config.succeed("m"), apiKey: Config.redacted("MY_KEY") }, Gemini.layer)
 * ```
 * @since 0.1.0
 */
export const layerFromConfig = <O, ROut, E, R>(
  config: Config.Config.Wrap<O>,
  layer: (options: O) => Layer.Layer<ROut, E, R>
): Layer.Layer<ROut, E | ConfigError.ConfigError, R> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
