/**
 * Where the viewer's data comes from: the JSON API of `assay view` (paged, filtered and searched by the
 * server), or the run embedded in a self-contained `--html` page (the same queries answered in the browser
 * over the embedded cases). Pages use only the {@link Source} interface, so both look and behave alike.
 */
import type { CaseDetail, CasePage, CaseRowView, CaseStatus, ComparePage, MetricStats, RunRowView, RunSummaryView } from "./types.js"

/** A case page's query, as URL search parameters. */
export type Query = Readonly<Record<string, string>>

/** The viewer's reads. */
export interface Source {
  /** True when served by `assay view` (live updates and comparisons are available). */
  readonly served: boolean
  /** The one run a self-contained page holds (its page is the start page). */
  readonly single?: string
  readonly runs: () => Promise<ReadonlyArray<RunRowView>>
  readonly summary: (id: string) => Promise<RunSummaryView>
  readonly cases: (id: string, query: Query) => Promise<CasePage>
  readonly kase: (id: string, index: number) => Promise<CaseDetail>
  readonly compare: (a: string, b: string, query: Query) => Promise<ComparePage>
}

/** A failed read: the server's message (never a stack). */
export class LoadError extends Error {}

const getJson = async <A>(path: string, query: Query = {}): Promise<A> => {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ""))
  const url = params.size > 0 ? `${path}?${params}` : path
  const response = await fetch(url, { headers: { accept: "application/json" } })
  const body = await response.json().catch(() => null) as { message?: unknown } | null
  if (!response.ok) {
    const message = typeof body?.message === "string" ? body.message : `${response.status} ${response.statusText} (${url})`
    throw new LoadError(message)
  }
  return body as A
}

const enc = encodeURIComponent

/** The API of `assay view`. */
export const served: Source = {
  served: true,
  runs: () => getJson("/api/runs"),
  summary: (id) => getJson(`/api/runs/${enc(id)}`),
  cases: (id, query) => getJson(`/api/runs/${enc(id)}/cases`, query),
  kase: (id, index) => getJson(`/api/runs/${enc(id)}/cases/${index}`),
  compare: (a, b, query) => getJson(`/api/compare/${enc(a)}/${enc(b)}`, query)
}

// ---- the embedded run of a self-contained page ----

type Content = string | ReadonlyArray<{ readonly type: string; readonly text?: string }>
type Result = CaseDetail["result"]

const contentText = (c: Content | undefined): string =>
  c === undefined ? "" : typeof c === "string" ? c : c.flatMap((p) => (p.type === "text" && p.text !== undefined ? [p.text] : [])).join("\n")

/** Input, actual and expected output of a result as text; a conversation shows as `role: text` lines. */
export const caseTexts = (r: Result): { input: string; actual: string | null; expected: string } => {
  const t = r.testCase
  if (t === undefined) return { input: "", actual: null, expected: "" }
  if (t.turns !== undefined) {
    return { input: t.turns.map((turn) => `${turn.role}: ${contentText(turn.content)}`).join("\n"), actual: null, expected: t.expectedOutcome ?? "" }
  }
  return { input: contentText(t.input), actual: t.actualOutput === undefined ? null : contentText(t.actualOutput), expected: contentText(t.expectedOutput) }
}

const statusOf = (r: Pick<Result, "skipped" | "errored" | "success">): CaseStatus =>
  r.skipped ? "skipped" : r.errored ? "errored" : r.success ? "passed" : "failed"
const metricStatus = (m: Result["metrics"][number]): CaseStatus =>
  m.skipped ? "skipped" : m.error !== null ? "errored" : m.success ? "passed" : "failed"

const rowOf = (r: Result): CaseRowView => {
  const { actual, input } = caseTexts(r)
  return {
    index: r.index,
    name: r.name,
    status: statusOf(r),
    input: input.slice(0, 240),
    actual: actual === null ? null : actual.slice(0, 240),
    cost: r.cost,
    durationMs: r.durationMs,
    scores: Object.fromEntries(r.metrics.map((m) => [m.name, m.score]))
  }
}

const statsOf = (results: ReadonlyArray<Result>): Array<MetricStats> => {
  const byName = new Map<string, { -readonly [K in keyof MetricStats]: MetricStats[K] } & { histogram: Array<number>; sum: number; scored: number }>()
  for (const r of results) {
    for (const m of r.metrics) {
      const s = byName.get(m.name) ?? {
        name: m.name, count: 0, passed: 0, failed: 0, errored: 0, skipped: 0, mean: null, min: null, max: null, passRate: null,
        histogram: Array.from({ length: 10 }, () => 0), sum: 0, scored: 0
      }
      const status = metricStatus(m)
      s.count++
      s[status]++
      if (m.score !== null) s.histogram[Math.min(9, Math.max(0, Math.floor(m.score * 10)))]!++
      if ((status === "passed" || status === "failed") && m.score !== null) {
        s.sum += m.score
        s.scored++
        s.min = s.min === null ? m.score : Math.min(s.min, m.score)
        s.max = s.max === null ? m.score : Math.max(s.max, m.score)
      }
      byName.set(m.name, s)
    }
  }
  return [...byName.values()].map(({ scored, sum, ...s }) => {
    const judged = s.passed + s.failed + s.errored
    return { ...s, mean: scored === 0 ? null : sum / scored, passRate: judged === 0 ? null : s.passed / judged }
  })
}

/** What a self-contained page embeds besides its cases. */
interface Embedded {
  readonly outcome: {
    readonly runId: string | null
    readonly identifier: string | null
    readonly status: string
    readonly summary: { readonly total: number; readonly durationMs: number }
  }
  readonly dataset: string
  readonly startedAt: number | null
}

const SORTS: Record<string, (r: CaseRowView, metric: string) => number | string | null> = {
  name: (r) => r.name,
  status: (r) => r.status,
  cost: (r) => r.cost,
  duration: (r) => r.durationMs,
  score: (r, metric) => r.scores[metric] ?? null
}

/** Answer a case query over rows in memory, like the server's SQL does. */
const queryRows = (all: ReadonlyArray<CaseRowView>, results: ReadonlyArray<Result>, q: Query): { total: number; items: Array<CaseRowView> } => {
  const statuses = q["status"] ? new Set(q["status"].split(",")) : undefined
  const text = (q["q"] ?? "").trim().toLowerCase()
  const metric = q["metric"] ?? ""
  const min = q["minScore"] ? Number(q["minScore"]) : undefined
  const max = q["maxScore"] ? Number(q["maxScore"]) : undefined
  const matches = all.filter((row, i) => {
    if (statuses && !statuses.has(row.status)) return false
    if (text !== "") {
      const r = results[i]!
      const t = caseTexts(r)
      if (![row.name ?? "", t.input, t.actual ?? "", t.expected].join("\n").toLowerCase().includes(text)) return false
    }
    if (metric !== "") {
      const m = results[i]!.metrics.find((x) => x.name === metric)
      if (m === undefined) return false
      if (q["metricStatus"] && metricStatus(m) !== q["metricStatus"]) return false
      if (min !== undefined && (m.score === null || m.score < min)) return false
      if (max !== undefined && (m.score === null || m.score > max)) return false
    }
    return true
  })
  const key = SORTS[q["sort"] ?? ""]
  const sign = q["order"] === "desc" ? -1 : 1
  if (key !== undefined) {
    matches.sort((a, b) => {
      const x = key(a, metric)
      const y = key(b, metric)
      if (x === y) return a.index - b.index
      if (x === null) return 1
      if (y === null) return -1
      return (x < y ? -1 : 1) * sign
    })
  } else if (sign === -1) matches.reverse()
  const offset = Number(q["offset"] ?? 0)
  return { total: matches.length, items: matches.slice(offset, offset + Number(q["limit"] ?? 50)) }
}

const readJson = <A>(id: string): A | undefined => {
  const element = document.getElementById(id)
  return element?.textContent ? JSON.parse(element.textContent) as A : undefined
}

/** The run embedded in this page, if any. */
export const embedded = (): Source | undefined => {
  const head = readJson<Embedded>("assay-run")
  const results = readJson<Array<Result>>("assay-cases")
  if (head === undefined || results === undefined) return undefined
  const id = head.outcome.runId ?? "run"
  const rows = results.map(rowOf)
  const count = (s: CaseStatus) => rows.filter((r) => r.status === s).length
  const [passed, failed, errored, skipped] = [count("passed"), count("failed"), count("errored"), count("skipped")]
  const run: RunRowView = {
    id,
    identifier: head.outcome.identifier ?? head.dataset,
    startedAt: head.startedAt ?? 0,
    status: head.outcome.status === "deadline" || head.outcome.status === "cancelled" ? head.outcome.status : "completed",
    total: Math.max(head.outcome.summary.total, rows.length),
    finished: rows.length,
    passed,
    failed,
    errored,
    skipped,
    passRate: passed + failed + errored === 0 ? null : passed / (passed + failed + errored),
    cost: rows.reduce((sum, r) => sum + r.cost, 0),
    durationMs: head.outcome.summary.durationMs
  }
  const summary: RunSummaryView = { run, metrics: statsOf(results), options: {}, hyperparameters: {} }
  const byIndex = new Map(results.map((r) => [r.index, r]))
  const missing = (what: string) => Promise.reject(new LoadError(what))
  return {
    served: false,
    single: id,
    runs: () => Promise.resolve([run]),
    summary: (runId) => runId === id ? Promise.resolve(summary) : missing(`this page holds run ${id} only`),
    cases: (_, q) => Promise.resolve({ offset: Number(q["offset"] ?? 0), ...queryRows(rows, results, q) }),
    kase: (_, index) => {
      const result = byIndex.get(index)
      return result === undefined ? missing(`no case ${index} in this run`) : Promise.resolve({ runId: id, status: statusOf(result), result })
    },
    compare: () => missing("comparisons need `assay view` (this page holds one run)")
  }
}
