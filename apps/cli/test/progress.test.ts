import type { CaseResult } from "@assay/core"
import { Terminal } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { makeProgress } from "../src/progress/reporter.js"
import { makeStyle } from "../src/report/style.js"

const result = (index: number, success: boolean): CaseResult => ({
  index, name: null, success, skipped: false, errored: false, durationMs: 1, cost: 0, tokens: { input: 0, output: 0 },
  metrics: [{
    name: "exact-match", score: success ? 1 : 0, threshold: 1, strict: false, success, reason: null, error: null,
    skipped: false, cached: false, cost: 0, tokens: { input: 0, output: 0 }, durationMs: 1
  }]
})

/** A Terminal that records what is displayed. */
const recordingTerminal = (shown: Array<string>) =>
  Layer.succeed(Terminal.Terminal, {
    columns: Effect.succeed(200),
    rows: Effect.succeed(24),
    isTTY: Effect.succeed(true),
    readInput: Effect.die("unused"),
    readLine: Effect.die("unused"),
    display: (text) => Effect.sync(() => void shown.push(text))
  })

describe("progress bar", () => {
  it.scoped("redraws every 200 ms of (virtual) time with done/total, pass rate, ETA and per-metric counts", () => {
    const shown: Array<string> = []
    return Effect.gen(function*() {
      const progress = yield* makeProgress({ mode: "bar", total: 4, style: makeStyle(false) })
      yield* TestClock.adjust("1 millis")
      const first = shown.length
      yield* progress.add(result(0, true))
      yield* progress.add(result(1, false))
      yield* TestClock.adjust("1 seconds")
      expect(shown.length - first).toBe(5) // 1000 ms / 200 ms
      expect(shown.at(-1)).toMatch(/^\r\x1b\[2K█{12}░{12} 2\/4 50\.0% · pass 50\.0% · 2\.0\/s · ETA 1\.0s · exact-match 1\/2$/)
      yield* progress.finish
      const afterFinish = shown.length
      yield* TestClock.adjust("1 seconds")
      expect(shown.length).toBe(afterFinish) // no redraw once finished
      expect(shown.at(-1)).toBe("\r\x1b[2K")
    }).pipe(Effect.provide(recordingTerminal(shown)))
  })

  it.scoped("plain mode prints a line per 10% of the cases, not per case", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const print = (line: string) => Effect.sync(() => void lines.push(line))
      const progress = yield* makeProgress({ mode: "plain", total: 40, style: makeStyle(false), print })
      yield* Effect.forEach(Array.from({ length: 40 }, (_, i) => result(i, i % 4 !== 0)), progress.add, { discard: true })
      yield* progress.finish
      expect(lines).toHaveLength(10) // finish adds nothing when the last line is current
      expect(lines).toHaveLength(10)
      expect(lines.at(-1)).toMatch(/^progress 40\/40 100\.0% · pass 75\.0% · .* · exact-match 30\/40$/)
    }).pipe(Effect.provide(recordingTerminal([]))))
})
