/**
 * The CLI version printed by `--version` (and part of a run's reuse key: another version may score differently).
 *
 * @example
 * ```ts
 * VERSION // "0.1.0"
 * ```
 */
export const VERSION = "0.1.0"
