/**
 * The `--out` report: the RunResult encoded with core's Schema, pretty-printed, written atomically.
 *
 * @example
 * ```ts
 * import { writeJsonReport } from "./json.js"
 * yield* writeJsonReport("results.json", result)
 * ```
 */
import { RunResult } from "@assay/core"
import type { FileSystem, Path, Terminal } from "@effect/platform"
import { Effect, Schema } from "effect"
import type { ReportError } from "../errors.js"
import { writeAtomic } from "./atomic.js"

const encode = Schema.encode(RunResult)

/**
 * Write a RunResult as JSON.
 *
 * @example
 * ```ts
 * writeJsonReport("out.json", result)
 * ```
 */
export const writeJsonReport = (file: string, result: RunResult): Effect.Effect<void, ReportError, FileSystem.FileSystem | Path.Path | Terminal.Terminal> =>
  encode(result).pipe(
    Effect.orDie, // the result was built by the engine: failing to encode it is a bug
    Effect.flatMap((encoded) => writeAtomic(file, `${JSON.stringify(encoded, null, 2)}\n`))
  )
