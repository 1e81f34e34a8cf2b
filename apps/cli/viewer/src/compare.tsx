/**
 * Two runs compared: a per-metric table of paired statistics (means, mean difference with its bootstrap 95 %
 * interval, pass↔fail flips, McNemar and Holm-adjusted p, significant regressions marked), then the cases —
 * regressions first, then improvements, changed scores, and the cases only one run has — each section paged
 * by the server. Keys: Escape back to the runs.
 */
import type { Query, Source } from "./data.js"
import { href, navigate, seg } from "./route.js"
import type { ComparePage, CompareSection, MetricComparisonView } from "./types.js"
import { num, pending, useKeys, useLoad } from "./ui.js"

const PAGE = 100
/** The significance level of the regression marker (the CLI's `--alpha` default). */
const ALPHA = 0.05

/** A signed difference with three decimals. */
const signed = (n: number): string => `${n >= 0 ? "+" : ""}${n.toFixed(3)}`
/** A p-value, small ones as a bound. */
const pv = (p: number): string => (p < 0.0001 ? "<0.0001" : p.toFixed(4))
/** A significant drop: Holm-adjusted p below the level and more pass→fail than fail→pass flips. */
const regressedSignificantly = (m: MetricComparisonView): boolean => m.adjustedP < ALPHA && m.passToFail > m.failToPass
const improvedSignificantly = (m: MetricComparisonView): boolean => m.adjustedP < ALPHA && m.failToPass > m.passToFail

const MetricRow = ({ m }: { readonly m: MetricComparisonView }) => {
  const drop = regressedSignificantly(m)
  const gain = improvedSignificantly(m)
  const ci = m.diffCI === null ? "" : ` [${signed(m.diffCI.low)}, ${signed(m.diffCI.high)}]`
  return (
    <tr class={drop ? "metric significant-drop" : "metric"} data-metric={m.name}>
      <td>{m.name}</td>
      <td class="num">{num(m.meanBefore)}</td>
      <td class="num">{num(m.meanAfter)}</td>
      <td class="num diff">{m.meanDiff === null ? "–" : `${signed(m.meanDiff)}${ci}`}</td>
      <td class="num">{m.passToFail}</td>
      <td class="num">{m.failToPass}</td>
      <td class="num">{pv(m.pValue)}</td>
      <td class="num">{pv(m.adjustedP)}</td>
      <td class="verdict">
        {drop ? <span class="status failed">significant regression</span> : gain ? <span class="status passed">significant gain</span> : ""}
      </td>
    </tr>
  )
}

/** The per-metric statistics of the matched cases. */
const MetricTable = ({ metrics }: { readonly metrics: ReadonlyArray<MetricComparisonView> }) =>
  metrics.length === 0 ? null : (
    <section id="compare-metrics">
      <h2>Metrics <span class="muted">paired over the matched cases · Holm-adjusted · α {ALPHA}</span></h2>
      <table class="grid">
        <thead>
          <tr>
            <th>metric</th><th>mean A</th><th>mean B</th><th>Δ mean [95% CI]</th><th title="passed in A, failed in B">pass→fail</th>
            <th title="failed in A, passed in B">fail→pass</th><th>McNemar p</th><th>adjusted p</th><th></th>
          </tr>
        </thead>
        <tbody>{metrics.map((m) => <MetricRow key={m.name} m={m} />)}</tbody>
      </table>
    </section>
  )
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
  useKeys({ Escape: () => navigate("/") })
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
          <MetricTable metrics={loaded.value.metrics} />
          {TITLES.map(([section, title]) => <Section key={section} page={loaded.value} section={section} title={title} a={a} b={b} query={query} />)}
        </>
      ))}
    </main>
  )
}
