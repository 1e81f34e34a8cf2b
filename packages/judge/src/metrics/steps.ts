/**
 * The two-step pattern most judge metrics share: extract a list (statements, claims, opinions, intentions…)
 * from one text, then get one yes/no/idk verdict per item, and score the share of good verdicts.
 *
 * @example
 * ```ts
 * const { items, verdicts } = yield* extractThenJudge(ctx, {
 *   extract: { step: "statements", key: "statements", vars: { output } },
 *   judge: { step: "verdicts", vars: (list) => ({ input, statements: list }) }
 * })
 * ```
 */
import type { CaseField, Metric, MetricError, TestCase } from "@assay/core"
import { Effect } from "effect"
import type { Judge } from "../judge.js"
import {
  type JudgeContext,
  judgeMetric,
  type JudgeMetricOptions,
  ratio,
  reasonFrom,
  stringList,
  type Verdict,
  verdictList
} from "./judge-metric.js"
import { numbered, type Templates } from "./template.js"

/**
 * What to extract and how to judge it.
 *
 * @example
 * ```ts
 * const spec: ExtractThenJudge = { extract: { step: "claims", key: "claims", vars: { output } }, judge: { step: "verdicts", vars: (claims) => ({ claims }) } }
 * ```
 * @since 0.1.0
 */
export interface ExtractThenJudge {
  readonly extract: { readonly step: string; readonly key: string; readonly vars: Readonly<Record<string, string>> }
  /** `list` is the extracted items as a numbered list. */
  readonly judge: { readonly step: string; readonly vars: (list: string) => Readonly<Record<string, string>> }
}

/**
 * Run both steps; an empty extraction makes no verdict call.
 *
 * @example
 * ```ts
 * extractThenJudge(ctx, spec).pipe(Effect.map(({ verdicts }) => ratio(verdicts, "no", 1)))
 * ```
 * @since 0.1.0
 */
export const extractThenJudge = (
  ctx: JudgeContext,
  spec: ExtractThenJudge
): Effect.Effect<{ readonly items: ReadonlyArray<string>; readonly verdicts: ReadonlyArray<Verdict> }, MetricError, Judge> =>
  Effect.gen(function*() {
    const extracted = yield* ctx.ask(stringList(spec.extract.key), spec.extract.step, spec.extract.vars)
    const items = (extracted as Record<string, ReadonlyArray<string>>)[spec.extract.key] ?? []
    return { items, verdicts: yield* judgeEach(ctx, items, spec.judge.step, spec.judge.vars) }
  })

/**
 * Only the verdicts of {@link extractThenJudge}.
 *
 * @example
 * ```ts
 * extractedVerdicts(ctx, spec) // Effect<ReadonlyArray<Verdict>>
 * ```
 * @since 0.1.0
 */
export const extractedVerdicts = (ctx: JudgeContext, spec: ExtractThenJudge) =>
  Effect.map(extractThenJudge(ctx, spec), (r) => r.verdicts)

/**
 * Verdicts for a list the case already has (retrieval nodes, turns): one call, one verdict per item.
 *
 * @example
 * ```ts
 * judgeEach(ctx, nodes, "verdicts", (list) => ({ input, nodes: list }))
 * ```
 * @since 0.1.0
 */
export const judgeEach = (
  ctx: JudgeContext,
  items: ReadonlyArray<string>,
  step: string,
  vars: (list: string) => Readonly<Record<string, string>>
): Effect.Effect<ReadonlyArray<Verdict>, MetricError, Judge> =>
  items.length === 0
    ? Effect.succeed([])
    : Effect.map(ctx.ask(verdictList(items.length), step, vars(numbered(items))), (r) => r.verdicts)

/**
 * A metric scored as the share of verdicts that are not `bad`.
 *
 * @example
 * ```ts
 * ratioMetric({ ...spec, bad: "no", empty: 1 })
 * ```
 * @since 0.1.0
 */
export interface RatioMetricSpec {
  readonly name: string
  readonly templates: Templates
  readonly appliesTo?: Metric.CaseKind | undefined
  readonly requires: ReadonlyArray<CaseField>
  readonly options: JudgeMetricOptions
  /** Metric-specific settings that change scoring (part of the cache identity; default none). */
  readonly config?: Readonly<Record<string, unknown>> | undefined
  /** The verdict that costs points. */
  readonly bad: "yes" | "no"
  /** Score when the judge finds nothing to judge. */
  readonly empty: number
  /** What a bad verdict means, for the reason: "claims contradict the retrieval context". */
  readonly describe: string
  readonly verdicts: (testCase: TestCase, ctx: JudgeContext) => Effect.Effect<ReadonlyArray<Verdict>, MetricError, Judge>
}

/**
 * A judge metric whose score is `1 − bad ÷ verdicts` (`empty` without verdicts) and whose reason lists the
 * bad verdicts' reasons.
 *
 * @example
 * ```ts
 * ratioMetric({ name: "x", templates, requires: ["actualOutput"], options: {}, bad: "no", empty: 1,
 *   describe: "items are wrong", verdicts: (c, ctx) => judgeEach(ctx, ["a"], "verdicts", (list) => ({ list })) })
 * ```
 * @since 0.1.0
 */
export const ratioMetric = (spec: RatioMetricSpec): Metric.Metric<Judge> =>
  judgeMetric({
    name: spec.name,
    version: "1",
    templates: spec.templates,
    appliesTo: spec.appliesTo,
    requires: spec.requires,
    options: spec.options,
    config: spec.config ?? {},
    score: (testCase, ctx) =>
      Effect.map(spec.verdicts(testCase, ctx), (verdicts) => {
        const score = ratio(verdicts, spec.bad, spec.empty)
        const bad = verdicts.filter((v) => v.verdict === spec.bad).length
        return { score, reason: reasonFrom(score, `${bad} of ${verdicts.length} ${spec.describe}`, verdicts, spec.bad) }
      })
  })
