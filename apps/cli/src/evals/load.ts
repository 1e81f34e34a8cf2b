/**
 * Loading eval files: `assay run` given a `*.eval.ts` file, a folder (every `*.eval.{ts,mts,js,mjs}` under
 * it) or a glob imports each file and runs every Eval it exports. TypeScript is loaded through tsx: it
 * strips types with esbuild (already the build's bundler) at import time, needs no build step or tsconfig,
 * resolves imports exactly as Node does (so `@assay/core` is the project's one copy) and handles ESM, which
 * jiti's CommonJS-first transform does not do natively.
 *
 * @example
 * ```ts
 * const evals = yield* loadEvals("examples/rag", cwd) // ReadonlyArray<LoadedEval>
 * ```
 */
import { type Eval, isEval } from "@assay/core"
import { Effect } from "effect"
import { existsSync, readFileSync, statSync } from "node:fs"
import { dirname, isAbsolute, relative, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { UsageError } from "../errors.js"

/** One Eval found in an eval file. */
export interface LoadedEval {
  readonly file: string
  /** The export it came from (`default` or a named export). */
  readonly exportName: string
  readonly eval: Eval.Eval<never, unknown>
}

const EVAL_FILE = /\.(?:ts|mts|cts|js|mjs|cjs)$/i
const GLOB = /[*?[\]{}]/

/**
 * True when `assay run`'s argument names eval files rather than a dataset: a script file, a folder or a glob.
 *
 * @example
 * ```ts
 * isEvalTarget("qa.eval.ts") // true;  isEvalTarget("qa.jsonl") // false
 * ```
 */
export const isEvalTarget = (arg: string): boolean => EVAL_FILE.test(arg) || GLOB.test(arg) || isDirectory(arg)

/**
 * True for the dataset of a stored plan that ran an Eval (`/path/file.eval.ts#name`).
 *
 * @example
 * ```ts
 * isEvalRun("/p/qa.eval.ts#qa") // true
 * ```
 */
export const isEvalRun = (dataset: string): boolean => /\.(?:ts|mts|cts|js|mjs|cjs)#[^/]*$/i.test(dataset)

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** The eval files an argument names, sorted; none found is a usage error. */
const discover = (arg: string, cwd: string): Effect.Effect<ReadonlyArray<string>, UsageError> =>
  Effect.gen(function*() {
    if (!GLOB.test(arg) && !isDirectory(resolve(cwd, arg))) {
      if (!existsSync(resolve(cwd, arg))) return yield* new UsageError({ message: `${arg}: no such file` })
      return [resolve(cwd, arg)]
    }
    // tinyglobby: Node 20 has no fs.glob, and brace/`**` patterns are not worth writing by hand.
    const { glob } = yield* Effect.promise(() => import("tinyglobby"))
    const pattern = GLOB.test(arg) ? arg : `${arg.replace(/\/+$/, "")}/**/*.eval.{ts,mts,js,mjs}`
    const files = yield* Effect.promise(() => glob(pattern, { cwd, absolute: true, ignore: ["**/node_modules/**"] }))
    if (files.length === 0) return yield* new UsageError({ message: `${arg}: no eval files found (looked for ${pattern})` })
    return [...files].sort()
  })

let registered: Promise<unknown> | undefined

/** Register tsx's ESM hooks once per process (every later import of a .ts file goes through them). */
export const registerTypeScript: Effect.Effect<void> = Effect.promise(() => {
  // A computed specifier keeps bundlers from inlining tsx: it must load its esbuild binary from node_modules.
  const api = "tsx/esm/api"
  registered ??= import(api).then((tsx: { register: () => unknown }) => tsx.register())
  return registered
}).pipe(Effect.asVoid)

/**
 * Import a TypeScript or JavaScript module; a failure (syntax error, missing import, a throw at import) is a
 * usage error naming the file and line, without a stack trace.
 *
 * @example
 * ```ts
 * const module = yield* importModule("/project/assay.config.ts", "/project")
 * ```
 */
export const importModule = (file: string, cwd: string): Effect.Effect<Record<string, unknown>, UsageError> =>
  Effect.zipRight(
    registerTypeScript,
    Effect.tryPromise({
      try: () => import(pathToFileURL(file).href) as Promise<Record<string, unknown>>,
      catch: (error) => new UsageError({ message: loadFailure(file, cwd, error) })
    })
  )

/**
 * Load every Eval from the files an argument names, in file order then export order (default first).
 *
 * @example
 * ```ts
 * loadEvals("evals/**\/*.eval.ts", process.cwd())
 * ```
 */
export const loadEvals = (arg: string, cwd: string): Effect.Effect<ReadonlyArray<LoadedEval>, UsageError> =>
  Effect.gen(function*() {
    const files = yield* discover(arg, cwd)
    const found: Array<LoadedEval> = []
    for (const file of files) {
      const module = yield* importModule(file, cwd)
      const names = Object.keys(module).sort((a, b) => (a === "default" ? -1 : b === "default" ? 1 : 0))
      const evals = names.flatMap((exportName) => {
        const value = module[exportName]
        return isEval(value) && !found.some((f) => f.eval === value) ? [{ file, exportName, eval: value as Eval.Eval<never, unknown> }] : []
      })
      if (evals.length === 0) {
        return yield* new UsageError({ message: `${relative(cwd, file)}: exports no Eval (export default Eval.make({ … }) from @assay/core)` })
      }
      found.push(...evals)
    }
    const names = new Set<string>()
    for (const e of found) {
      if (names.has(e.eval.name)) return yield* new UsageError({ message: `two evals are named "${e.eval.name}": eval names must be unique in a run` })
      names.add(e.eval.name)
    }
    return found
  })

/** "file:line: what went wrong" for a module that failed to load. */
const loadFailure = (file: string, cwd: string, error: unknown): string => {
  const shown = relative(cwd, file) || file
  const message = error instanceof Error ? error.message : String(error)
  const first = message.split("\n").find((l) => l.trim() !== "" && !/^Transform failed/.test(l))?.trim() ?? message
  const line = lineOf(file, error, message)
  const detail = /Cannot require\(\) ES Module|require\(\) of ES Module/.test(first)
    ? "Node loads it as CommonJS: name it .mts, or add \"type\": \"module\" to the nearest package.json"
    : first.replace(/^\S*?:\d+:\d+: (?:ERROR: )?/, "")
  return `${shown}${line === undefined ? "" : `:${line}`}: cannot load: ${detail}`
}

/** The line of `file` a load failure points at: esbuild's location, the top stack frame in the file, or the
 *  line importing a module that was not found. */
const lineOf = (file: string, error: unknown, message: string): number | undefined => {
  const url = pathToFileURL(file).href
  const esbuild = message.match(/:(\d+):\d+: ERROR:/)
  if (esbuild !== null) return Number(esbuild[1])
  const stack = error instanceof Error ? error.stack ?? "" : ""
  for (const frame of stack.split("\n")) {
    const at = frame.indexOf(url) >= 0 ? frame.slice(frame.indexOf(url) + url.length) : frame.indexOf(file) >= 0 ? frame.slice(frame.indexOf(file) + file.length) : undefined
    const match = at?.match(/^(?:\?[^:]*)?:(\d+):\d+/)
    if (match) return Number(match[1])
  }
  const missing = message.match(/Cannot find (?:package|module) '([^']+)'/)
  if (missing !== null) {
    const target = missing[1]!.startsWith("file://") ? fileURLToPath(missing[1]!) : missing[1]!
    const name = isAbsolute(target) ? relative(dirname(file), target) : target
    const index = readSource(file).split("\n").findIndex((l) => l.includes(name.replace(/\.[mc]?[jt]s$/, "")))
    if (index >= 0) return index + 1
  }
  return undefined
}

const readSource = (file: string): string => {
  try {
    return readFileSync(file, "utf8")
  } catch {
    return ""
  }
}
