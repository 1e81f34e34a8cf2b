/**
 * Compare two runs case by case, matched by identity ({@link caseIdentity}: the name, else a hash of the input
 * side — never the position or the output): cases that stopped passing (regressed), started passing (improved),
 * kept their verdict but changed a score (changed), and cases present in only one run. Per metric over the
 * matched cases: both means, the mean paired difference with a seeded paired-bootstrap 95 % interval, pass→fail
 * and fail→pass flips with McNemar's exact p, and Holm-adjusted p-values across the metrics.
 *
 * The first run is read once into a compact map (identity → verdict and scores); the second is streamed
 * against it, so neither run's full results are held in memory. The result's types are in `comparison.ts`.
 *
 * @example
 * ```ts
 * const diff = compareRuns(baseline, candidate)
 * diff.regressed.map((c) => c.index)
 * ```
 */
import { bootstrapMeanCI, type CaseResult, holmAdjust, mcnemarExact, type RunResult } from "@assay/core"
import { Effect, Stream } from "effect"
import { caseIdentity } from "./case-identity.js"
import type { CaseChange, CaseRef, CompareOptions, MetricComparison, MetricDelta, RunComparison } from "./comparison.js"

const metricDeltas = (before: Slim, after: CaseResult): ReadonlyArray<MetricDelta> => {
  const scores = new Map<string, { before: number | null; after: number | null }>()
  for (const m of before.metrics) scores.set(m.name, { before: m.score, after: null })
  for (const m of after.metrics) scores.set(m.name, { before: scores.get(m.name)?.before ?? null, after: m.score })
  const out: Array<MetricDelta> = []
  for (const [name, s] of scores) {
    if (s.before === s.after) continue
    out.push({ name, ...s, delta: s.before === null || s.after === null ? null : s.after - s.before })
  }
  return out
}

/** What the first run keeps of a case: enough to classify and pair it, none of its text. */
interface SlimMetric {
  readonly name: string
  readonly score: number | null
  /** null when skipped or errored: no verdict to pair. */
  readonly pass: boolean | null
}
interface Slim {
  readonly index: number
  readonly name: string | null
  readonly success: boolean
  readonly metrics: ReadonlyArray<SlimMetric>
}

const slimMetrics = (result: CaseResult): ReadonlyArray<SlimMetric> =>
  result.metrics.map((m) => {
    const ran = !m.skipped && m.error === null
    return { name: m.name, score: ran ? m.score : null, pass: ran ? m.success : null }
  })

/** Running paired statistics of one metric. */
interface MetricAcc {
  /** Paired differences, `n` of them, in a growing typed array (the bootstrap reads it without a copy). */
  diffs: Float64Array
  n: number
  sumBefore: number
  sumAfter: number
  verdicts: number
  passBefore: number
  passAfter: number
  passToFail: number
  failToPass: number
}

const emptyAcc = (): MetricAcc => ({
  diffs: new Float64Array(1024), n: 0, sumBefore: 0, sumAfter: 0, verdicts: 0, passBefore: 0, passAfter: 0, passToFail: 0, failToPass: 0
})

const pairMetric = (acc: MetricAcc, before: SlimMetric, after: SlimMetric): void => {
  if (before.score !== null && after.score !== null) {
    if (acc.n === acc.diffs.length) {
      const grown = new Float64Array(acc.n * 2)
      grown.set(acc.diffs)
      acc.diffs = grown
    }
    acc.diffs[acc.n++] = after.score - before.score
    acc.sumBefore += before.score
    acc.sumAfter += after.score
  }
  if (before.pass === null || after.pass === null) return
  acc.verdicts++
  if (before.pass) acc.passBefore++
  if (after.pass) acc.passAfter++
  if (before.pass && !after.pass) acc.passToFail++
  if (!before.pass && after.pass) acc.failToPass++
}

const metricStats = (accs: Map<string, MetricAcc>, options: CompareOptions): Array<MetricComparison> => {
  const raw = [...accs].map(([name, acc]) => {
    const n = acc.n
    const ci = bootstrapMeanCI(acc.diffs.subarray(0, n), options)
    return {
      name,
      paired: n,
      meanBefore: n === 0 ? null : acc.sumBefore / n,
      meanAfter: n === 0 ? null : acc.sumAfter / n,
      meanDiff: n === 0 ? null : (acc.sumAfter - acc.sumBefore) / n,
      diffCI: ci,
      verdicts: acc.verdicts,
      passRateBefore: acc.verdicts === 0 ? null : acc.passBefore / acc.verdicts,
      passRateAfter: acc.verdicts === 0 ? null : acc.passAfter / acc.verdicts,
      passToFail: acc.passToFail,
      failToPass: acc.failToPass,
      pValue: mcnemarExact(acc.passToFail, acc.failToPass)
    }
  })
  const adjusted = holmAdjust(raw.map((m) => m.pValue))
  return raw.map((m, i) => ({ ...m, adjustedP: adjusted[i] ?? 1 }))
}

/**
 * An incremental comparison: feed every case of the first run with `addBefore`, then every case of the second
 * with `addAfter`, then read `finish`. Two cases of one run with the same identity are told apart by their
 * order (`#2`, `#3`, …).
 *
 * @example
 * ```ts
 * const c = new ComparisonBuilder("run-a", "run-b")
 * for (const r of a.cases) c.addBefore(r)
 * for (const r of b.cases) c.addAfter(r)
 * c.finish().regressed
 * ```
 */
export class ComparisonBuilder {
  private readonly pending = new Map<string, Slim>()
  private readonly seenBefore = new Map<string, number>()
  private readonly seenAfter = new Map<string, number>()
  private readonly accs = new Map<string, MetricAcc>()
  private readonly regressed: Array<CaseChange> = []
  private readonly improved: Array<CaseChange> = []
  private readonly changed: Array<CaseChange> = []
  private readonly onlyAfter: Array<CaseRef> = []
  private unchanged = 0

  constructor(readonly before: string | null, readonly after: string | null) {}

  private static key(seen: Map<string, number>, result: CaseResult): string {
    const base = caseIdentity(result)
    const count = (seen.get(base) ?? 0) + 1
    seen.set(base, count)
    return count === 1 ? base : `${base}#${count}`
  }

  /** One case of the first run. */
  addBefore(result: CaseResult): void {
    const key = ComparisonBuilder.key(this.seenBefore, result)
    this.pending.set(key, { index: result.index, name: result.name, success: result.success, metrics: slimMetrics(result) })
  }

  /** One case of the second run (after every case of the first). */
  addAfter(result: CaseResult): void {
    const key = ComparisonBuilder.key(this.seenAfter, result)
    const b = this.pending.get(key)
    if (b === undefined) {
      this.onlyAfter.push({ index: result.index, key, name: result.name })
      return
    }
    this.pending.delete(key)
    // A case has a handful of metrics: a scan pairs them without building a map per case.
    const afterMetrics = slimMetrics(result)
    for (const m of b.metrics) {
      const a = afterMetrics.find((x) => x.name === m.name)
      if (a === undefined) continue
      let acc = this.accs.get(m.name)
      if (acc === undefined) this.accs.set(m.name, acc = emptyAcc())
      pairMetric(acc, m, a)
    }
    const change: CaseChange = {
      index: result.index, beforeIndex: b.index, key, name: result.name ?? b.name,
      before: b.success, after: result.success, metrics: metricDeltas(b, result)
    }
    if (b.success && !result.success) this.regressed.push(change)
    else if (!b.success && result.success) this.improved.push(change)
    else if (change.metrics.length > 0) this.changed.push(change)
    else this.unchanged++
  }

  /** The comparison of everything added. */
  finish(options: CompareOptions = {}): RunComparison {
    const onlyBefore = [...this.pending].map(([key, b]) => ({ index: b.index, key, name: b.name }))
    return {
      before: this.before, after: this.after,
      regressed: this.regressed, improved: this.improved, changed: this.changed, unchanged: this.unchanged,
      onlyBefore, onlyAfter: this.onlyAfter,
      metrics: metricStats(this.accs, options), adjustment: "holm"
    }
  }
}

/**
 * Compare `before` with `after` held in memory; see the module doc.
 *
 * @example
 * ```ts
 * compareRuns(a, b).unchanged // cases with the same verdict and scores
 * ```
 */
export const compareRuns = (before: RunResult, after: RunResult, options: CompareOptions = {}): RunComparison => {
  const builder = new ComparisonBuilder(before.runId, after.runId)
  for (const r of before.cases) builder.addBefore(r)
  for (const r of after.cases) builder.addAfter(r)
  return builder.finish(options)
}

/**
 * Compare two streamed runs (e.g. read from the store in SQL order): the first is drained into the compact
 * map, the second streamed against it.
 *
 * @example
 * ```ts
 * compareStreams({ id: "a", results: log.results("a") }, { id: "b", results: log.results("b") })
 * ```
 */
export const compareStreams = <E, R>(
  before: { readonly id: string | null; readonly results: Stream.Stream<CaseResult, E, R> },
  after: { readonly id: string | null; readonly results: Stream.Stream<CaseResult, E, R> },
  options: CompareOptions = {}
): Effect.Effect<RunComparison, E, R> =>
  Effect.gen(function*() {
    const builder = new ComparisonBuilder(before.id, after.id)
    yield* Stream.runForEach(before.results, (r) => Effect.sync(() => builder.addBefore(r)))
    yield* Stream.runForEach(after.results, (r) => Effect.sync(() => builder.addAfter(r)))
    return builder.finish(options)
  })
