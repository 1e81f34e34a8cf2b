/**
 * Handing a command over to the unbundled CLI. Eval files must share `effect` and `@assay/*` with the engine
 * that runs them, which the bundle (dist/assay.mjs, with its own embedded copies) cannot do; `bin/assay.js`
 * routes `assay run <eval file>` to dist/main.js by its arguments, but `assay resume <id>` only learns from the
 * run store that the run was an eval file's. The bundle then runs the same command again under dist/main.js
 * in a child process, with the terminal inherited, and exits with its code.
 *
 * @example
 * ```ts
 * if (bundledEntry !== undefined) yield* handOff(process.argv.slice(2))
 * ```
 */
import { Command } from "@effect/platform"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { RunFailed } from "../errors.js"
import { ExitStatus } from "../exit-status.js"

/**
 * dist/main.js when this code runs inside the bundle (dist/assay.mjs or one of its dist/assay-*.mjs chunks,
 * all beside main.js); undefined when it already runs unbundled.
 *
 * @example
 * ```ts
 * bundledEntry // "/…/apps/cli/dist/main.js" inside the bundle
 * ```
 */
export const bundledEntry: string | undefined = /\/dist\/assay(?:-[^/]+)?\.mjs$/.test(import.meta.url)
  ? fileURLToPath(new URL("./main.js", import.meta.url))
  : undefined

/**
 * Run `assay <args>` on the unbundled CLI in a child process sharing this one's terminal, and take its exit
 * code as this command's. Ctrl-C reaches the child directly (the same process group), which finishes its run
 * as it would have here.
 *
 * @example
 * ```ts
 * yield* handOff(["resume", "latest"], "/…/dist/main.js")
 * ```
 */
export const handOff = (args: ReadonlyArray<string>, entry: string) =>
  Command.make(process.execPath, ...process.execArgv, entry, ...args).pipe(
    Command.stdin("inherit"),
    Command.stdout("inherit"),
    Command.stderr("inherit"),
    Command.exitCode,
    Effect.mapError((error) => new RunFailed({ message: `could not start the unbundled CLI (${entry}): ${error.message}` })),
    Effect.flatMap((code) => ExitStatus.set(code))
  )
