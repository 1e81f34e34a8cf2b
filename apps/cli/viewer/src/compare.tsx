/**
 * Two runs compared case by case: regressions first, then improvements, changed scores, and the cases only
 * one run has — each section paged by the server. Keys: Escape back to the runs.
 */
import type { Query, Source } from "./data.js"
import { href, navigate, seg } from "./route.js"
import type { ComparePage, CompareSection } from "./types.js"
import { num, pending, useKeys, useLoad } from "./ui.js"

const PAGE = 100
const TITLES: ReadonlyArray<readonly [CompareSection, string]> = [
  ["regressed", "Regressed (passed → failed)"],
  ["improved", "Improved (failed → passed)"],
  ["changed", "Scores changed"],
  ["onlyBefore", "Only in the first run"],
  ["onlyAfter", "Only in the second run"]
]

const Section = ({ page, section, title, a, b, query }: {
  readonly page: ComparePage
  readonly section: CompareSection
  readonly title: string
  readonly a: string
  readonly b: string
  readonly query: Query
}) => {
  const part = page[section]
  if (part.total === 0) return null
  const run = section === "onlyBefore" ? a : b
  const offset = query["section"] === section ? Number(query["offset"] ?? 0) : 0
  const go = (to: number) => navigate(`/compare/${seg(a)}/${seg(b)}`, { section, offset: String(to) }, true)
  return (
    <section id={`section-${section}`}>
      <h2>{title} <span class="muted">{part.total}</span></h2>
      <table class="grid">
        <thead><tr><th>#</th><th>name</th><th>metric changes</th></tr></thead>
        <tbody>
          {part.items.map((c) => (
            <tr key={c.index} class="case">
              <td class="num"><a href={href(`/runs/${seg(run)}/cases/${c.index}`)}>{c.index}</a></td>
              <td>{c.name ?? ""}</td>
              <td>{"metrics" in c ? c.metrics.map((m) => `${m.name} ${num(m.before)} → ${num(m.after)}`).join(" · ") : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {part.total > PAGE && (
        <div class="pager">
          <button type="button" disabled={offset === 0} onClick={() => go(Math.max(0, offset - PAGE))}>← previous</button>
          <span class="muted">{offset + 1}–{offset + part.items.length} of {part.total}</span>
          <button type="button" disabled={offset + PAGE >= part.total} onClick={() => go(offset + PAGE)}>next →</button>
        </div>
      )}
    </section>
  )
}

/** The compare page. */
export const ComparePageView = ({ source, a, b, query }: { readonly source: Source; readonly a: string; readonly b: string; readonly query: Query }) => {
  const loaded = useLoad(() => source.compare(a, b, { ...query, limit: String(PAGE) }), [source, a, b, JSON.stringify(query)])
  useKeys({ Escape: () => navigate("/") }, [])
  const link = (id: string) => <a href={href(`/runs/${seg(id)}`)}>{id}</a>
  return (
    <main>
      <p class="crumbs"><a href={href("/")}>runs</a> / compare</p>
      <h1>{link(a)} → {link(b)}</h1>
      {pending(loaded) ?? (loaded.state === "ok" && (
        <>
          <p class="muted" id="compare-counts">
            {loaded.value.regressed.total} regressed · {loaded.value.improved.total} improved · {loaded.value.changed.total} changed ·{" "}
            {loaded.value.unchanged} unchanged · {loaded.value.onlyBefore.total} only before · {loaded.value.onlyAfter.total} only after
          </p>
          {TITLES.map(([section, title]) => <Section key={section} page={loaded.value} section={section} title={title} a={a} b={b} query={query} />)}
        </>
      ))}
    </main>
  )
}
