/**
 * `evalTest`: an Eval as a vitest test. The evaluation runs inside the test body (through @effect/vitest's
 * `it.live`: the real clock, as judge calls, retries and rate limits need), never in a `beforeAll` hook, so a
 * long run is bounded by the test's own `timeout` rather than vitest's hook timeout or its worker RPC timeout.
 *
 * @example
 * ```ts
 * import { evalTest } from "@assay/vitest"
 * evalTest("capitals", capitalsEval, { minPassRate: 0.9, timeout: "10 minutes" })
 * ```
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import type * as FileSystem from "@effect/platform/FileSystem"
import { it } from "@effect/vitest"
import { type Eval, runEval, type RunEvalOptions } from "@assay/core"
import { Duration, Effect } from "effect"
import { assertEval } from "./assert-eval.js"
import type { EvalBar } from "./failures.js"

/**
 * The test's time limit when none is given: judge-scored evals take minutes, not vitest's default 5 s.
 *
 * @since 0.1.0
 */
export const DEFAULT_EVAL_TIMEOUT: Duration.Duration = Duration.minutes(10)

/**
 * Options of {@link evalTest}.
 *
 * @example
 * ```ts
 * const options: EvalTestOptions = { minPassRate: 0.8, thresholds: { "exact-match": 1 }, timeout: "5 minutes" }
 * ```
 * @since 0.1.0
 */
export interface EvalTestOptions extends EvalBar {
  /**
   * The test's time limit (default 10 minutes), passed to vitest as this test's timeout. Set it above the
   * run's expected length: vitest fails a test that exceeds it, whatever `testTimeout` in the config says.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** Run options over the Eval's own (concurrency, repeat, repeatReducer, loadDataset…), as `runEval` takes. */
  readonly run?: RunEvalOptions | undefined
}

/**
 * Register a vitest test named `name` that runs `ev` (a dataset path is read from the working directory, with
 * Node's file system) and fails — with a table of each failing case's name,
 * input, expected and actual output, and each failing metric's score, threshold and reason — when the pass rate
 * is below `minPassRate` (default 1). A run that fails outright (fail-fast on a metric or task error) fails
 * the test with that error.
 *
 * @example
 * ```ts
 * evalTest("capitals", Eval.make({ name: "capitals", data, task, metrics: [exactMatch()], layer: AtlasLive }))
 * ```
 * @since 0.1.0
 */
export const evalTest = <E>(name: string, ev: Eval.Eval<FileSystem.FileSystem, E>, options: EvalTestOptions = {}): void => {
  const timeout = Duration.toMillis(Duration.decode(options.timeout ?? DEFAULT_EVAL_TIMEOUT))
  it.live(name, () =>
    Effect.map(runEval(ev, options.run), (result) =>
      assertEval(result, { name: ev.name, minPassRate: options.minPassRate, thresholds: options.thresholds })).pipe(
        Effect.provide(NodeFileSystem.layer)
      ), timeout)
}
