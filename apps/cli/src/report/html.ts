/**
 * The `--html` report: the viewer of `assay view` as one self-contained page — its script and stylesheet
 * inlined, the run embedded as JSON (its outcome first, then one case at a time, so the report is written
 * in one pass without holding the run) — that works offline from a file, e.g. as a CI artifact. The page
 * searches, filters, sorts and pages the embedded cases in the browser and shows each case in full.
 * Everything from a dataset or a model is embedded as escaped JSON (`embedJson`: no `</script>` can end
 * its element) and rendered as text.
 *
 * @example
 * ```ts
 * import { viewerReport } from "./html.js"
 * const page = renderWhole(viewerReport(yield* loadViewerAssets), { outcome, dataset: "cases.jsonl" }, results)
 * ```
 */
import { embedJson, standalonePage, type ViewerAssets } from "../view/assets.js"
import type { StreamedReport } from "./streamed.js"

/**
 * The report page for these front-end assets.
 *
 * @example
 * ```ts
 * renderWhole(viewerReport(assets), head, results).includes('id="assay-cases"') // true
 * ```
 */
export const viewerReport = (assets: ViewerAssets): StreamedReport => ({ dataset, outcome }) => {
  const page = standalonePage(assets, `assay — ${outcome.identifier ?? dataset}`)
  const run = embedJson({ outcome: { ...outcome, unfinished: outcome.unfinished.length }, dataset, startedAt: null })
  return {
    head: `${page.head}<script type="application/json" id="assay-run">${run}</script>
<script type="application/json" id="assay-cases">[`,
    item: (c, first) => `${first ? "" : ","}\n${embedJson(c)}`,
    tail: `]</script>
${page.tail}`
  }
}
