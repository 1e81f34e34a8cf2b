import * as core from "../packages/core/dist/index.js"
import { Effect, Schema } from "effect"
import { metrics } from "./scorers.mjs"
const N = 30000
const raw = Array.from({ length: N }, (_, i) => ({ name: `c${i}`, input: "q", actual_output: "paris france", expected_output: "paris france", context: ["a b c"] }))
const time = async (label, f) => { await f(); const t = performance.now(); await f(); console.log(label, ((performance.now() - t) * 1000 / N).toFixed(1), "µs/case") }
await time("normalize+dropNulls", () => raw.map((r) => core.normalizeKeys(r)))
const S = core.LLMTestCase.pipe(Schema.omit("_tag"))
const dec = Schema.decodeUnknownSync(S)
const norm = raw.map((r) => core.normalizeKeys(r))
await time("schema decode only", () => norm.map((r) => dec(r)))
const decoded = norm.map((r) => dec(r))
await time("class ctor (validating)", () => decoded.map((f) => new core.LLMTestCase(f)))
await time("class ctor (no validation)", () => decoded.map((f) => new core.LLMTestCase(f, true)))
await time("decodeTestCase", () => raw.map((r) => Effect.runSync(core.decodeTestCase(r))))
const cases = decoded.map((f) => new core.LLMTestCase(f, true))
for (const c of [1, 8, 64]) {
  await time(`evaluate 0 metrics c=${c}`, () => Effect.runPromise(core.evaluate(cases, [], { concurrency: c })))
  await time(`evaluate 1 metric c=${c}`, () => Effect.runPromise(core.evaluate(cases, metrics(core).slice(0, 1), { concurrency: c })))
  await time(`evaluate 3 metrics c=${c}`, () => Effect.runPromise(core.evaluate(cases, metrics(core), { concurrency: c })))
}
