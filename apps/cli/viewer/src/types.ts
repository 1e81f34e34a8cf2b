/**
 * The shapes the viewer reads, imported as types from the server's Schemas (@assay/store and the API
 * definition): the browser bundle carries none of their code.
 */
export type { CaseDetail, CasePage, CaseRowView, CaseStatus, MetricStats, RunProgress, RunRowView, RunSummaryView } from "@assay/store"
export type { ComparePage, CompareSection, MetricComparisonView } from "../../src/view/api.js"
