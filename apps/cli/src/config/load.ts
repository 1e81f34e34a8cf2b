/**
 * Loading the config file: JSON (`.json`) or YAML (`.yaml` / `.yml`), validated against {@link AssayConfig};
 * every problem is reported with the file and the field path.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./load.js"
 * const config = yield* loadConfig("examples/assay.config.json") // AssayConfig, or a UsageError
 * ```
 */
import { FileSystem } from "@effect/platform"
import { Effect, Either, ParseResult, Schema } from "effect"
import { parse as parseYaml } from "yaml"
import { UsageError } from "../errors.js"
import { AssayConfig } from "./schema.js"

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())
const decodeConfig = Schema.decodeUnknownEither(AssayConfig, { errors: "all", onExcessProperty: "error" })

const parseText = (file: string, text: string): Either.Either<unknown, string> =>
  /\.ya?ml$/i.test(file)
    ? Either.try({ try: () => parseYaml(text) as unknown, catch: (e) => `invalid YAML: ${e instanceof Error ? e.message : String(e)}` })
    : Either.mapLeft(decodeJson(text), (e) => `invalid JSON: ${ParseResult.ArrayFormatter.formatErrorSync(e)[0]?.message ?? ""}`)

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
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError((e) => new UsageError({ message: `${file}: cannot read the config file: ${e.message}` }))
    )
    const raw = yield* Either.mapLeft(parseText(file, text), (detail) => new UsageError({ message: `${file}: ${detail}` }))
    return yield* Either.mapLeft(decodeConfig(raw ?? {}), (error) =>
      new UsageError({
        message: `${file}: ` + ParseResult.ArrayFormatter.formatErrorSync(error)
          .map((issue) => `${issue.path.length === 0 ? "(config)" : issue.path.join(".")}: ${issue.message}`)
          .join("; ")
      }))
  })
