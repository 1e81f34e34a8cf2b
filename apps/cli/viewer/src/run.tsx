/**
 * A run's page: summary, per-metric statistics with score histograms, and the case table — searched,
 * filtered by status, metric outcome and score range, sorted and paged by the source (the server's SQL), so
 * a 100k-case run is never loaded whole. A running run updates in place from the live event stream, which
 * closes when the run ends. Keys: j/k move, Enter opens the case, / searches, n/p next/previous page,
 * Escape clears the search or goes back to the runs.
 */
import type { RefObject } from "preact"
import { useEffect, useRef, useState } from "preact/hooks"
import type { Query, Source } from "./data.js"
import { href, navigate, seg } from "./route.js"
import type { CaseRowView, RunProgress, RunSummaryView } from "./types.js"
import { Histogram, ms, num, pct, pending, Status, usd, useKeys, useLoad, when } from "./ui.js"

const PAGE = 50
const STATUSES = ["failed", "errored", "passed", "skipped"] as const

/** Follow a running run's progress; `onChange` runs on every update. No connection for a finished run. */
const useLive = (source: Source, id: string, running: boolean, onChange: (p: RunProgress) => void) => {
  useEffect(() => {
    if (!source.served || !running) return
    const events = new EventSource(`/api/runs/${seg(id)}/events`)
    events.addEventListener("progress", (e) => {
      const progress = JSON.parse((e as MessageEvent<string>).data) as RunProgress
      onChange(progress)
      if (progress.status !== "running") events.close()
    })
    events.addEventListener("error", () => events.close())
    return () => events.close()
  }, [source, id, running])
}

const Summary = ({ summary }: { readonly summary: RunSummaryView }) => {
  const run = summary.run
  const card = (label: string, value: string, id?: string) => (
    <div class="card"><span class="muted">{label}</span><b id={id}>{value}</b></div>
  )
  return (
    <>
      <div class="cards">
        {card("pass rate", pct(run.passRate), "pass-rate")}
        {card("passed", String(run.passed))}
        {card("failed", String(run.failed))}
        {card("errored", String(run.errored))}
        {card("skipped", String(run.skipped))}
        {card("finished", `${run.finished}/${run.total}`, "finished")}
        {card("cost", usd(run.cost))}
        {card("duration", ms(run.durationMs))}
      </div>
      {run.status === "running" && (
        <progress id="progress" max={run.total} value={run.finished} aria-label="progress">{run.finished}/{run.total}</progress>
      )}
      <table class="grid" id="metrics">
        <thead>
          <tr><th>metric</th><th>scores</th><th>passed</th><th>failed</th><th>errored</th><th>skipped</th><th>mean</th><th>min</th><th>max</th><th>pass rate</th></tr>
        </thead>
        <tbody>
          {summary.metrics.map((m) => (
            <tr key={m.name}>
              <td>{m.name}</td>
              <td><Histogram counts={m.histogram} /></td>
              <td class="num">{m.passed}</td><td class="num">{m.failed}</td><td class="num">{m.errored}</td><td class="num">{m.skipped}</td>
              <td class="num">{num(m.mean)}</td><td class="num">{num(m.min)}</td><td class="num">{num(m.max)}</td><td class="num">{pct(m.passRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

/** Change some fields of the run page's query (back to the first page). */
type SetQuery = (changes: Query) => void

/** The search box's text, written to the query once typing pauses for 200 ms. */
const useSearchText = (query: Query, set: SetQuery) => {
  const [text, setText] = useState(query["q"] ?? "")
  useEffect(() => {
    if (text === (query["q"] ?? "")) return
    const timer = setTimeout(() => set({ q: text }), 200)
    return () => clearTimeout(timer)
  }, [text])
  return [text, setText] as const
}

/** The case filters: search, statuses, a metric, and that metric's outcome and score range. */
const Filters = ({ query, set, metrics, text, setText, search }: {
  readonly query: Query
  readonly set: SetQuery
  readonly metrics: ReadonlyArray<string>
  readonly text: string
  readonly setText: (text: string) => void
  readonly search: RefObject<HTMLInputElement | null>
}) => {
  const statuses = new Set((query["status"] ?? "").split(",").filter((x) => x !== ""))
  const toggleStatus = (status: string) => {
    const next = new Set(statuses)
    if (next.has(status)) next.delete(status)
    else next.add(status)
    set({ status: [...next].join(",") })
  }
  return (
    <div class="toolbar" id="filters">
      <input ref={search} type="search" placeholder="search name, input, outputs  ( / )" aria-label="search cases" value={text}
        onInput={(e) => setText(e.currentTarget.value)} />
      {STATUSES.map((status) => (
        <label key={status} class="chip">
          <input type="checkbox" checked={statuses.has(status)} onChange={() => toggleStatus(status)} /> {status}
        </label>
      ))}
      <select aria-label="metric" value={query["metric"] ?? ""} onChange={(e) => set({ metric: e.currentTarget.value })}>
        <option value="">any metric</option>
        {metrics.map((m) => <option key={m} value={m}>{m}</option>)}
      </select>
      {query["metric"] && (
        <>
          <select aria-label="metric outcome" value={query["metricStatus"] ?? ""} onChange={(e) => set({ metricStatus: e.currentTarget.value })}>
            <option value="">any outcome</option>
            {STATUSES.map((o) => <option key={o} value={o}>{o}</option>)}
          </select>
          <input class="score" type="number" step="0.05" placeholder="min score" aria-label="minimum score" value={query["minScore"] ?? ""}
            onChange={(e) => set({ minScore: e.currentTarget.value })} />
          <input class="score" type="number" step="0.05" placeholder="max score" aria-label="maximum score" value={query["maxScore"] ?? ""}
            onChange={(e) => set({ maxScore: e.currentTarget.value })} />
        </>
      )}
    </div>
  )
}

/** The sort marker of a column: ▴ ascending, ▾ descending, nothing when the cases are not sorted by it. */
const sortMark = (query: Query, sorted: boolean) => (sorted ? (query["order"] === "desc" ? " ▾" : " ▴") : "")

/** A column header that sorts the cases by `column` (ascending first, then descending). */
const SortHeader = ({ query, set, column, label }: { readonly query: Query; readonly set: SetQuery; readonly column: string; readonly label: string }) => (
  <th aria-sort={query["sort"] === column ? (query["order"] === "desc" ? "descending" : "ascending") : "none"}>
    <button type="button" class="sort" onClick={() => set({ sort: column, order: nextOrder(query, column) })}>
      {label}{sortMark(query, query["sort"] === column)}
    </button>
  </th>
)

/** Clicking a sorted column again reverses its order. */
const nextOrder = (query: Query, column: string) => (query["sort"] === column && query["order"] !== "desc" ? "desc" : "asc")

/** The case table's header row: sortable columns, one per metric (sorting by that metric's score). */
const CaseHeader = ({ query, set, metrics }: { readonly query: Query; readonly set: SetQuery; readonly metrics: ReadonlyArray<string> }) => (
  <thead>
    <tr>
      <SortHeader query={query} set={set} column="index" label="#" /><SortHeader query={query} set={set} column="name" label="name" />
      <SortHeader query={query} set={set} column="status" label="status" /><th>input</th><th>actual output</th>
      {metrics.map((m) => (
        <th key={m}>
          <button type="button" class="sort"
            onClick={() => set(query["metric"] === m ? { sort: "score", order: nextOrder(query, "score") } : { metric: m, sort: "score", order: "asc" })}>
            {m}{sortMark(query, query["sort"] === "score" && query["metric"] === m)}
          </button>
        </th>
      ))}
      <SortHeader query={query} set={set} column="cost" label="cost" />
    </tr>
  </thead>
)

/** One page of cases with its pager; the selected row is the one j/k move and Enter opens. */
const CaseTable = ({ id, query, set, metrics, items, total, offset, selected, setSelected, open, go }: {
  readonly id: string
  readonly query: Query
  readonly set: SetQuery
  readonly metrics: ReadonlyArray<string>
  readonly items: ReadonlyArray<CaseRowView>
  readonly total: number
  readonly offset: number
  readonly selected: number
  readonly setSelected: (index: number) => void
  readonly open: (index: number) => void
  readonly go: (offset: number) => void
}) => (
  <>
    <p class="muted" id="shown">{total === 0 ? "no cases match" : `${offset + 1}–${offset + items.length} of ${total}`}</p>
    <table class="grid cases" id="cases">
      <CaseHeader query={query} set={set} metrics={metrics} />
      <tbody>
        {items.map((c, i) => (
          <tr key={c.index} class={`case ${i === selected ? "selected" : ""}`} data-status={c.status} onClick={() => setSelected(i)}>
            <td class="num"><a href={href(`/runs/${seg(id)}/cases/${c.index}`, query)} onClick={(e) => { e.preventDefault(); open(c.index) }}>{c.index}</a></td>
            <td>{c.name ?? ""}</td>
            <td><Status status={c.status} /></td>
            <td class="clip">{c.input}</td>
            <td class="clip">{c.actual ?? ""}</td>
            {metrics.map((m) => <td key={m} class="num">{num(c.scores[m])}</td>)}
            <td class="num">{usd(c.cost)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <div class="pager">
      <button type="button" disabled={offset === 0} onClick={() => go(Math.max(0, offset - PAGE))}>← previous (p)</button>
      <button type="button" disabled={offset + PAGE >= total} onClick={() => go(offset + PAGE)}>next (n) →</button>
    </div>
  </>
)

/** The run page. */
export const RunPage = ({ source, id, query }: { readonly source: Source; readonly id: string; readonly query: Query }) => {
  const [tick, setTick] = useState(0)
  const summary = useLoad(() => source.summary(id), [source, id, tick])
  const page = useLoad(() => source.cases(id, { ...query, limit: String(PAGE) }), [source, id, JSON.stringify(query), tick])
  const [selected, setSelected] = useState(0)
  const set: SetQuery = (changes) => navigate(`/runs/${seg(id)}`, { ...query, offset: "", ...changes }, true)
  const [text, setText] = useSearchText(query, set)
  const search = useRef<HTMLInputElement>(null)
  const running = summary.state === "ok" && summary.value.run.status === "running"
  useLive(source, id, running, () => setTick((t) => t + 1))
  useEffect(() => setSelected(0), [JSON.stringify(query)])
  const items = page.state === "ok" ? page.value.items : []
  const total = page.state === "ok" ? page.value.total : 0
  const offset = Number(query["offset"] ?? 0)
  const go = (to: number) => navigate(`/runs/${seg(id)}`, { ...query, offset: to === 0 ? "" : String(to) }, true)
  const open = (index: number | undefined) => index !== undefined && navigate(`/runs/${seg(id)}/cases/${index}`, query)
  useKeys({
    j: () => setSelected((i) => Math.min(items.length - 1, i + 1)),
    k: () => setSelected((i) => Math.max(0, i - 1)),
    Enter: () => open(items[selected]?.index),
    "/": () => search.current?.focus(),
    n: () => offset + PAGE < total && go(offset + PAGE),
    p: () => offset > 0 && go(Math.max(0, offset - PAGE)),
    Escape: () => {
      if (text !== "" || document.activeElement === search.current) {
        setText("")
        search.current?.blur()
      } else navigate("/")
    }
  })
  const waiting = pending(summary)
  if (waiting) return waiting
  if (summary.state !== "ok") return null
  const s = summary.value
  const metrics = s.metrics.map((m) => m.name)
  return (
    <main>
      <p class="crumbs"><a href={href("/")} onClick={(e) => { e.preventDefault(); navigate("/") }}>runs</a> / {id}</p>
      <h1>{s.run.identifier ?? id} <Status status={s.run.status} /></h1>
      <p class="muted">run <span id="run-id">{id}</span> · started {when(s.run.startedAt)}</p>
      <Summary summary={s} />
      <h2>Cases</h2>
      <Filters query={query} set={set} metrics={metrics} text={text} setText={setText} search={search} />
      {pending(page) ?? (
        <CaseTable id={id} query={query} set={set} metrics={metrics} items={items} total={total} offset={offset}
          selected={selected} setSelected={setSelected} open={open} go={go} />
      )}
    </main>
  )
}
