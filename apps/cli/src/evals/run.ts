/**
 * `assay run <file.eval.ts | folder | glob>`: every Eval the files export is one run, with its own progress,
 * reports and summary; the exit code is the worst of them (a failed run does not stop the next one).
 *
 * @example
 * ```ts
 * yield* runEvalFiles("examples/rag/rag.eval.ts", flags, outputs, config, cwd)
 * ```
 */
import { evalCases, type EvalDefaults, evalTask, InvalidTestCase } from "@assay/core"
import { Console, Duration, Effect, Option, Stream } from "effect"
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from "node:path"
import type { AssayConfig } from "../config/schema.js"
import { DatasetError, describeError, exitCodeOf } from "../errors.js"
import { loadDataset } from "../dataset/index.js"
import { ExitStatus, notices, reason, verdict } from "../exit-status.js"
import { execute } from "../run/execute.js"
import type { Outputs } from "../run/outputs.js"
import { DEFAULT_CACHE, resolvePlan, type RunFlags, withAbsoluteRecordings } from "../run/plan.js"
import { servesCached } from "../run/services.js"
import { withRunStore } from "../run/store.js"
import { type LoadedEval, loadEvals } from "./load.js"

/**
 * Run every Eval found through `arg`; sets the process exit code to the worst outcome.
 *
 * @example
 * ```ts
 * runEvalFiles("evals/", toRunFlags(parsed), outputs, config, process.cwd())
 * ```
 */
export const runEvalFiles = (arg: string, flags: RunFlags, outputs: Outputs, config: AssayConfig, cwd: string) =>
  Effect.gen(function*() {
    const evals = yield* loadEvals(arg, cwd)
    let worst = 0
    for (const loaded of evals) {
      const name = loaded.eval.name
      if (evals.length > 1) yield* Console.error(`\n── eval ${name} (${shown(loaded.file, cwd)}) ──`)
      const code = yield* runOne(loaded, flags, evals.length > 1 ? perEval(outputs, name) : outputs, config, cwd).pipe(
        Effect.catchAll((error) => Effect.as(Console.error(`assay: eval ${name}: ${describeError(error)}`), exitCodeOf(error)))
      )
      worst = Math.max(worst, code)
    }
    yield* ExitStatus.set(worst)
  })

/** A file's path as shown: relative to the working directory when it is beneath it. */
const shown = (file: string, cwd: string): string => {
  const rel = relative(cwd, file)
  return rel.startsWith("..") || isAbsolute(rel) ? file : rel
}

/** One Eval's run; its exit code (0 or 1) once it finished. */
const runOne = (loaded: LoadedEval, flags: RunFlags, outputs: Outputs, config: AssayConfig, cwd: string) =>
  Effect.gen(function*() {
    const self = loaded.eval
    const plan = withAbsoluteRecordings(resolvePlan(`${loaded.file}#${self.name}`, flags, withDefaults(config, self.options), join(cwd, DEFAULT_CACHE)), cwd)
    const cases = evalCases(self, (path) => loadDataset(resolve(dirname(loaded.file), path))).pipe(
      Stream.mapError((error) =>
        error instanceof DatasetError
          ? error
          : new DatasetError({ file: shown(loaded.file, cwd), detail: error instanceof InvalidTestCase ? `case #${error.index}: ${error.issues.join("; ")}` : describeError(error) }))
    )
    // A versioned task is served from the run's task cache (not when --fresh-task, --record or --replay).
    const task = evalTask(self, plan.hyperparameters, { read: !plan.freshTask && servesCached(plan) })
    const source = { cases, metrics: self.metrics, task, layer: self.layer }
    const result = yield* withRunStore(plan.cache ?? join(cwd, DEFAULT_CACHE), execute({ plan, resume: undefined, outputs, eval: source }), { fallback: true })
    yield* Effect.forEach([...notices(result), reason(result, plan.minPassRate)], (line) => Console.error(line), { discard: true })
    return verdict(result, plan.minPassRate)
  })

/** The config with an Eval's options as the defaults beneath the flags (the Eval is the more specific). */
const withDefaults = (config: AssayConfig, options: EvalDefaults): AssayConfig => {
  const duration = (input: Duration.DurationInput | undefined) => (input === undefined ? undefined : Duration.decode(input))
  const given = {
    concurrency: options.concurrency,
    throttle: duration(options.throttle),
    timeout: duration(options.timeout),
    deadline: duration(options.deadline),
    ignoreErrors: options.ignoreErrors,
    skipOnMissingParams: options.skipOnMissingParams,
    maxErrors: options.maxErrors,
    repeat: options.repeat,
    identifier: options.identifier
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined))
  return { ...config, ...defined, hyperparameters: { ...config.hyperparameters, ...options.hyperparameters } }
}

/** Report files of one Eval among several: `out.json` becomes `out.<name>.json`. */
const perEval = (outputs: Outputs, name: string): Outputs => {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "-")
  const rename = (file: Option.Option<string>) =>
    Option.map(file, (f) => join(dirname(f), `${basename(f, extname(f))}.${safe}${extname(f)}`))
  return { ...outputs, out: rename(outputs.out), jsonl: rename(outputs.jsonl), junit: rename(outputs.junit), html: rename(outputs.html) }
}

