/**
 * A spending limit for a whole run (`maxCost`). Every paid model call — judge or target — goes through
 * {@link CostBudgetApi.guard}: it reserves the call's estimated worst-case cost, and starts the call only when
 * what is spent plus what is reserved for calls in flight plus this reservation stays within the limit. The
 * reply's real cost then replaces the reservation. The first call that does not fit stops the budget: from
 * then on no call starts (a refused call waits, to be interrupted when the run stops), calls in flight finish,
 * and once they have all settled {@link CostBudgetApi.settled} completes — the engine then ends the run with
 * status `budget`, keeping what finished.
 *
 * The counters live in one `Ref`, changed by `Ref.modify` (atomic between fibers), so concurrent calls can
 * never reserve past the limit together.
 *
 * @example
 * ```ts
 * const budget = yield* makeCostBudget(5)
 * const reply = yield* budget.guard(0.002, callModel, (r) => r.cost)
 * ```
 */
import { Context, Deferred, Effect, Exit, Ref } from "effect"

/**
 * What the budget has seen so far (USD).
 *
 * @example
 * ```ts
 * const { limit, spent, reserved } = yield* budget.snapshot
 * ```
 * @since 0.1.0
 */
export interface BudgetSnapshot {
  readonly limit: number
  /** Real cost of the calls that have replied (and what was spent before a resumed run). */
  readonly spent: number
  /** Reservations of the calls in flight. */
  readonly reserved: number
  readonly inFlight: number
  /** A call was refused: no call starts any more. */
  readonly stopped: boolean
}

/**
 * The run-wide budget: `guard` reserves a call's worst-case cost and settles it with the real one.
 *
 * @example
 * ```ts
 * const budget: CostBudgetApi = yield* CostBudget
 * ```
 * @since 0.1.0
 */
export interface CostBudgetApi {
  readonly limit: number
  /**
   * Run `call` under a reservation of `estimate` USD, settled with `costOf(reply)` (a failed or interrupted
   * call releases its reservation: providers do not bill failed requests). When the reservation does not
   * fit, the budget stops and the returned effect never completes: the run interrupts it as it stops.
   */
  readonly guard: <A, E, R>(estimate: number, call: Effect.Effect<A, E, R>, costOf: (reply: A) => number) => Effect.Effect<A, E, R>
  readonly snapshot: Effect.Effect<BudgetSnapshot>
  /** Completes once the budget has stopped and every call in flight has settled. */
  readonly settled: Effect.Effect<void>
}

/**
 * The run's budget, when it has one (the engine and the judge look it up with `Effect.serviceOption`).
 *
 * @example
 * ```ts
 * run.pipe(Effect.provideService(CostBudget, yield* makeCostBudget(5)))
 * ```
 * @since 0.1.0
 */
export class CostBudget extends Context.Tag("assay/CostBudget")<CostBudget, CostBudgetApi>() {}

interface Counters {
  readonly spent: number
  readonly reserved: number
  readonly inFlight: number
  readonly stopped: boolean
}

/**
 * A budget of `limit` USD, of which `alreadySpent` is gone (a resumed run's earlier spend).
 *
 * @example
 * ```ts
 * const budget = yield* makeCostBudget(5, 1.25)
 * ```
 * @since 0.1.0
 */
export const makeCostBudget = (limit: number, alreadySpent = 0): Effect.Effect<CostBudgetApi> =>
  Effect.gen(function*() {
    const counters = yield* Ref.make<Counters>({ spent: alreadySpent, reserved: 0, inFlight: 0, stopped: false })
    const settled = yield* Deferred.make<void>()
    const settleIfIdle = (c: Counters) => (c.stopped && c.inFlight === 0 ? Deferred.succeed(settled, undefined) : Effect.void)

    /** Reserve `estimate`, or stop the budget: true when the call may start. */
    const reserve = (estimate: number) =>
      Effect.flatMap(
        Ref.modify(counters, (c): [Counters | undefined, Counters] => {
          if (!c.stopped && c.spent + c.reserved + estimate <= limit) {
            const next = { ...c, reserved: c.reserved + estimate, inFlight: c.inFlight + 1 }
            return [next, next]
          }
          const next = { ...c, stopped: true }
          return [undefined, next]
        }),
        (reserved) => (reserved === undefined ? Effect.as(Effect.flatMap(Ref.get(counters), settleIfIdle), false) : Effect.succeed(true))
      )

    /** Replace a reservation by the real cost. */
    const settle = (estimate: number, cost: number) =>
      Effect.flatMap(
        Ref.updateAndGet(counters, (c) => ({ ...c, spent: c.spent + cost, reserved: c.reserved - estimate, inFlight: c.inFlight - 1 })),
        settleIfIdle
      )

    const guard = <A, E, R>(estimate: number, call: Effect.Effect<A, E, R>, costOf: (reply: A) => number): Effect.Effect<A, E, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(reserve(estimate), (ok) =>
          ok
            ? restore(call).pipe(Effect.onExit((exit) => settle(estimate, Exit.isSuccess(exit) ? costOf(exit.value) : 0)))
            : restore(Effect.never))
      )

    const snapshot = Effect.map(Ref.get(counters), (c): BudgetSnapshot => ({ limit, ...c }))
    return { limit, guard, snapshot, settled: Deferred.await(settled) }
  })
