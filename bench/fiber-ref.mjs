#!/usr/bin/env node
// What setting `CurrentCase` costs per case (core/src/engine/case-metrics.ts), in one process, alternating:
//   locally   Effect.locally(work, ref, Option.some(plainObject)) — acquire/use/release, a random hash per object
//   onExit    set, then restore with Effect.onExit (a CaseRef hashed by its index)
//   set       FiberRef.set before the work, never restored (what the engine does; each worker scopes it once)
//   none      the work alone
// Prints µs per case for each, ROUNDS times. Asserts nothing.
//   node bench/fiber-ref.mjs [N=200000] [ROUNDS=3]
import { Effect, Equal, FiberRef, Hash, Option } from "effect"

const [N = 200_000, ROUNDS = 3] = process.argv.slice(2).map(Number)
const ref = FiberRef.unsafeMake(Option.none())

class CaseRef {
  constructor(index) {
    this.index = index
    this.name = "x"
    this.repetition = 0
  }
  [Hash.symbol]() {
    return this.index
  }
  [Equal.symbol](that) {
    return that instanceof CaseRef && that.index === this.index
  }
}

const variants = {
  locally: (i, work) => Effect.locally(work, ref, Option.some({ index: i, name: "x", repetition: 0 })),
  onExit: (i, work) =>
    Effect.withFiberRuntime((fiber) => {
      const outer = fiber.getFiberRef(ref)
      return Effect.zipRight(FiberRef.set(ref, Option.some(new CaseRef(i))), Effect.onExit(work, () => FiberRef.set(ref, outer)))
    }),
  set: (i, work) => Effect.zipRight(FiberRef.set(ref, Option.some(new CaseRef(i))), work),
  none: (_i, work) => work
}

const loop = (wrap) =>
  Effect.gen(function*() {
    for (let i = 0; i < N; i++) yield* wrap(i, Effect.succeed(i))
  })

for (let round = 1; round <= ROUNDS; round++) {
  const line = Object.entries(variants).map(([name, wrap]) => {
    const started = performance.now()
    Effect.runSync(loop(wrap))
    return `${name} ${(((performance.now() - started) / N) * 1000).toFixed(2)} µs`
  })
  console.log(`round ${round}: ${line.join(" · ")}`)
}
