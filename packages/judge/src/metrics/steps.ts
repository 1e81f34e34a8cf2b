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
import type { MetricError } from "@assay/core"
import { Effect } from "effect"
import type { Judge } from "../judge.js"
import { type JudgeContext, stringList, type Verdict, verdictList } from "./judge-metric.js"
import { numbered } from "./template.js"

/** What to extract and how to judge it. */
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
 */
export const extractThenJudge = (
  ctx: JudgeContext,
  spec: ExtractThenJudge
): Effect.Effect<{ readonly items: ReadonlyArray<string>; readonly verdicts: ReadonlyArray<Verdict> }, MetricError, Judge> =>
  Effect.gen(function*() {
    const extracted = yield* ctx.ask(stringList(spec.extract.key), spec.extract.step, spec.extract.vars)
    const items = (extracted as Record<string, ReadonlyArray<string>>)[spec.extract.key] ?? []
    if (items.length === 0) return { items, verdicts: [] }
    const { verdicts } = yield* ctx.ask(verdictList(items.length), spec.judge.step, spec.judge.vars(numbered(items)))
    return { items, verdicts }
  })

/**
 * Verdicts for a list the case already has (retrieval nodes, turns): one call, one verdict per item.
 *
 * @example
 * ```ts
 * judgeEach(ctx, nodes, "verdicts", (list) => ({ input, nodes: list }))
 * ```
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
