/**
 * A run's cost control: the models it pays for (the judge, an LLM target) must have a price when `--max-cost`
 * is set (else a usage error before the run: exit 2), and get a warning once otherwise (their cost is shown
 * as unknown, never $0); the budget itself counts a resumed run's earlier spend; the progress line shows the
 * spend against it; a run stopped by it says how to continue.
 *
 * @example
 * ```ts
 * import { checkPrices, makeRunBudget } from "./budget.js"
 * const unpriced = yield* checkPrices(plan, needsJudge)
 * const budget = yield* makeRunBudget(plan, earlierSpend)
 * ```
 */
import { type CostBudgetApi, makeCostBudget } from "@assay/core"
import { howToPrice, type JudgeStats, priceOf } from "@assay/judge"
import { Console, Effect } from "effect"
import { UsageError } from "../errors.js"
import { type SpendView, usd } from "../progress/render.js"
import type { RunPlan } from "./plan.js"
import { pricesOf } from "./services.js"

/**
 * The models a plan pays for, by role: the judge when a judged metric is selected, and an LLM target
 * (`openai:`, `anthropic:`, `openai-compatible:` …; http and exec targets are the user's own code).
 *
 * @example
 * ```ts
 * paidModels(plan, true) // [{ role: "judge", model: "openai:gpt-4o-mini" }]
 * ```
 */
export const paidModels = (plan: RunPlan, needsJudge: boolean): ReadonlyArray<{ readonly role: "judge" | "target"; readonly model: string }> => [
  ...(needsJudge && plan.judge !== null ? [{ role: "judge" as const, model: plan.judge }] : []),
  ...(plan.target !== null && /^[a-z-]+:/.test(plan.target.model) && !/^(https?|exec):/i.test(plan.target.model)
    ? [{ role: "target" as const, model: plan.target.model }]
    : [])
]

/**
 * Check that every paid model has a price. With `--max-cost` an unpriced one is a usage error naming it and
 * how to price it; without, a warning (once, here) — and the models are returned so the summary shows the
 * cost as unknown. A replayed run pays nothing and is not checked.
 *
 * @example
 * ```ts
 * const unpriced = yield* checkPrices(plan, needsJudge) // ["openai-compatible:llama3"]
 * ```
 */
export const checkPrices = (plan: RunPlan, needsJudge: boolean): Effect.Effect<ReadonlyArray<string>, UsageError> =>
  Effect.gen(function*() {
    if (plan.replay !== null) return []
    const prices = pricesOf(plan)
    const unpriced = paidModels(plan, needsJudge).filter(({ model }) => priceOf(prices, model) === undefined)
    const first = unpriced[0]
    if (first !== undefined && plan.maxCost !== null) {
      return yield* new UsageError({
        message: `--max-cost: no price is known for the ${first.role} ${first.model}, so its spend cannot be bounded; ${howToPrice(first.model)}`
      })
    }
    yield* Effect.forEach(
      unpriced,
      ({ model, role }) => Console.error(`warning: no price is known for the ${role} ${model}: its cost is shown as unknown; to price it, ${howToPrice(model)}`),
      { discard: true }
    )
    return unpriced.map(({ model }) => model)
  })

/**
 * The run's budget (undefined without `--max-cost`): the plan's limit, less what a resumed run spent before.
 *
 * @example
 * ```ts
 * const budget = yield* makeRunBudget(plan, 0.42)
 * ```
 */
export const makeRunBudget = (plan: RunPlan, earlierSpend: number): Effect.Effect<CostBudgetApi | undefined> =>
  plan.maxCost === null ? Effect.succeed(undefined) : makeCostBudget(plan.maxCost, earlierSpend)

/**
 * What the progress line shows of the spend: the budget's count when there is one, else the clients' costs
 * plus the earlier spend (unknown once an unpriced client has made a call).
 *
 * @example
 * ```ts
 * makeProgress({ ...settings, spend: spendView(budget, [judge.stats], 0) })
 * ```
 */
export const spendView = (
  budget: CostBudgetApi | undefined,
  clients: ReadonlyArray<Effect.Effect<JudgeStats>>,
  earlierSpend: number
): Effect.Effect<SpendView> =>
  budget !== undefined
    ? Effect.map(budget.snapshot, (s) => ({ spent: s.spent, limit: s.limit }))
    : Effect.map(Effect.all(clients), (stats) => ({
      spent: stats.some((s) => s.priced === false && (s.policy?.calls ?? 0) > 0) ? undefined : stats.reduce((n, s) => n + s.cost, earlierSpend),
      limit: undefined
    }))

/**
 * The closing message of a run the budget stopped.
 *
 * @example
 * ```ts
 * budgetMessage(5, 4.97, 120, "20261205-…") // "Budget reached: $4.97 of $5.00 spent (--max-cost); 120 cases unfinished. …"
 * ```
 */
export const budgetMessage = (limit: number, spent: number, unfinished: number, runId: string): string =>
  `Budget reached: ${usd(spent)} of ${usd(limit)} spent (--max-cost); ${unfinished} cases unfinished. ` +
  `Continue with a higher budget: assay resume ${runId} --max-cost <usd>`
