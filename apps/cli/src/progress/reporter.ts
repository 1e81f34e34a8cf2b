/**
 * Progress reporting for a run, in one of two modes:
 *
 * - `bar`: an overall bar redrawn in place on the terminal every 200 ms. No progress library is installed in
 *   this workspace, so this is a small renderer on @effect/platform's `Terminal` service: it writes
 *   `\r` + "erase line" + the bar with `Terminal.display`, and erases the line before the final report.
 * - `plain` (stdout is not a TTY, or `--no-progress`): a plain line on stderr each time another 10 % of the
 *   cases finish (every 100 cases when the total is unknown), so logs stay readable and stdout stays clean.
 *
 * The reporter lives in the caller's Scope; its redraw loop stops when the scope closes.
 *
 * @example
 * ```ts
 * const progress = yield* makeProgress({ mode: "plain", total: 40, style })
 * yield* progress.add(caseResult)
 * yield* progress.finish
 * ```
 */
import type { CaseResult } from "@assay/core"
import { Terminal } from "@effect/platform"
import { Clock, Console, Effect, Schedule, type Scope } from "effect"
import type { Style } from "../report/style.js"
import { ProgressState } from "./state.js"

/**
 * How progress is shown.
 *
 * @example
 * ```ts
 * const mode: ProgressMode = isTTY ? "bar" : "plain"
 * ```
 */
export type ProgressMode = "bar" | "plain" | "off"

/**
 * What {@link makeProgress} needs.
 *
 * @example
 * ```ts
 * makeProgress({ mode: "plain", total: 100, style: makeStyle(false) } satisfies ProgressSettings)
 * ```
 */
export interface ProgressSettings {
  readonly mode: ProgressMode
  readonly total: number | undefined
  readonly style: Style
  /** Where plain lines go (default: stderr through `Console.error`). */
  readonly print?: ((line: string) => Effect.Effect<void>) | undefined
  /** Extra status (judge retries, backoff, connection cap), polled at every redraw. */
  readonly extra?: Effect.Effect<string> | undefined
}

/**
 * A running progress reporter.
 *
 * @example
 * ```ts
 * const progress: Progress = yield* makeProgress(settings); yield* progress.add(result)
 * ```
 */
export interface Progress {
  readonly add: (result: CaseResult) => Effect.Effect<void>
  /** Erase the bar (bar mode) or print the last line (plain mode). */
  readonly finish: Effect.Effect<void>
}

const BAR_WIDTH = 24

const bar = (fraction: number | undefined, style: Style) => {
  if (fraction === undefined) return ""
  const full = Math.round(fraction * BAR_WIDTH)
  return `${style.green("█".repeat(full))}${style.dim("░".repeat(BAR_WIDTH - full))} `
}

/**
 * Start a progress reporter; see the module doc.
 *
 * @example
 * ```ts
 * Effect.scoped(makeProgress({ mode: "bar", total: 100, style: makeStyle(true) }))
 * ```
 */
export const makeProgress = (settings: ProgressSettings): Effect.Effect<Progress, never, Terminal.Terminal | Scope.Scope> =>
  Effect.gen(function*() {
    const terminal = yield* Terminal.Terminal
    const state = new ProgressState(settings.total, yield* Clock.currentTimeMillis)
    const extra = settings.extra ?? Effect.succeed("")
    const render = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      return state.line(now, yield* extra)
    })
    if (settings.mode === "off") return { add: (r) => Effect.sync(() => state.add(r)), finish: Effect.void }

    if (settings.mode === "plain") {
      const step = settings.total === undefined ? 100 : Math.max(1, Math.ceil(settings.total / 10))
      let printed = 0
      const printLine = settings.print ?? ((line: string) => Console.error(line))
      const print = Effect.flatMap(render, (line) => printLine(`progress ${line}`))
      return {
        add: (result) =>
          Effect.suspend(() => {
            state.add(result)
            if (state.done - printed < step) return Effect.void
            printed = state.done
            return print
          }),
        finish: Effect.suspend(() => (printed === state.done ? Effect.void : Effect.zipRight(Effect.sync(() => printed = state.done), print)))
      }
    }

    let stopped = false
    const draw = Effect.suspend(() =>
      stopped ? Effect.void : Effect.gen(function*() {
        const line = yield* render
        const room = Math.max(20, (yield* terminal.columns) - BAR_WIDTH - 2) // never wrap: a wrapped line cannot be redrawn
        const text = line.length > room ? `${line.slice(0, room - 1)}…` : line
        yield* terminal.display(`\r\x1b[2K${bar(state.fraction(), settings.style)}${text}`).pipe(Effect.ignore)
      }))
    yield* draw.pipe(Effect.repeat(Schedule.spaced("200 millis")), Effect.forkScoped)
    return {
      add: (result) => Effect.sync(() => state.add(result)),
      finish: Effect.zipRight(Effect.sync(() => stopped = true), terminal.display("\r\x1b[2K").pipe(Effect.ignore))
    }
  })
