/**
 * Progress reporting for a run, in one of three modes:
 *
 * - `bar` (stderr is a terminal): a live region of two or more lines at the bottom of the terminal, redrawn
 *   every 200 ms — the overall bar with done/total, pass rate, rate and ETA, a line per client that makes
 *   calls (in flight against the connection cap, calls backing off now, 429s, retries), and the per-metric
 *   pass counts (see `./render.ts`). Lines printed inside {@link Progress.around} (through the Console, which
 *   Effect's default loggers use too) or by {@link Progress.message} appear above it.
 * - `plain` (stderr is not a terminal, or `--no-progress`): a plain line on stderr each time another 10 % of
 *   the cases finish (every 100 cases when the total is unknown) and at least every 10 s, so CI logs show a
 *   slow run is alive; no escape codes.
 * - `off`: counts only.
 *
 * The reporter lives in the caller's Scope; its timers stop, and the region is cleared, when the scope closes.
 *
 * @example
 * ```ts
 * const progress = yield* makeProgress({ mode: "plain", total: 40, style })
 * yield* progress.around(run) // calling `progress.add(result)` for each result
 * yield* progress.finish
 * ```
 */
import type { CaseResult } from "@assay/core"
import { Clock, Config, Console, Duration, Effect, Fiber, Schedule, type Scope } from "effect"
import type { Style } from "../report/style.js"
import { type CallClient, callsLine, callsViews } from "./calls.js"
import type { LiveRegion } from "./region.js"
import { liveLines, plainLine, type ProgressSnapshot, type SpendView } from "./render.js"
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
  /** The clients whose calls are shown (judge, target). */
  readonly clients?: ReadonlyArray<CallClient> | undefined
  /** The run's spend and budget, shown on the overall line (absent: not shown). */
  readonly spend?: Effect.Effect<SpendView> | undefined
  /** Where plain lines go (default: stderr through `Console.error`). */
  readonly print?: ((line: string) => Effect.Effect<void>) | undefined
  /** The live region (default: log-update on stderr). */
  readonly region?: LiveRegion | undefined
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
  /**
   * Run `effect` with a Console (the one Effect's default loggers write through too) whose every print clears
   * the live region, prints, and redraws it: what `effect` prints lands above the region, never glued to it.
   */
  readonly around: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Print a line on stderr, above the live region. */
  readonly message: (line: string) => Effect.Effect<void>
  /** Clear the live region for good (bar mode) or print the last line (plain mode). */
  readonly finish: Effect.Effect<void>
  /** The clients' counters as the run's closing `calls:` text (undefined when the run makes no calls). */
  readonly callsSummary: Effect.Effect<string | undefined>
}

/**
 * Whether stderr, where progress goes, can hold a live region: a terminal whose TERM is not `dumb`.
 *
 * @example
 * ```ts
 * const mode: ProgressMode = (yield* progressTerminal) ? "bar" : "plain"
 * ```
 */
export const progressTerminal: Effect.Effect<boolean> = Effect.zipWith(
  Effect.sync(() => process.stderr.isTTY === true),
  Config.string("TERM").pipe(Config.withDefault(""), Effect.orElseSucceed(() => "")),
  (tty, term) => tty && term !== "dumb"
)

/** Live redraw interval. */
const REDRAW = Duration.millis(200)
/** Longest silence of plain mode. */
const HEARTBEAT_MILLIS = 10_000

/** A Console whose printing methods, sync and effectful, run through `wrap` (the live region's `above`). */
const consoleAbove = (base: Console.Console, wrap: (print: () => void) => void): Console.Console => {
  const unsafe: Console.UnsafeConsole = Object.create(base.unsafe)
  const printing = ["log", "error", "warn", "info", "debug"] as const
  const overrides: Record<string, unknown> = {}
  for (const name of printing) {
    const original = base.unsafe[name].bind(base.unsafe)
    ;(unsafe as unknown as Record<string, unknown>)[name] = (...args: ReadonlyArray<unknown>) => wrap(() => original(...args))
    overrides[name] = (...args: ReadonlyArray<unknown>) => Effect.sync(() => unsafe[name](...args))
  }
  return Object.assign(Object.create(base), overrides, { unsafe }) as Console.Console
}

/**
 * Start a progress reporter; see the module doc.
 *
 * @example
 * ```ts
 * Effect.scoped(makeProgress({ mode: "bar", total: 100, style: makeStyle(true) }))
 * ```
 */
export const makeProgress = (settings: ProgressSettings): Effect.Effect<Progress, never, Scope.Scope> =>
  Effect.gen(function*() {
    const state = new ProgressState(settings.total, yield* Clock.currentTimeMillis)
    const clients = settings.clients ?? []
    const spend = settings.spend ?? Effect.succeed(undefined)
    const snapshot = Effect.zipWith(
      Effect.zip(Clock.currentTimeMillis, spend),
      callsViews(clients),
      ([now, spent], calls) => state.snapshot(now, calls, spent)
    )
    const base = {
      message: (line: string) => Console.error(line),
      around: <A, E, R>(effect: Effect.Effect<A, E, R>) => effect,
      callsSummary: callsLine(clients)
    }
    if (settings.mode === "off") return { ...base, add: (r) => Effect.sync(() => state.add(r)), finish: Effect.void }
    if (settings.mode === "plain") return { ...base, ...(yield* plainReporter(settings, state, snapshot)) }
    return { ...base, ...(yield* liveReporter(settings, state, snapshot)) }
  })

/** Plain mode: a line per 10 % of the cases and at least every 10 s, from a timer fiber in the scope. */
const plainReporter = (settings: ProgressSettings, state: ProgressState, snapshot: Effect.Effect<ProgressSnapshot>) =>
  Effect.gen(function*() {
    const step = settings.total === undefined ? 100 : Math.max(1, Math.ceil(settings.total / 10))
    const printLine = settings.print ?? ((line: string) => Console.error(line))
    let printedDone = 0
    let printedAt = yield* Clock.currentTimeMillis
    const print = Effect.gen(function*() {
      printedDone = state.done
      printedAt = yield* Clock.currentTimeMillis
      yield* printLine(plainLine(yield* snapshot))
    })
    // Wakes when the last line is 10 s old (a line printed meanwhile moves the next wake-up).
    const heartbeat = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const due = printedAt + HEARTBEAT_MILLIS
      yield* now >= due ? print : Effect.sleep(Duration.millis(due - now))
    }).pipe(Effect.forever, Effect.interruptible)
    const timer = yield* Effect.forkScoped(heartbeat)
    return {
      add: (result: CaseResult) =>
        Effect.suspend(() => {
          state.add(result)
          return state.done - printedDone < step ? Effect.void : print
        }),
      finish: Effect.zipRight(Fiber.interrupt(timer), Effect.suspend(() => (printedDone === state.done ? Effect.void : print)))
    }
  })

/** Bar mode: the live region, redrawn every 200 ms by a fiber in the scope, cleared when the scope closes. */
const liveReporter = (settings: ProgressSettings, state: ProgressState, snapshot: Effect.Effect<ProgressSnapshot>) =>
  Effect.gen(function*() {
    // log-update and the ANSI helpers it brings are imported only when a live region is drawn.
    const region = settings.region ?? (yield* Effect.promise(() => import("./region.js"))).terminalRegion(process.stderr)
    yield* Effect.addFinalizer(() => Effect.sync(() => region.close()))
    const above = consoleAbove(yield* Effect.console, (print) => region.above(print))
    // One column spare: a line exactly as wide as the terminal leaves the cursor in its pending-wrap state.
    const draw = Effect.map(snapshot, (s) => region.draw(liveLines(s, region.columns() - 1, settings.style)))
    const redraws = yield* draw.pipe(Effect.repeat(Schedule.spaced(REDRAW)), Effect.forkScoped)
    const around = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => Effect.withConsole(effect, above)
    return {
      add: (result: CaseResult) => Effect.sync(() => state.add(result)),
      around,
      message: (line: string) => around(Console.error(line)),
      finish: Effect.zipRight(Fiber.interrupt(redraws), Effect.sync(() => region.close()))
    }
  })
