/**
 * The `--html` report: one self-contained page (inline CSS and a small fixed script, no network) with the
 * summary, per-metric aggregates and every case — input, outputs, context, each metric's score and reason.
 * Everything that comes from a dataset or a model is HTML-escaped; the script never embeds data, it only
 * filters rows that are already in the page.
 *
 * @example
 * ```ts
 * import { htmlReport } from "./html.js"
 * const page = renderWhole(htmlReport, { outcome, dataset: "cases.jsonl" }, results)
 * ```
 */
import type { CaseResult, MetricSummary } from "@assay/core"
import type { StreamedReport } from "./streamed.js"
import { escapeHtml as e, formatCost, formatMillis, percent } from "./text.js"
import { caseLabel, type CaseView, resultView } from "./view.js"

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1f;background:#fafafa}
h1{font-size:1.4rem;margin:0 0 .3rem}.muted{color:#666}
.cards{display:flex;gap:1rem;margin:1rem 0;flex-wrap:wrap}.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem}
.card b{display:block;font-size:1.3rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:1rem 0}th,td{border:1px solid #e3e3e3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f3}.pass{color:#137333}.fail{color:#b3261e}.error{color:#8a4b00}.skip{color:#666}
tr.case.hidden{display:none}pre{white-space:pre-wrap;margin:0;font:12px/1.4 ui-monospace,monospace}
.filters label{margin-right:1rem}`

const SCRIPT = `
(function(){
  var boxes=document.querySelectorAll('.filters input');
  function apply(){
    var on={};boxes.forEach(function(b){on[b.value]=b.checked});
    var shown=0;document.querySelectorAll('tr.case').forEach(function(r){
      var v=!!on[r.getAttribute('data-status')];r.classList.toggle('hidden',!v);if(v)shown++});
    document.getElementById('shown').textContent=String(shown);
  }
  boxes.forEach(function(b){b.addEventListener('change',apply)});apply();
})();`

const statusOf = (c: CaseResult) => (c.skipped ? "skipped" : c.errored ? "errored" : c.success ? "passed" : "failed")
const CLASS: Record<string, string> = { passed: "pass", failed: "fail", errored: "error", skipped: "skip" }

const num = (n: number | null) => (n === null ? "–" : n.toFixed(3))

const metricRow = (m: MetricSummary) =>
  `<tr><td>${e(m.name)}</td><td>${m.count}</td><td>${m.passed}</td><td>${m.errored}</td><td>${m.skipped}</td>` +
  `<td>${num(m.mean)}</td><td>${num(m.min)}</td><td>${num(m.max)}</td><td>${percent(m.passRate)}</td></tr>`

const contentCell = (view: CaseView | undefined) => {
  if (view === undefined) return `<td class="muted">(content not kept)</td>`
  const part = (label: string, text: string | undefined) => (text === undefined ? "" : `<div><b>${label}</b><pre>${e(text)}</pre></div>`)
  return `<td>${part("input", view.input)}${part("expected", view.expected)}${part("actual", view.actual)}` +
    `${view.context.length > 0 ? part("context", view.context.join("\n")) : ""}</td>`
}

const caseRow = (c: CaseResult) => {
  const view = resultView(c)
  const status = statusOf(c)
  const caseError = c.error === undefined ? "" : `<div class="error"><b>error</b><pre>${e(c.error)}</pre></div>`
  const metrics = caseError + c.metrics.map((m) => {
    const cls = m.skipped ? "skip" : m.error !== null ? "error" : m.success ? "pass" : "fail"
    const detail = m.error ?? m.reason ?? ""
    return `<div class="${cls}"><b>${e(m.name)}</b> ${m.skipped ? "skipped" : num(m.score)}${m.cached ? " (cached)" : ""}` +
      `${detail ? `<pre>${e(detail)}</pre>` : ""}</div>`
  }).join("")
  return `<tr class="case" data-status="${status}"><td>${e(caseLabel(c))}</td><td class="${CLASS[status]}">${status}</td>` +
    `${contentCell(view)}<td>${metrics}</td></tr>`
}

/**
 * The report page, a case row at a time.
 *
 * @example
 * ```ts
 * renderWhole(htmlReport, head, results).includes("<table") // true
 * ```
 */
export const htmlReport: StreamedReport = ({ dataset, outcome }) => {
  const s = outcome.summary
  const title = `assay — ${outcome.identifier ?? dataset}`
  const card = (label: string, value: string) => `<div class="card"><span class="muted">${label}</span><b>${value}</b></div>`
  const filter = (value: string, count: number) =>
    `<label><input type="checkbox" value="${value}" checked> ${value} (${count})</label>`
  const head = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${e(title)}</h1>
<div class="muted">run <span id="run-id">${e(outcome.runId ?? "–")}</span> · dataset ${e(dataset)} · status <span id="status">${outcome.status}</span></div>
<div class="cards">${card("pass rate", `<span id="pass-rate">${percent(s.passRate)}</span>`)}${card("passed", String(s.passed))}${card("failed", String(s.failed))}${card("errored", String(s.errored))}${card("skipped", String(s.skipped))}${card("duration", formatMillis(s.durationMs))}${card("cost", formatCost(s.cost))}</div>
<h2>Metrics</h2>
<table id="metrics"><thead><tr><th>metric</th><th>count</th><th>passed</th><th>errored</th><th>skipped</th><th>mean</th><th>min</th><th>max</th><th>pass rate</th></tr></thead>
<tbody>${s.metrics.map(metricRow).join("\n")}</tbody></table>
<h2>Cases</h2>
<div class="filters">${filter("failed", s.failed)}${filter("errored", s.errored)}${filter("passed", s.passed)}${filter("skipped", s.skipped)} · showing <span id="shown">–</span></div>
<table id="cases"><thead><tr><th>case</th><th>status</th><th>content</th><th>metrics</th></tr></thead>
<tbody>`
  const tail = `
</tbody></table>
${outcome.unfinished.length > 0 ? `<p class="muted">${outcome.unfinished.length} unfinished cases.</p>` : ""}
<script>${SCRIPT}</script>
</body></html>
`
  return { head, item: (c) => `\n${caseRow(c)}`, tail }
}
