/**
 * Terminal styling that honours NO_COLOR (https://no-color.org), FORCE_COLOR and plain (non-TTY) output: with
 * colours off every function returns its text unchanged. Each stream decides for itself: the report on stdout
 * and the progress on stderr may go to different places (`assay run … > out.txt` keeps a coloured bar).
 *
 * @example
 * ```ts
 * import { makeStyle } from "./style.js"
 * const s = makeStyle(true)
 * s.red("FAIL") // "\x1b[31mFAIL\x1b[39m"
 * ```
 */

/**
 * Colouring functions.
 *
 * @example
 * ```ts
 * const style: Style = makeStyle(false)
 * ```
 */
export interface Style {
  readonly enabled: boolean
  readonly red: (text: string) => string
  readonly green: (text: string) => string
  readonly yellow: (text: string) => string
  readonly dim: (text: string) => string
  readonly bold: (text: string) => string
}

import { Config, Effect } from "effect"

/**
 * The colour variables as read from the environment (undefined when unset).
 *
 * @example
 * ```ts
 * const env: ColourEnv = { NO_COLOR: undefined, FORCE_COLOR: "1", TERM: "xterm-256color" }
 * ```
 */
export interface ColourEnv {
  readonly NO_COLOR: string | undefined
  readonly FORCE_COLOR: string | undefined
  readonly TERM: string | undefined
}

/**
 * Whether a stream gets colours: never with a non-empty NO_COLOR; with FORCE_COLOR set, unless it is `0` or
 * `false` (Node's and chalk's reading); otherwise when the stream is a terminal whose TERM is not `dumb`.
 *
 * @example
 * ```ts
 * colourEnabled(false, { NO_COLOR: undefined, FORCE_COLOR: "1", TERM: undefined }) // true
 * ```
 */
export const colourEnabled = (tty: boolean, env: ColourEnv): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR.toLowerCase() !== "false"
  return tty && env.TERM !== "dumb"
}

const variable = (name: string) => Config.option(Config.string(name)).pipe(Effect.map((o) => (o._tag === "Some" ? o.value : undefined)), Effect.orElseSucceed(() => undefined))

/**
 * The style for what the process writes to `stream`, from whether it is a terminal and the colour variables.
 *
 * @example
 * ```ts
 * const progressStyle = yield* streamStyle("stderr")
 * ```
 */
export const streamStyle = (stream: "stdout" | "stderr"): Effect.Effect<Style> =>
  Effect.map(
    Effect.all({ NO_COLOR: variable("NO_COLOR"), FORCE_COLOR: variable("FORCE_COLOR"), TERM: variable("TERM") }),
    (env) => makeStyle(colourEnabled(process[stream].isTTY === true, env))
  )

const wrap = (enabled: boolean, open: number, close: number) => (text: string) =>
  enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text

/**
 * Colour functions, enabled or not.
 *
 * @example
 * ```ts
 * makeStyle(false).green("ok") // "ok"
 * ```
 */
export const makeStyle = (enabled: boolean): Style => ({
  enabled,
  red: wrap(enabled, 31, 39),
  green: wrap(enabled, 32, 39),
  yellow: wrap(enabled, 33, 39),
  dim: wrap(enabled, 2, 22),
  bold: wrap(enabled, 1, 22)
})
