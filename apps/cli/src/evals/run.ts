/**
 * `assay run <file.eval.ts | folder | glob>`: every Eval the files export is one run, with its own progress,
 * reports and summary; the exit code is the worst of them (a failed run does not stop the next one). With
 * `--cluster`, each run's cases are evaluated by the cluster's runners, which load the same file.
 *
 * @example
 * ```ts
 * yield* runEvalFiles("examples/rag/rag.eval.ts", flags, outputs, config, cwd)
 * ```
 */
import { evalCases, type EvalDefaults, evalTask, InvalidTestCase, loadDataset } from "@assay/core"
import { Console, Duration, Effect, Option, type Redacted, Stream } from "effect"
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from "node:path"
import type { AssayConfig } from "../config/schema.js"
import { type CliError, DatasetError, describeError, failureOf, UsageError } from "../errors.js"
import { ExitStatus, notices, reason, verdict } from "../exit-status.js"
import { type EvalSource, execute } from "../run/execute.js"
import type { Outputs } from "../run/outputs.js"
import { DEFAULT_CACHE, resolvePlan, type RunFlags, type RunPlan, withAbsoluteRecordings } from "../run/plan.js"
import { servesCached } from "../run/services.js"
import { withRunStore } from "../run/store.js"
import { type LoadedEval, loadEvals } from "./load.js"
import { loadCluster } from "../cluster/load.js"

/**
 * Run every Eval found through `arg`; sets the process exit code to the worst outcome.
 *
 * @example
 * ```ts
 * runEvalFiles("evals/", toRunFlags(parsed), outputs, config, process.cwd())
 * ```
 */
export const runEvalFiles = (arg: string, flags: RunFlags, outputs: Outputs, config: AssayConfig, cwd: string, cluster?: OnCluster) =>
  Effect.gen(function*() {
    const evals = yield* loadEvals(arg, cwd)
    let worst = 0
    for (const loaded of evals) {
      const name = loaded.eval.name
      if (evals.length > 1) yield* Console.error(`\n── eval ${name} (${shown(loaded.file, cwd)}) ──`)
      const code = yield* runOne(loaded, flags, evals.length > 1 ? perEval(outputs, name) : outputs, config, cwd, cluster).pipe(
        Effect.catchAll((error: CliError) => {
          const { code, message } = failureOf(error)
          return Effect.as(Console.error(`assay: eval ${name}: ${message}`), code)
        })
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

/**
 * What an Eval brings to a run of `plan`: its cases (a dataset path read beside the eval file, errors naming
 * the file and line), its metrics, its task (served from the task cache when versioned) and its layer.
 *
 * @example
 * ```ts
 * execute({ plan, resume: undefined, outputs, eval: evalSource(loaded, plan, cwd) })
 * ```
 */
export const evalSource = (loaded: LoadedEval, plan: RunPlan, cwd: string): EvalSource => {
  const self = loaded.eval
  const cases = evalCases(self, (path) => loadDataset(resolve(dirname(loaded.file), path))).pipe(
    Stream.mapError((error) =>
      error instanceof DatasetError
        ? error
        : new DatasetError({ file: shown(loaded.file, cwd), detail: error instanceof InvalidTestCase ? `case #${error.index}: ${error.issues.join("; ")}` : describeError(error) }))
  )
  // A versioned task is served from the run's task cache (not when --fresh-task, --record or --replay).
  const task = evalTask(self, plan.hyperparameters, { read: !plan.freshTask && servesCached(plan) })
  return { cases, metrics: self.metrics, task, layer: self.layer }
}

/**
 * The Eval a stored plan ran (its dataset is `/path/file.eval.ts#name`), loaded again from its file.
 *
 * @example
 * ```ts
 * const loaded = yield* loadEvalRun("/p/qa.eval.ts#qa", cwd)
 * ```
 */
export const loadEvalRun = (dataset: string, cwd: string): Effect.Effect<LoadedEval, UsageError> => {
  const hash = dataset.lastIndexOf("#")
  const file = dataset.slice(0, hash)
  const name = dataset.slice(hash + 1)
  return Effect.flatMap(loadEvals(file, cwd), (evals) => {
    const found = evals.find((e) => e.eval.name === name)
    return found === undefined
      ? Effect.fail(new UsageError({ message: `${shown(file, cwd)} no longer exports an eval named "${name}"` }))
      : Effect.succeed(found)
  })
}

/**
 * `--cluster`: the cluster's Postgres URL, and whether this process evaluates cases too.
 *
 * @example
 * ```ts
 * const cluster: OnCluster = { url: Redacted.make("postgres://…"), localRunner: false }
 * ```
 */
export interface OnCluster {
  readonly url: Redacted.Redacted
  readonly localRunner: boolean
}

/** One Eval's run — here, or on the cluster's runners — and its exit code (0 or 1) once it finished. */
const runOne = (loaded: LoadedEval, flags: RunFlags, outputs: Outputs, config: AssayConfig, cwd: string, cluster: OnCluster | undefined) =>
  Effect.gen(function*() {
    const self = loaded.eval
    const plan = withAbsoluteRecordings(resolvePlan(`${loaded.file}#${self.name}`, flags, withDefaults(config, self.options), join(cwd, DEFAULT_CACHE)), cwd)
    const execution = { plan, resume: undefined, outputs, eval: evalSource(loaded, plan, cwd) }
    const result = cluster === undefined
      ? yield* withRunStore(plan.cache ?? join(cwd, DEFAULT_CACHE), execute(execution), { fallback: true })
      : yield* Effect.flatMap(loadCluster, (m) => m.runOnCluster(cluster.url, cluster.localRunner, execution))
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

