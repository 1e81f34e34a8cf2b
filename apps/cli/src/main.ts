/**
 * The `assay` entry point: composes `MainLive` once, runs the CLI with `NodeRuntime.runMain` (the only runner),
 * and turns the outcome into the exit code — the command's decision (0/1), 2 for usage and input errors,
 * 3 for a failed run (one mapping of every command error: `failureOf` in `./errors.ts`) and for a defect (one
 * line, `internalErrorOf`; the stack with `ASSAY_DEBUG=1`), 130 when interrupted
 * (Ctrl-C; runMain interrupts the program on SIGINT, the run writes its partial reports in a finalizer, and a
 * second Ctrl-C, no longer handled, ends the process).
 *
 * @example
 * ```sh
 * node apps/cli/bin/assay.js run examples/capitals.jsonl --config examples/assay.config.json
 * ```
 */
import { ValidationError } from "@effect/cli"
// Subpath imports: the package's index also re-exports its Undici module, which would load undici at start-up.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { redactor } from "@assay/judge"
import { Cause, Config, Console, Effect, Exit, Layer } from "effect"
import { cli } from "./cli.js"
import { helpText, splitAssignments, unknownOption } from "./commands/usage.js"
import { EnvSettings, SECRET_VARIABLES, secretValues } from "./config/env.js"
import { type CliError, ExitCode, failureOf, internalErrorOf } from "./errors.js"
import { ExitStatus } from "./exit-status.js"
import { LazyHttpClient } from "./http-client.js"

/**
 * Everything the commands need from the application: the Node platform (files, paths, terminal, child
 * processes for `exec:` targets), the `HttpClient` that `http://` targets post through (a record/replay
 * layer can wrap it here), and the environment as the judge settings of layers an Eval file builds.
 *
 * @example
 * ```ts
 * cli(process.argv).pipe(Effect.provide(MainLive))
 * ```
 */
export const MainLive = Layer.mergeAll(NodeContext.layer, LazyHttpClient, ExitStatus.Default, EnvSettings)

/**
 * The exit code of a failed command, its message printed first. @effect/cli has already printed what was wrong
 * with a `ValidationError` (a bad flag, `--help`); every other failure is a {@link CliError}, mapped by
 * `failureOf`. Typed so: a command that can fail with an error outside that union does not compile.
 */
const failed = (error: CliError | ValidationError.ValidationError): Effect.Effect<number> => {
  if (ValidationError.isValidationError(error)) return Effect.succeed(ValidationError.isHelpRequested(error) ? ExitCode.ok : ExitCode.usage)
  const { code, message } = failureOf(error)
  return Effect.as(Console.error(`assay: ${message}`), code)
}

/**
 * The exit code of a defect — a bug, not a typed failure — its one line printed first (the stack too with
 * `ASSAY_DEBUG=1`), with the values of the secret variables and any tokens or URL passwords removed.
 * Interruption is left to the runtime (130).
 */
const crashed = (cause: Cause.Cause<never>): Effect.Effect<number, never, never> => {
  if (Cause.isInterruptedOnly(cause)) return Effect.failCause(cause)
  return Effect.gen(function*() {
    const redact = redactor(yield* secretValues(SECRET_VARIABLES).pipe(Effect.orElseSucceed(() => [])))
    const { code, message } = internalErrorOf(Cause.squash(cause))
    yield* Console.error(`assay: ${redact(message)}`)
    const debug = yield* Config.boolean("ASSAY_DEBUG").pipe(Config.withDefault(false), Effect.orElseSucceed(() => false))
    if (debug) yield* Console.error(redact(Cause.pretty(cause)))
    return code
  })
}

const argv = splitAssignments(process.argv.slice(2))
const help = helpText(argv)
const unknown = help === undefined ? unknownOption(argv) : undefined

const program = (
  help !== undefined
    ? Console.log(help)
    : unknown !== undefined
    ? Effect.zipRight(Console.error(`assay: ${unknown}`), ExitStatus.set(ExitCode.usage))
    : cli([...process.argv.slice(0, 2), ...argv])
).pipe(
  Effect.zipRight(Effect.flatMap(ExitStatus, (s) => s.get)),
  Effect.catchAll(failed),
  Effect.provide(MainLive),
  Effect.catchAllCause(crashed)
)

// Every typed failure and defect was mapped above: what fails here is interruption (130). A failure that still
// got here would be a bug of this file: runMain reports it before the teardown exits 3.
NodeRuntime.runMain(program, {
  disableErrorReporting: false,
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit)
        ? Number(exit.value)
        : Cause.isInterruptedOnly(exit.cause)
        ? ExitCode.interrupted
        : ExitCode.runFailed
    )
})
