/**
 * The runs list: newest first, filtered by identifier, sortable by any column; tick two runs to compare them.
 * Keys: j/k move, Enter opens, / filters, c compares the two ticked runs.
 */
import { useMemo, useRef, useState } from "preact/hooks"
import type { Source } from "./data.js"
import { href, navigate, seg } from "./route.js"
import type { RunRowView } from "./types.js"
import { ms, pct, pending, Status, usd, useKeys, useLoad, when } from "./ui.js"

type Column = "startedAt" | "identifier" | "status" | "total" | "passRate" | "cost" | "durationMs"
const COLUMNS: ReadonlyArray<readonly [Column, string]> = [
  ["startedAt", "started (UTC)"],
  ["identifier", "identifier"],
  ["status", "status"],
  ["total", "cases"],
  ["passRate", "pass rate"],
  ["cost", "cost"],
  ["durationMs", "duration"]
]

const compareRuns = (column: Column, desc: boolean) => (a: RunRowView, b: RunRowView): number => {
  const x = a[column] ?? ""
  const y = b[column] ?? ""
  return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1)
}

/** The runs list page. */
export const RunsPage = ({ source }: { readonly source: Source }) => {
  const loaded = useLoad(source.runs, [source])
  const [filter, setFilter] = useState("")
  const [sort, setSort] = useState<{ column: Column; desc: boolean }>({ column: "startedAt", desc: true })
  const [selected, setSelected] = useState(0)
  const [ticked, setTicked] = useState<ReadonlyArray<string>>([])
  const input = useRef<HTMLInputElement>(null)
  const runs = useMemo(() => {
    if (loaded.state !== "ok") return []
    const text = filter.trim().toLowerCase()
    return loaded.value.filter((r) => text === "" || (r.identifier ?? "").toLowerCase().includes(text) || r.id.toLowerCase().includes(text))
      .sort(compareRuns(sort.column, sort.desc))
  }, [loaded, filter, sort])
  const open = (run: RunRowView | undefined) => run && navigate(`/runs/${seg(run.id)}`)
  const compare = () => ticked.length === 2 && navigate(`/compare/${seg(ticked[0]!)}/${seg(ticked[1]!)}`)
  useKeys({
    j: () => setSelected((i) => Math.min(runs.length - 1, i + 1)),
    k: () => setSelected((i) => Math.max(0, i - 1)),
    Enter: () => open(runs[selected]),
    "/": () => input.current?.focus(),
    c: compare,
    Escape: () => {
      setFilter("")
      input.current?.blur()
    }
  })
  const waiting = pending(loaded)
  if (waiting) return waiting
  const toggle = (id: string) => setTicked((t) => (t.includes(id) ? t.filter((x) => x !== id) : [...t, id].slice(-2)))
  return (
    <main>
      <h1>Runs</h1>
      <div class="toolbar">
        <input ref={input} type="search" placeholder="filter by identifier  ( / )" value={filter} aria-label="filter runs"
          onInput={(e) => setFilter(e.currentTarget.value)} />
        {source.served && (
          <button type="button" disabled={ticked.length !== 2} onClick={compare}>compare the two ticked runs (c)</button>
        )}
      </div>
      {runs.length === 0 ? <p class="muted">no runs</p> : (
        <table class="grid" id="runs">
          <thead>
            <tr>
              {source.served && <th />}
              <th>run</th>
              {COLUMNS.map(([column, label]) => (
                <th key={column} aria-sort={sort.column === column ? (sort.desc ? "descending" : "ascending") : "none"}>
                  <button type="button" class="sort" onClick={() => setSort((s) => ({ column, desc: s.column === column ? !s.desc : column === "startedAt" }))}>
                    {label}{sort.column === column ? (sort.desc ? " ▾" : " ▴") : ""}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.map((run, i) => (
              <tr key={run.id} class={i === selected ? "selected" : ""} onClick={() => setSelected(i)} onDblClick={() => open(run)}>
                {source.served && (
                  <td><input type="checkbox" aria-label={`tick ${run.id}`} checked={ticked.includes(run.id)} onChange={() => toggle(run.id)} /></td>
                )}
                <td><a href={href(`/runs/${seg(run.id)}`)} onClick={(e) => { e.preventDefault(); open(run) }}>{run.id}</a></td>
                <td>{when(run.startedAt)}</td>
                <td>{run.identifier ?? ""}</td>
                <td><Status status={run.status} /></td>
                <td class="num">{run.finished}/{run.total} <span class="muted">({run.passed} ✓ {run.failed} ✗ {run.errored} !)</span></td>
                <td class="num">{pct(run.passRate)}</td>
                <td class="num">{usd(run.cost)}</td>
                <td class="num">{ms(run.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  )
}
