import { describe, expect, it } from "vitest"
import { type CallsView, liveLines, plainLine, type ProgressSnapshot } from "../src/progress/render.js"
import { makeStyle } from "../src/report/style.js"

const judge: CallsView = { label: "judge", calls: 12345, inFlight: 37, cap: 100, retries: 42, rateLimited: 1234, backingOff: 17, failed: 3 }
const busy: ProgressSnapshot = {
  done: 123_456,
  total: 500_000,
  passed: 100_000,
  judged: 123_000,
  elapsedMs: 65_000,
  metrics: [{ name: "exact-match", passed: 100_000, ran: 123_000 }, { name: "answer-relevancy", passed: 90_000, ran: 123_000 }],
  calls: [judge, { ...judge, label: "target", failed: 0 }]
}
const plain = makeStyle(false)

describe("live progress lines", () => {
  for (const width of [40, 80, 120]) {
    it(`at ${width} columns: no line is wider, and the counts are all there`, () => {
      const lines = liveLines(busy, width, plain)
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(width)
      expect(lines[0]).toContain("123456/500000")
      expect(lines[1]).toContain("judge 37/100 in flight")
      expect(lines[2]).toContain("target 37/100 in flight")
      expect(lines).toHaveLength(4)
    })
  }

  it("at 80 columns every count of the brief is shown; the bar takes what is left", () => {
    const [overall, calls] = liveLines(busy, 80, plain)
    for (const part of ["123456/500000 24.7%", "pass 81.3%", "1899.3/s", "ETA 3m 18s"]) expect(overall).toContain(part)
    for (const part of ["37/100 in flight", "17 backing off", "1234×429", "42 retries"]) expect(calls).toContain(part)
    expect(overall).toMatch(/^█+░+ 123456/)
    expect(overall).toHaveLength(80)
  })

  it("the bar shrinks before any count goes, and is left out when too small", () => {
    const wide = liveLines(busy, 120, plain)[0]!
    const narrow = liveLines(busy, 70, plain)[0]!
    expect(wide).toMatch(/^[█░]{30} /)
    expect(narrow).toContain("ETA")
    expect(narrow.indexOf(" 123456")).toBeLessThan(wide.indexOf(" 123456"))
    expect(liveLines(busy, 40, plain)[0]).toBe("██░░░░░ 123456/500000 24.7% · pass 81.3%")
    expect(liveLines(busy, 38, plain)[0]).toBe("123456/500000 24.7% · pass 81.3%")
    expect(liveLines(busy, 12, plain)[0]).toBe("123456/5000…")
  })

  it("drops the least telling parts first: total calls and failures before 429s, backing off last", () => {
    expect(liveLines(busy, 40, plain)[1]).toBe("judge 37/100 in flight · 17 backing off")
    expect(liveLines(busy, 58, plain)[1]).toBe("judge 37/100 in flight · 17 backing off · 1234×429")
  })

  it("an unknown total shows the count done, no bar and no ETA", () => {
    const [line] = liveLines({ ...busy, total: undefined, calls: [] }, 80, plain)
    expect(line).toBe("123456 done · pass 81.3% · 1899.3/s")
  })

  it("colours only the bar, so the counts read the same without colour", () => {
    const [coloured] = liveLines(busy, 80, makeStyle(true))
    expect(coloured).toContain("\x1b[32m")
    expect(coloured!.replace(/\x1b\[\d+m/g, "")).toBe(liveLines(busy, 80, plain)[0])
  })

  it("the plain line has every count and no escape code", () => {
    const line = plainLine(busy)
    expect(line).toBe(
      "progress 123456/500000 24.7% · pass 81.3% · 1899.3/s · ETA 3m 18s · exact-match 100000/123000 answer-relevancy 90000/123000" +
        " · judge 37/100 in flight, 17 backing off, 1234×429, 42 retries, 3 failed, 12345 calls" +
        " · target 37/100 in flight, 17 backing off, 1234×429, 42 retries, 12345 calls"
    )
    expect(line).not.toMatch(/\x1b/)
  })
})
