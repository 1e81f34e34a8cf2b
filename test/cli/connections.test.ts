/**
 * The connection cap follows the run: `--concurrency 40` gets up to 40 target calls in flight (reached by slow
 * start from 8), not the library's default of 8; `ASSAY_JUDGE_MAX_CONNECTIONS` still caps it, and
 * `--max-connections` (or the config's `maxConnections`) wins over both. Asserted on the fake
 * server's own count of requests in flight at each arrival, never on time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, fakeLog, type FakeServer, fixtureDir, requireBuild, startFake } from "./harness.js"

let fake: FakeServer
beforeAll(async () => {
  requireBuild()
  fake = await startFake(["--latency", "200", "--reply", "Paris"])
})
afterAll(() => fake?.stop())

const CASES = Array.from({ length: 160 }, (_, i) => JSON.stringify({ name: `q${i}`, input: `question ${i}`, expected_output: "Paris" })).join("\n")

const peakOf = async (env: Record<string, string>, flags: ReadonlyArray<string> = [], files: Record<string, string> = {}) => {
  const before = (await fakeLog(fake)).length
  const dir = fixtureDir({ "cases.jsonl": CASES, ...files })
  const r = await assay(
    ["run", "cases.jsonl", "--target", "openai-compatible:m", "--metric", "exact-match", "--concurrency", "40", "--no-cache", "--no-progress", ...flags],
    { cwd: dir, env: { OPENAI_BASE_URL: fake.baseUrl, ...env } }
  )
  expect(r.code, r.stderr).toBe(0)
  const calls = (await fakeLog(fake)).slice(before)
  expect(calls).toHaveLength(160)
  return Math.max(...calls.map((c) => c.inFlight))
}

describe("the connection cap", () => {
  it("follows --concurrency: 40 cases in flight get up to 40 target calls in flight, never more", async () => {
    const peak = await peakOf({})
    expect(peak).toBeGreaterThan(16) // past slow start's first doublings from the default 8
    expect(peak).toBeLessThanOrEqual(40)
  })

  it("ASSAY_JUDGE_MAX_CONNECTIONS still caps it, and --max-connections / the config's maxConnections win over it", async () => {
    expect(await peakOf({ ASSAY_JUDGE_MAX_CONNECTIONS: "4" })).toBeLessThanOrEqual(4)
    const flagged = await peakOf({ ASSAY_JUDGE_MAX_CONNECTIONS: "4" }, ["--max-connections", "24"])
    expect(flagged).toBeGreaterThan(4)
    expect(flagged).toBeLessThanOrEqual(24)
    expect(await peakOf({}, ["--config", "c.yaml"], { "c.yaml": "maxConnections: 3\n" })).toBeLessThanOrEqual(3)
  })

  it("a bad call-policy value is a usage error naming the flag", async () => {
    const dir = fixtureDir({ "cases.jsonl": CASES })
    for (const [flag, value] of [["--max-connections", "0"], ["--max-retries", "-1"], ["--rpm", "1.5"], ["--call-deadline", "0s"]] as const) {
      const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", flag, value], { cwd: dir })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`${flag}: expected`)
    }
  })
})
