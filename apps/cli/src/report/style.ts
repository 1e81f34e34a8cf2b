/**
 * Terminal styling that honours NO_COLOR (https://no-color.org) and plain (non-TTY) output: with colours
 * off every function returns its text unchanged.
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
