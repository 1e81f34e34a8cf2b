/**
 * Loading the config file: JSON (`.json`), YAML (`.yaml` / `.yml`) or TypeScript/JavaScript (`.ts`, `.mts`,
 * `.js`, `.mjs`: the default export, loaded through tsx), validated against {@link AssayConfig};
 * every problem is reported with the file and the field path.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./load.js"
 * const config = yield* loadConfig("examples/assay.config.json") // AssayConfig, or a UsageError
 * ```
 */
import { FileSystem, Path } from "@effect/platform"
import { Effect, Either, Option, ParseResult, Schema } from "effect"
import { resolve } from "node:path"
import { UsageError } from "../errors.js"
import { importModule } from "../evals/load.js"
import { AssayConfig } from "./schema.js"

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())
const decodeConfig = Schema.decodeUnknownEither(AssayConfig, { errors: "all", onExcessProperty: "error" })

/**
 * The YAML parser, imported when a YAML config is read: most runs read none, or a JSON one. yaml is CommonJS:
 * its exports are the dynamic import's `default`.
 */
const yaml = Effect.promise(() => import("yaml").then((module) => module.default))

const parseText = (file: string, text: string): Effect.Effect<unknown, string> =>
  /\.ya?ml$/i.test(file)
    ? Effect.flatMap(yaml, ({ parse }) =>
      Effect.try({ try: () => parse(text) as unknown, catch: (e) => `invalid YAML: ${e instanceof Error ? e.message : String(e)}` }))
    : Either.mapLeft(decodeJson(text), (e) => `invalid JSON: ${ParseResult.ArrayFormatter.formatErrorSync(e)[0]?.message ?? ""}`)

const SCRIPT = /\.(?:ts|mts|js|mjs)$/i

/** A TypeScript or JavaScript config: its default export (loaded through tsx, like eval files). */
const scriptConfig = (file: string): Effect.Effect<unknown, UsageError> =>
  Effect.map(importModule(resolve(file), process.cwd()), (module) => module["default"] ?? module)

/**
 * Read and validate a config file.
 *
 * @example
 * ```ts
 * loadConfig("assay.config.yaml").pipe(Effect.map((c) => c.metrics))
 * ```
 */
export const loadConfig = (file: string): Effect.Effect<AssayConfig, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const raw = SCRIPT.test(file) ? yield* scriptConfig(file) : yield* Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs.readFileString(file).pipe(
        Effect.mapError((e) => new UsageError({ message: `${file}: cannot read the config file: ${e.message}` }))
      )
      return yield* Effect.mapError(parseText(file, text), (detail) => new UsageError({ message: `${file}: ${detail}` }))
    })
    return yield* Either.mapLeft(decodeConfig(raw ?? {}), (error) =>
      new UsageError({
        message: `${file}: ` + ParseResult.ArrayFormatter.formatErrorSync(error)
          .map((issue) => `${issue.path.length === 0 ? "(config)" : issue.path.join(".")}: ${issue.message}`)
          .join("; ")
      }))
  })

/** The config files `assay run` picks up from the current directory when `--config` is not given. */
export const CONFIG_NAMES = ["assay.config.ts", "assay.config.mts", "assay.config.json", "assay.config.yaml", "assay.config.yml"] as const

/**
 * The config a run uses: the `--config` file when given, else the one `assay.config.{ts,mts,json,yaml,yml}` in `cwd`
 * (two of them is an error: which one was meant is not guessed), else none.
 *
 * @example
 * ```ts
 * const { file, config } = yield* resolveConfig(Option.none(), process.cwd())
 * ```
 */
export const resolveConfig = (
  flag: Option.Option<string>,
  cwd: string
): Effect.Effect<{ readonly file: string | undefined; readonly config: AssayConfig }, UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    if (Option.isSome(flag)) return { file: flag.value, config: yield* loadConfig(flag.value) }
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const found = yield* Effect.filter(
      CONFIG_NAMES.map((name) => path.join(cwd, name)),
      (file) => fs.exists(file).pipe(Effect.orElseSucceed(() => false))
    )
    if (found.length > 1) {
      return yield* new UsageError({ message: `${found.map((f) => path.basename(f)).join(" and ")} both found in ${cwd}: pass --config to choose one` })
    }
    const file = found[0]
    return { file, config: file === undefined ? {} : yield* loadConfig(file) }
  })
