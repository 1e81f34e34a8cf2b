#!/usr/bin/env node
// Call-policy overhead (issue 17). Requires a build (`npm run build`). Prints numbers, asserts nothing.
//   node bench/policy.mjs [N=200000]
// N calls of `CallPolicy.run` on an attempt that succeeds at once (no I/O, the self-timed form the HTTP
// providers use), 50 at a time, after an untimed pass of N: the policy's own cost per call (gate, buckets,
// deadline, retry set-up), apart from the transport. Compare two checkouts by running it in each, alternating.
import { Effect } from "effect"
import { makePolicy } from "@assay/judge"

const N = Number(process.argv[2] ?? 200_000)
const ok = { text: "ok", usage: { input: 1, output: 1 } }

const program = Effect.gen(function*() {
  const policy = yield* makePolicy({ maxConnections: 50 })
  const call = policy.run("m", 10, () => Effect.succeed(ok))
  const pass = Effect.forEach(Array.from({ length: N }), () => call, { concurrency: 50, discard: true })
  yield* pass
  const start = performance.now()
  yield* pass
  return ((performance.now() - start) * 1000) / N
}).pipe(Effect.scoped)

const perCall = await Effect.runPromise(program)
console.log(`policy.run, ${N} calls, 50 at a time: ${perCall.toFixed(2)} µs per call`)
