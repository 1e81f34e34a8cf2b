import type { CaseResult } from "@assay/core"
import type { JudgeStats } from "@assay/judge"
import { describe, expect, it } from "@effect/vitest"
import { Console, Effect, Logger, TestClock } from "effect"
import type { LiveRegion } from "../src/progress/region.js"
import { makeProgress } from "../src/progress/reporter.js"
import { makeStyle } from "../src/report/style.js"

const result = (index: number, success: boolean): CaseResult => ({
  index, name: null, success, skipped: false, errored: false, durationMs: 1, cost: 0, tokens: { input: 0, output: 0 },
  metrics: [{
    name: "exact-match", score: success ? 1 : 0, threshold: 1, strict: false, success, reason: null, error: null,
    skipped: false, cached: false, cost: 0, tokens: { input: 0, output: 0 }, durationMs: 1
  }]
})

const judgeStats: JudgeStats = {
  model: "openai:m", inputTokens: 0, outputTokens: 0, cost: 0,
  policy: { model: "openai:m", cap: 8, inFlight: 3, calls: 9, succeeded: 5, failed: 0, retries: 1, rateLimited: 2, backingOff: 4 }
}
const clients = [{ label: "judge", stats: Effect.succeed(judgeStats) }]

/** A live region that records, in order, what is drawn and what is printed above it. */
const recordingRegion = (events: Array<string>, columns = 80): LiveRegion => {
  let frame: ReadonlyArray<string> = []
  return {
    columns: () => columns,
    draw: (lines) => {
      frame = lines
      events.push(`draw ${lines.join(" | ")}`)
    },
    above: (print) => {
      events.push("clear")
      print()
      events.push(`draw ${frame.join(" | ")}`)
    },
    close: () => void events.push("close")
  }
}

describe("live progress region", () => {
  it.scoped("redraws every 200 ms with the overall and calls lines; finish clears it and redraws stop", () => {
    const events: Array<string> = []
    return Effect.gen(function*() {
      const progress = yield* makeProgress({ mode: "bar", total: 4, style: makeStyle(false), clients, region: recordingRegion(events) })
      yield* progress.add(result(0, true))
      yield* progress.add(result(1, false))
      yield* TestClock.adjust("1 seconds")
      expect(events.filter((e) => e.startsWith("draw"))).toHaveLength(6) // at 0, then every 200 ms
      expect(events.at(-1)).toMatch(/^draw █+░+ 2\/4 50\.0% · pass 50\.0% · 2\.0\/s · ETA 1\.0s \| judge 3\/8 in flight · 4 backing off · 2×429 · 1 retries · 9 calls \| exact-match 1\/2$/)
      for (const e of events) expect(e.split(" | ").every((l) => l.length <= 80 + "draw ".length)).toBe(true)
      yield* progress.finish
      const closed = events.length
      yield* TestClock.adjust("1 seconds")
      expect(events.slice(closed - 1)).toEqual(["close"])
    })
  })

  it.scoped("lines printed inside `around` (Console and Effect's logger) and by `message` go above the region", () => {
    const events: Array<string> = []
    const printed: Array<string> = []
    return Effect.gen(function*() {
      const progress = yield* makeProgress({ mode: "bar", total: 4, style: makeStyle(false), region: recordingRegion(events) })
      yield* progress.add(result(0, true))
      yield* TestClock.adjust("200 millis")
      yield* progress.around(Effect.zipRight(Console.error("warning: slow"), Effect.logWarning("cache lookup failed")))
      yield* progress.message("note: hello")
      // Every print happens with the region cleared, and the region is drawn again right after.
      const printedAt = events.flatMap((e, i) => (e === "printed" ? [i] : []))
      expect(printedAt.length).toBeGreaterThanOrEqual(3)
      for (const i of printedAt) {
        expect(events.slice(0, i).filter((e) => e !== "printed").at(-1)).toBe("clear")
        expect(events.slice(i + 1).find((e) => e !== "printed")).toMatch(/^draw .*1\/4 25\.0%/)
      }
      expect(printed[0]).toBe("warning: slow")
      expect(printed.some((p) => p.includes("cache lookup failed"))).toBe(true)
      expect(printed.at(-1)).toBe("note: hello")
    }).pipe(
      (test) => Effect.flatMap(Effect.console, (base) => Effect.withConsole(test, recordingConsole(base, printed, events))),
      Effect.provide(Logger.pretty) // the logger runMain installs
    )
  })
})

/** A Console whose printing methods record the line (and an event, to check it ran inside `above`). */
const recordingConsole = (base: Console.Console, printed: Array<string>, events: Array<string>): Console.Console => {
  const record = (...args: ReadonlyArray<unknown>) => {
    printed.push(args.map(String).join(" "))
    events.push("printed")
  }
  const unsafe = { ...globalThis.console, log: record, error: record, warn: record, info: record, debug: record }
  return {
    ...base,
    unsafe,
    log: (...a) => Effect.sync(() => record(...a)),
    error: (...a) => Effect.sync(() => record(...a)),
    warn: (...a) => Effect.sync(() => record(...a)),
    info: (...a) => Effect.sync(() => record(...a)),
    debug: (...a) => Effect.sync(() => record(...a))
  }
}

describe("plain progress lines", () => {
  it.scoped("a line per 10 % of the cases, not per case, with the calls counters and no escape code", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const print = (line: string) => Effect.sync(() => void lines.push(line))
      const progress = yield* makeProgress({ mode: "plain", total: 40, style: makeStyle(true), clients, print })
      yield* Effect.forEach(Array.from({ length: 40 }, (_, i) => result(i, i % 4 !== 0)), progress.add, { discard: true })
      yield* progress.finish
      expect(lines).toHaveLength(10) // finish adds nothing when the last line is current
      expect(lines.at(-1)).toMatch(/^progress 40\/40 100\.0% · pass 75\.0% · .* · exact-match 30\/40 · judge 3\/8 in flight, 4 backing off, 2×429, 1 retries, 9 calls$/)
      for (const line of lines) expect(line).not.toMatch(/\x1b/)
    }))

  it.scoped("at least every 10 s while nothing finishes; a 10 % line moves the next one", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const print = (line: string) => Effect.sync(() => void lines.push(line))
      const progress = yield* makeProgress({ mode: "plain", total: 100, style: makeStyle(false), clients, print })
      yield* TestClock.adjust("9999 millis")
      expect(lines).toHaveLength(0)
      yield* TestClock.adjust("1 millis")
      expect(lines).toEqual([expect.stringMatching(/^progress 0\/100 0\.0% · pass n\/a · 0\.0\/s · judge 3\/8 in flight, 4 backing off/)])
      yield* TestClock.adjust("10 seconds")
      expect(lines).toHaveLength(2)
      yield* TestClock.adjust("5 seconds") // 25 s
      yield* Effect.forEach(Array.from({ length: 10 }, (_, i) => result(i, true)), progress.add, { discard: true })
      expect(lines).toHaveLength(3)
      yield* TestClock.adjust("9 seconds") // 34 s: 9 s after the 10 % line
      expect(lines).toHaveLength(3)
      yield* TestClock.adjust("1 seconds")
      expect(lines).toHaveLength(4)
      yield* progress.finish
      yield* TestClock.adjust("1 minute")
      expect(lines).toHaveLength(4) // no more heartbeats after finish (the last line was current)
    }))
})
