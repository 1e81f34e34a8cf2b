/**
 * @assay/vitest — evals as vitest tests: `evalTest(name, eval, options)` registers a test that runs the eval
 * and fails with a table of the failing cases; `assertEval(result, options)` asserts on a finished run inside
 * any test.
 *
 * @example
 * ```ts
 * import { evalTest } from "@assay/vitest"
 * evalTest("capitals", capitalsEval, { minPassRate: 0.9, thresholds: { "exact-match": 1 } })
 * ```
 */
export * from "./assert-eval.js"
export * from "./eval-test.js"
export * from "./failures.js"
