import { ConfigProvider, Effect } from "effect"
import { EnvSettings } from "../../../apps/cli/src/config/env.js"

/**
 * Run `self` with the environment variables `vars` as the assay CLI reads them: its settings source (the
 * variable names live in apps/cli/src/config/env.ts) is what `judgeLayer(spec)` and `embedderLayer(spec)`
 * without settings ask. The tests using it check the layers as the CLI builds them; the library itself
 * reads no variable.
 */
export const env = (vars: ReadonlyArray<readonly [string, string]>) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  self.pipe(Effect.provide(EnvSettings), Effect.withConfigProvider(ConfigProvider.fromMap(new Map(vars))))
