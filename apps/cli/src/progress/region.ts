/**
 * The live region on a terminal: a block of lines redrawn in place, which other output clears, prints above,
 * and redraws. log-update does the cursor work (erasing exactly the lines it drew, diffing frames, synchronized
 * output); this module adds the "print above" step and keeps the last frame for the redraw.
 *
 * @example
 * ```ts
 * import { terminalRegion } from "./region.js"
 * const region = terminalRegion(process.stderr)
 * region.draw(["12/40 30.0%", "judge 3/8 in flight"])
 * region.above(() => console.error("warning: …"))
 * region.close()
 * ```
 */
import { createLogUpdate } from "log-update"

/**
 * A block of lines kept at the bottom of the terminal. All methods are synchronous (terminal writes in Node
 * are), so a message and the redraw after it cannot interleave with another fiber's output.
 *
 * @example
 * ```ts
 * const region: LiveRegion = terminalRegion(process.stderr)
 * ```
 */
export interface LiveRegion {
  /** The terminal's width in columns now. */
  readonly columns: () => number
  /** Replace the region's lines. */
  readonly draw: (lines: ReadonlyArray<string>) => void
  /** Clear the region, run `print` (which writes whole lines), and draw the region again below. */
  readonly above: (print: () => void) => void
  /** Clear the region for good (nothing is drawn afterwards). */
  readonly close: () => void
}

/**
 * The live region on a terminal stream (stderr in the CLI, so stdout stays clean for reports).
 *
 * @example
 * ```ts
 * terminalRegion(process.stderr).draw(["working…"])
 * ```
 */
export const terminalRegion = (stream: NodeJS.WriteStream): LiveRegion => {
  // The cursor stays visible: hiding it would need a restore hook on every exit path (log-update's own
  // restores it only through signal-exit), and a run interrupted twice must not leave the terminal without one.
  const update = createLogUpdate(stream, { showCursor: true })
  let frame: string | undefined
  let closed = false
  return {
    columns: () => stream.columns ?? 80,
    draw: (lines) => {
      if (closed) return
      frame = lines.join("\n")
      update(frame)
    },
    above: (print) => {
      if (closed || frame === undefined) return print()
      update.clear()
      print()
      update(frame)
    },
    close: () => {
      if (closed) return
      closed = true
      if (frame !== undefined) update.clear()
      update.done()
    }
  }
}
