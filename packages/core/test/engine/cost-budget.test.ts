/**
 * The run's cost budget under concurrency, on virtual time: reservations never let concurrent calls pass the
 * limit together, a refused call stops every later one, calls in flight finish and are kept, and the run ends
 * with status "budget" listing the rest as unfinished.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { CostBudget, evaluate, makeCostBudget, Metric } from "@assay/core"
import { makeCases } from "./helpers.js"

/** A "model call" of `cost` USD taking one second, under the run's budget when it has one. */
const paidCall = (estimate: number, cost: number, calls: { started: number }) =>
  Effect.flatMap(Effect.serviceOption(CostBudget), (budget) => {
    const call = Effect.sync(() => void calls.started++).pipe(Effect.zipRight(Effect.sleep("1 second")), Effect.as({ cost }))
    return Option.isNone(budget) ? call : budget.value.guard(estimate, call, (r) => r.cost)
  })

const paidMetric = (calls: { started: number }) =>
  Metric.make({ name: "paid", measure: () => Effect.map(paidCall(0.02, 0.01, calls), ({ cost }) => ({ score: 1, cost })) })

describe("cost budget", () => {
  it.effect("reserves atomically: of 10 concurrent calls reserving 1 against a limit of 5.5, exactly 5 start", () =>
    Effect.gen(function*() {
      const budget = yield* makeCostBudget(5.5)
      const calls = { started: 0 }
      const fibers = yield* Effect.forEach(Array.from({ length: 10 }), () => Effect.fork(budget.guard(1, Effect.zipRight(Effect.sleep("1 second"), Effect.succeed(0.9)), (c) => c)), { concurrency: "unbounded" })
      yield* Effect.yieldNow()
      const during = yield* budget.snapshot
      assert.strictEqual(during.inFlight, 5)
      assert.strictEqual(during.reserved, 5)
      assert.isTrue(during.stopped)
      const settled = yield* Effect.fork(budget.settled)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(settled)
      const after = yield* budget.snapshot
      assert.closeTo(after.spent, 4.5, 1e-9) // real costs replace the reservations
      assert.strictEqual(after.reserved, 0)
      // The refused calls never start, even though 1 more would now fit: the budget has stopped.
      const late = yield* Effect.fork(budget.guard(0.1, Effect.sync(() => void calls.started++), () => 0.1))
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(calls.started, 0)
      yield* Effect.forEach([...fibers, late], Fiber.interrupt, { discard: true })
    }))

  it.effect("a failed call releases its reservation", () =>
    Effect.gen(function*() {
      const budget = yield* makeCostBudget(1)
      yield* Effect.exit(budget.guard(0.8, Effect.fail("boom"), () => 1))
      const ok = yield* budget.guard(0.8, Effect.succeed(0.5), (c) => c)
      assert.strictEqual(ok, 0.5)
      assert.deepInclude(yield* budget.snapshot, { spent: 0.5, reserved: 0, inFlight: 0, stopped: false })
    }))

  it.effect("maxCost stops the run within one concurrency's worth of calls: status budget, the rest unfinished", () =>
    Effect.gen(function*() {
      const calls = { started: 0 }
      // 40 cases at 4 at a time, each call reserving 0.02 and costing 0.01, against 0.205 USD.
      const fiber = yield* Effect.fork(evaluate(makeCases(40), [paidMetric(calls)], { concurrency: 4, maxCost: 0.205 }))
      for (let t = 0; t < 40; t++) yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.status, "budget")
      assert.strictEqual(result.cases.length + result.unfinished.length, 40)
      assert.strictEqual(result.cases.length, calls.started, "every call that started finished and its case was kept")
      assert.isAtMost(result.summary.cost, 0.205)
      // Stopped no earlier than one concurrency's worth of calls below the limit.
      assert.isAtLeast(result.summary.cost, 0.205 - 4 * 0.02)
      assert.deepStrictEqual(result.unfinished.map((u) => u.index), Array.from({ length: 40 }, (_, i) => i).filter((i) => !result.cases.some((c) => c.index === i)))
    }))

  it.effect("a budget the run never reaches changes nothing", () =>
    Effect.gen(function*() {
      const calls = { started: 0 }
      const fiber = yield* Effect.fork(evaluate(makeCases(12), [paidMetric(calls)], { concurrency: 4, maxCost: 1 }))
      for (let t = 0; t < 3; t++) yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.status, "completed")
      assert.strictEqual(result.cases.length, 12)
      assert.closeTo(result.summary.cost, 0.12, 1e-9)
    }))

  it.effect("a budget provided by the caller (a resumed run's earlier spend) counts what was spent before", () =>
    Effect.gen(function*() {
      const calls = { started: 0 }
      const budget = yield* makeCostBudget(0.1, 0.06)
      const fiber = yield* Effect.fork(evaluate(makeCases(12), [paidMetric(calls)], { concurrency: 1 }).pipe(Effect.provideService(CostBudget, budget)))
      for (let t = 0; t < 12; t++) yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.status, "budget")
      // 0.06 spent before; each call reserves 0.02 and costs 0.01: calls start while spent + 0.02 ≤ 0.1.
      assert.strictEqual(result.cases.length, 3)
      assert.closeTo((yield* budget.snapshot).spent, 0.09, 1e-9)
    }))
})
