/**
 * `assay view`'s JSON API over real HTTP: the built binary serves a real SQLite store that `assay run` wrote.
 * Runs list, summary statistics, case paging / filters / search / sort, a case in full, the comparison of two
 * runs (sections paged, per-metric paired statistics), the live stream of a finished run (one event, then the stream ends), errors (unknown run 404, bad
 * parameter 400, foreign Host 403) — and the command's own usage errors (exit 2, no stack trace).
 */
import { request } from "node:http"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, QA_CASES, requireBuild } from "./harness.js"
import { getJson, startView, type ViewServer } from "./view-server.js"

beforeAll(requireBuild)

const METRICS = ["--metric", "exact-match", "--metric", "levenshtein"]
/** The second run: paris regresses (Lyon), canberra is fixed; every other case as before. */
const SECOND = QA_CASES.map((c) =>
  c.name === "paris" ? { ...c, actual_output: "Lyon" } : c.name === "canberra" ? { ...c, actual_output: "Canberra" } : c)
const jsonl = (cases: ReadonlyArray<object>) => cases.map((c) => JSON.stringify(c)).join("\n") + "\n"

let dir = ""
let view: ViewServer
let first = ""
let second = ""

beforeAll(async () => {
  dir = fixtureDir({ "a.jsonl": jsonl(QA_CASES), "b.jsonl": jsonl(SECOND) })
  const a = await assay(["run", "a.jsonl", ...METRICS, "--identifier", "baseline", "--cache", "assay.db", "--no-progress"], { cwd: dir })
  expect(a.code).toBe(1)
  const b = await assay(["run", "b.jsonl", ...METRICS, "--identifier", "candidate", "--cache", "assay.db", "--no-progress"], { cwd: dir })
  expect(b.code).toBe(1)
  view = await startView(join(dir, "assay.db"))
  const runs = (await getJson(`${view.url}api/runs`)).body as Array<{ id: string }>
  ;[second, first] = runs.map((r) => r.id) as [string, string]
}, 180_000)

afterAll(() => view?.stop())

describe("assay view: the JSON API", () => {
  it("lists runs newest first with their counts", async () => {
    const { body, status } = await getJson(`${view.url}api/runs`)
    expect(status).toBe(200)
    expect(body.map((r: any) => [r.identifier, r.status, r.total, r.passed, r.failed, r.errored])).toEqual([
      ["candidate", "completed", 10, 7, 3, 0],
      ["baseline", "completed", 10, 7, 3, 0]
    ])
    expect(body[0].passRate).toBeCloseTo(0.7)
  })

  it("summarises a run with per-metric statistics and histograms", async () => {
    const { body } = await getJson(`${view.url}api/runs/${first}`)
    expect(body.run.id).toBe(first)
    const exact = body.metrics.find((m: any) => m.name === "exact-match")
    expect(exact).toMatchObject({ count: 10, passed: 7, failed: 3, mean: 0.7, min: 0, max: 1 })
    expect(exact.histogram).toEqual([3, 0, 0, 0, 0, 0, 0, 0, 0, 7])
    expect(body.metrics.map((m: any) => m.name).sort()).toEqual(["exact-match", "levenshtein"])
  })

  it("pages, filters, searches and sorts cases on the server", async () => {
    const page = (await getJson(`${view.url}api/runs/${first}/cases?limit=4&offset=4`)).body
    expect(page.total).toBe(10)
    expect(page.items.map((c: any) => c.name)).toEqual(["brasilia", "nairobi", "ankara", "cairo"])
    expect(page.items[0]).toMatchObject({ status: "failed", input: "Capital of Brazil?", actual: "Rio" })

    const failed = (await getJson(`${view.url}api/runs/${first}/cases?status=failed`)).body
    expect(failed.items.map((c: any) => c.name)).toEqual(["canberra", "brasilia", "ankara"])

    const found = (await getJson(`${view.url}api/runs/${first}/cases?q=${encodeURIComponent("ISTANBUL")}`)).body
    expect(found.items.map((c: any) => c.name)).toEqual(["ankara"])

    const sorted = (await getJson(`${view.url}api/runs/${first}/cases?metric=levenshtein&sort=score&order=asc&limit=1`)).body
    expect(sorted.items[0].name).toBe("canberra") // Sydney vs Canberra: the furthest apart
    const low = (await getJson(`${view.url}api/runs/${first}/cases?metric=exact-match&metricStatus=failed&maxScore=0.5`)).body
    expect(low.total).toBe(3)
  })

  it("returns a case in full: its test case and every metric's score and reason", async () => {
    const { body, status } = await getJson(`${view.url}api/runs/${first}/cases/1`)
    expect(status).toBe(200)
    expect(body.status).toBe("failed")
    expect(body.result.testCase).toMatchObject({ input: "Capital of Australia?", actualOutput: "Sydney", expectedOutput: "Canberra" })
    const exact = body.result.metrics.find((m: any) => m.name === "exact-match")
    expect(exact).toMatchObject({ score: 0, threshold: 1, success: false })
    expect(exact.reason).toContain("Sydney")
  })

  it("compares two runs: the regressed and the improved case by name", async () => {
    const { body } = await getJson(`${view.url}api/compare/${first}/${second}`)
    expect(body.regressed.items.map((c: any) => c.name)).toEqual(["paris"])
    expect(body.improved.items.map((c: any) => c.name)).toEqual(["canberra"])
    expect(body.regressed.total).toBe(1)
    const paged = (await getJson(`${view.url}api/compare/${first}/${second}?section=improved&offset=1`)).body
    expect(paged.improved).toMatchObject({ total: 1, offset: 1, items: [] })
    expect(paged.regressed.items).toEqual([])
    expect(paged.metrics).toEqual(body.metrics) // statistics are over all matched cases, whatever the page
  })

  it("compares two runs per metric: means, paired difference and its interval, flips, McNemar and Holm p", async () => {
    const { body } = await getJson(`${view.url}api/compare/${first}/${second}`)
    expect(body.adjustment).toBe("holm")
    expect(body.metrics.map((m: any) => m.name)).toEqual(["exact-match", "levenshtein"])
    const [exact, lev] = body.metrics
    // paris passed → failed, canberra failed → passed: means equal, one flip each way, p = 1.
    expect(exact).toMatchObject({ paired: 10, verdicts: 10, passToFail: 1, failToPass: 1, pValue: 1, adjustedP: 1 })
    expect(exact.meanBefore).toBeCloseTo(0.7)
    expect(exact.meanAfter).toBeCloseTo(0.7)
    expect(exact.meanDiff).toBeCloseTo(0)
    expect(exact.passRateBefore).toBeCloseTo(0.7)
    expect(exact.diffCI.low).toBeLessThan(0)
    expect(exact.diffCI.high).toBeGreaterThan(0)
    // levenshtein's mean difference is the sum of the two changed cases' deltas over the ten paired cases.
    const deltas = [...body.regressed.items, ...body.improved.items]
      .flatMap((c: any) => c.metrics.filter((m: any) => m.name === "levenshtein").map((m: any) => m.delta))
    expect(deltas).toHaveLength(2)
    expect(lev.paired).toBe(10)
    expect(lev.meanDiff).toBeCloseTo((deltas[0] + deltas[1]) / 10, 10)
    expect(lev.meanAfter - lev.meanBefore).toBeCloseTo(lev.meanDiff, 10)
    expect(lev.diffCI.low).toBeLessThanOrEqual(lev.meanDiff)
    expect(lev.diffCI.high).toBeGreaterThanOrEqual(lev.meanDiff)
    expect(lev.adjustedP).toBeGreaterThanOrEqual(lev.pValue)
    // The same request gives the same (seeded) interval.
    expect((await getJson(`${view.url}api/compare/${first}/${second}`)).body.metrics).toEqual(body.metrics)
  })

  it("compares with an unknown run: 404 naming it", async () => {
    const missing = await getJson(`${view.url}api/compare/${first}/no-such-run`)
    expect(missing.status).toBe(404)
    expect(missing.body.message).toContain("no-such-run")
  })

  it("streams a finished run's progress as one event, then ends the stream", async () => {
    const response = await fetch(`${view.url}api/runs/${first}/events`)
    expect(response.headers.get("content-type")).toContain("text/event-stream")
    const text = await response.text() // resolves only because the server ends the stream
    const events = text.split("\n\n").filter((e) => e.startsWith("event: progress"))
    expect(events).toHaveLength(1)
    expect(JSON.parse(events[0]!.split("data: ")[1]!)).toEqual({ id: first, status: "completed", finished: 10, total: 10 })
  })

  it("answers errors as JSON: unknown run 404, bad parameters 400, another Host 403", async () => {
    const missing = await getJson(`${view.url}api/runs/no-such-run`)
    expect(missing.status).toBe(404)
    expect(missing.body.message).toContain("no run no-such-run")
    expect((await getJson(`${view.url}api/runs/no-such-run/cases`)).status).toBe(404)
    const noCase = await getJson(`${view.url}api/runs/${first}/cases/99`)
    expect(noCase.status).toBe(404)
    expect(noCase.body.message).toContain("has no case 99")
    expect((await getJson(`${view.url}api/runs/${first}/cases?limit=100000`)).status).toBe(400)
    expect((await getJson(`${view.url}api/runs/${first}/cases?status=bogus`)).status).toBe(400)
    // fetch always sends the real Host: node:http sends the one given, as a rebound DNS name would.
    const foreign = await new Promise<number | undefined>((done, fail) =>
      request(`${view.url}api/runs`, { headers: { host: "attacker.example" } }, (res) => {
        res.resume()
        done(res.statusCode)
      }).on("error", fail).end())
    expect(foreign).toBe(403)
  })

  it("serves the page on every client route, with a Content Security Policy, and the front end", async () => {
    for (const path of ["", `runs/${first}`, `runs/${first}/cases/3`, `compare/${first}/${second}`]) {
      const response = await fetch(`${view.url}${path}`)
      expect(response.status).toBe(200)
      expect(response.headers.get("content-security-policy")).toContain("default-src 'self'")
      expect(await response.text()).toContain('<script type="module" src="/assets/app.js">')
    }
    const script = await fetch(`${view.url}assets/app.js`)
    expect(script.headers.get("content-type")).toContain("javascript")
  })
})

describe("assay view: usage errors", () => {
  it("a bad --port, an unknown flag, a missing store or a taken port exit 2 with one clear line", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["view", "--port", "70000", "--cache", "assay.db"], '--port: expected an integer from 0 to 65535, got "70000"'],
      [["view", "--port", "abc", "--cache", "assay.db"], '--port: expected an integer from 0 to 65535, got "abc"'],
      [["view", "--prot", "1", "--cache", "assay.db"], "did you mean --port?"],
      [["view", "--cache", "missing.db"], "no assay database at"],
      [["view", "--port", new URL(view.url).port, "--cache", "assay.db"], `cannot listen on 127.0.0.1:${new URL(view.url).port}`]
    ]
    for (const [args, message] of cases) {
      const r = await assay(args, { cwd: dir })
      expect(r.code, args.join(" ")).toBe(2)
      expect(r.stderr).toContain(message)
      expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    }
  })
})
