/**
 * `assay resume <run-id|latest>`: continue an interrupted run with its stored plan, evaluating only the
 * cases it had not finished; the reports cover the whole run.
 *
 * @example
 * ```sh
 * assay resume latest --out results.json
 * ```
 */
import { Args, Command, Options } from "@effect/cli"
import { Path } from "@effect/platform"
import { Effect, Option } from "effect"
import type { TargetConfig } from "../config/schema.js"
import { UsageError } from "../errors.js"
import { ExitStatus } from "../exit-status.js"
import { execute } from "../run/execute.js"
import { bundledEntry, handOff } from "../evals/handoff.js"
import { isEvalRun } from "../evals/load.js"
import { evalSource, loadEvalRun } from "../evals/run.js"
import { DEFAULT_CACHE } from "../run/plan.js"
import { RunLog } from "../run/run-log.js"
import { withRunStore } from "../run/store.js"
import { maxCostFlag, outputFlags, toOutputs } from "./flags.js"

/**
 * `--cache` for commands that read the run store.
 *
 * @example
 * ```ts
 * Command.make("list", { cache: storeFlag }, ({ cache }) => Console.log(cache))
 * ```
 */
export const storeFlag = Options.text("cache").pipe(
  Options.withDescription("SQLite cache and run store (default .assay/assay.db)"),
  Options.optional
)

/**
 * The target of a resumed run: `--base-url` replaces the stored base URL, which must be given again when the
 * stored one had its credentials removed (the run store never keeps them).
 */
const resumedTarget = (runId: string, target: TargetConfig | null, baseUrl: Option.Option<string>) => {
  if (target === null || Option.isNone(baseUrl)) {
    return target?.baseUrl?.includes("<redacted>@")
      ? Effect.fail(new UsageError({ message: `run ${runId}'s target base URL carried credentials, which are not stored: resume with --base-url <url>` }))
      : Effect.succeed(target)
  }
  return Effect.succeed({ ...target, baseUrl: baseUrl.value })
}

/**
 * Run a command body against the store that `--cache` (or `ASSAY_DATABASE_URL`) names, which must exist (else
 * `ifMissing` runs, or the command fails naming the path).
 *
 * @example
 * ```ts
 * onExistingStore(Option.none(), Effect.flatMap(RunLog, (log) => log.list))
 * ```
 */
export const onExistingStore = <A, E, R>(cache: Option.Option<string>, body: Effect.Effect<A, E, R>, ifMissing?: Effect.Effect<A>) =>
  Effect.flatMap(Path.Path, (path) =>
    withRunStore(path.resolve(Option.getOrElse(cache, () => DEFAULT_CACHE)), body, { existing: true, ...(ifMissing ? { ifMissing } : {}) }))

/**
 * The `resume` command.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([resumeCommand]))
 * ```
 */
export const resumeCommand = Command.make(
  "resume",
  {
    runId: Args.text({ name: "run-id" }).pipe(Args.withDescription("a run id, or latest")),
    cache: storeFlag,
    baseUrl: Options.text("base-url").pipe(Options.withDescription("the target's base URL again (needed when it carried credentials, which are not stored)"), Options.optional),
    maxCost: maxCostFlag,
    ...outputFlags
  },
  (parsed) =>
    Effect.gen(function*() {
      const path = yield* Path.Path
      const storePath = path.resolve(Option.getOrElse(parsed.cache, () => DEFAULT_CACHE))
      const outputs = yield* toOutputs(parsed)
      const resumed = yield* withRunStore(
        storePath,
        Effect.gen(function*() {
          const info = yield* Effect.flatMap(RunLog, (log) => log.info(parsed.runId))
          const evalRun = isEvalRun(info.plan.dataset)
          // An eval file's run continues on the unbundled CLI, once this process has closed the store.
          if (evalRun && bundledEntry !== undefined) return { handOff: bundledEntry } as const
          const target = yield* resumedTarget(info.runId, info.plan.target, parsed.baseUrl)
          const plan = {
            ...info.plan,
            target,
            ...Option.match(parsed.minPassRate, { onNone: () => ({}), onSome: (minPassRate) => ({ minPassRate }) }),
            // A run stopped by its budget continues with a higher one: the whole run's limit, earlier spend included.
            ...Option.match(parsed.maxCost, { onNone: () => ({}), onSome: (maxCost) => ({ maxCost }) })
          }
          const source = evalRun ? evalSource(yield* loadEvalRun(plan.dataset, path.resolve(".")), plan, path.resolve(".")) : undefined
          const result = yield* execute({ plan, resume: info.runId, outputs, eval: source })
          return { plan, result }
        })
      )
      if ("handOff" in resumed) return yield* handOff(process.argv.slice(2), resumed.handOff)
      yield* ExitStatus.settle(resumed.result, resumed.plan.minPassRate)
    })
).pipe(Command.withDescription("Continue an interrupted run; reports cover the whole run"))
