/**
 * `--target exec:"./my-app --question {{input}}"`: one process per case without a shell. The command line is
 * split into arguments once, when the run starts; each case fills the placeholders (`placeholders.ts`) inside
 * single arguments, so an input such as `x; rm -rf ~` is one literal argument, never interpreted. stdout (less
 * its final newline) is the output; a non-zero exit is the case's error with the exit code and the end of
 * stderr. The process gets an empty stdin and runs in the run's working directory with its environment. A
 * process still running at `--attempt-timeout` (else `--call-deadline`, else 60 s), at the run's `--timeout`, or
 * when the run is interrupted (Ctrl-C, fail-fast) is killed with SIGKILL, with its process group.
 * Under `--record` each run's stdout is kept by its arguments; under `--replay` the kept stdout answers and the
 * program is not started.
 *
 * @example
 * ```ts
 * import { makeExecTarget } from "./exec.js"
 * const target = yield* makeExecTarget("exec:node app.mjs {{input}}", {})
 * ```
 */
import type { LLMTestCase, Task, TaskOutput } from "@assay/core"
import { defaultPolicySettings, JudgeError, Recording, type RecordingApi, redactor } from "@assay/judge"
import { Command, CommandExecutor } from "@effect/platform"
// string-argv splits a command line as a POSIX user expects (double and single quotes group words) without a
// shell; it is small, dependency-free and used by lint-staged and others, so quoting rules are not hand-rolled.
import { parseArgsStringToArgv } from "string-argv"
import { Duration, Effect, Option, Schema, Stream } from "effect"
import { UsageError } from "../../errors.js"
import type { CallLimits } from "../plan.js"
import type { Target } from "../target.js"
import { makeLatch } from "./fatal.js"
import { checkPlaceholder, placeholdersIn, renderText } from "./placeholders.js"

/** The program failed on one case: an error on that case. */
class ExecTargetFailed extends Schema.TaggedError<ExecTargetFailed>()("ExecTargetFailed", { message: Schema.String }) {}

/** How much of stderr a failed case's error quotes. */
const STDERR_TAIL = 500
/** The most stdout one case may produce: a runaway program fails its case rather than exhaust memory. */
const MAX_OUTPUT_CHARS = 16 * 1024 * 1024
/** Token-shaped secrets (`Bearer …`, `sk-…`, URL user-info) a program may print on stderr are not quoted. */
const scrub = redactor([])

/** The arguments of an `exec:` target, or why they cannot be used. */
const parseCommand = (spec: string): Effect.Effect<ReadonlyArray<string>, UsageError> => {
  const argv = parseArgsStringToArgv(spec.slice("exec:".length))
  if (argv.length === 0) return Effect.fail(new UsageError({ message: `--target ${spec}: expected exec:<program> [arguments…]` }))
  if (placeholdersIn(argv[0]!).length > 0) {
    return Effect.fail(new UsageError({ message: `--target ${spec}: the program name cannot be a placeholder` }))
  }
  const problems = argv.flatMap(placeholdersIn).flatMap((name) => checkPlaceholder(name, false) ?? [])
  return problems.length === 0 ? Effect.succeed(argv) : Effect.fail(new UsageError({ message: `--target ${spec}: ${problems.join("; ")}` }))
}

/** All of a stream of text, up to {@link MAX_OUTPUT_CHARS}. */
const textOf = <E>(stream: Stream.Stream<Uint8Array, E>) =>
  stream.pipe(
    Stream.decodeText(),
    Stream.runFoldEffect("", (kept, chunk) =>
      kept.length + chunk.length > MAX_OUTPUT_CHARS
        ? Effect.fail(new ExecTargetFailed({ message: `stdout exceeded ${MAX_OUTPUT_CHARS / 1024 / 1024} MiB` }))
        : Effect.succeed(kept + chunk))
  )

/** The last `STDERR_TAIL` characters of a stream of text, as it arrives. */
const tailOf = <E>(stream: Stream.Stream<Uint8Array, E>) =>
  stream.pipe(Stream.decodeText(), Stream.runFold("", (kept, chunk) => (kept + chunk).slice(-STDERR_TAIL)))

/** The time a process may run: the attempt timeout, else the call deadline, else the call policy's default. */
const limitOf = (calls: CallLimits): Duration.Duration =>
  Duration.millis(calls.attemptTimeoutMs ?? calls.callDeadlineMs ?? Duration.toMillis(Duration.decode(defaultPolicySettings.attemptTimeout)))

/** Run the program once with these arguments: its stdout, or the case's error. */
const runOnce = (argv: ReadonlyArray<string>, limit: Duration.Duration) =>
  Effect.scoped(Effect.gen(function*() {
    // A program that cannot be started (not found, not executable) fails every case alike: it ends the run.
    const process = yield* Command.start(Command.make(argv[0]!, ...argv.slice(1)).pipe(Command.stdin(Stream.empty))).pipe(
      Effect.mapError((error) =>
        new JudgeError({ kind: "Unreachable", message: `cannot run ${argv[0]} (${error._tag === "SystemError" ? error.reason : error.message}): check the program in --target` }))
    )
    // Runs before the executor's own release (a SIGTERM it waits on): a timeout or an interruption kills at once.
    yield* Effect.addFinalizer(() => Effect.flatMap(process.isRunning, (running) => running ? process.kill("SIGKILL") : Effect.void).pipe(Effect.ignore))
    const [stdout, stderr, code] = yield* Effect.all(
      [textOf(process.stdout), tailOf(process.stderr), process.exitCode],
      { concurrency: "unbounded" }
    ).pipe(Effect.mapError((error) =>
      error instanceof ExecTargetFailed
        ? error
        : new ExecTargetFailed({ message: (error._tag === "SystemError" ? error.description : undefined) ?? error.message }) // e.g. ended by a signal
    ))
    if (code !== 0) {
      const tail = scrub(stderr.trim())
      return yield* new ExecTargetFailed({ message: `exit code ${code}${tail === "" ? "" : `: ${tail}`}` })
    }
    return stdout.endsWith("\r\n") ? stdout.slice(0, -2) : stdout.endsWith("\n") ? stdout.slice(0, -1) : stdout
  })).pipe(
    Effect.timeoutFail({ duration: limit, onTimeout: () => new ExecTargetFailed({ message: `killed after ${Duration.format(limit)} (--attempt-timeout)` }) })
  )

/**
 * One run of the program through the run's recording (`--record` / `--replay`), keyed by its arguments after
 * the placeholders were filled: recorded, its stdout is kept; replayed, the kept stdout is the output and the
 * program is not started (a missing entry is a `ReplayMiss`, which ends the run).
 */
const throughRecording = (recording: RecordingApi, args: ReadonlyArray<string>, live: Effect.Effect<string, ExecTargetFailed | JudgeError>) =>
  recording.through({ method: "EXEC", path: "/exec", body: { argv: args } }, live).pipe(
    Effect.flatMap((kept) =>
      typeof kept === "string" ? Effect.succeed(kept) : Effect.fail(new ExecTargetFailed({ message: "the recorded output is not text" }))),
    Effect.catchTag("ReplayMiss", (miss) => Effect.fail(new ExecTargetFailed({ message: miss.message })))
  )

/**
 * The exec target; see the module doc. Needs the `CommandExecutor` from the application's layer.
 *
 * @example
 * ```ts
 * const target = yield* makeExecTarget(plan.target.model, plan.calls)
 * ```
 */
export const makeExecTarget = (spec: string, calls: CallLimits): Effect.Effect<Target, UsageError, CommandExecutor.CommandExecutor> =>
  Effect.gen(function*() {
    const argv = yield* parseCommand(spec)
    const executor = yield* CommandExecutor.CommandExecutor
    const limit = limitOf(calls)
    const latch = yield* makeLatch
    const recording = Option.getOrUndefined(yield* Effect.serviceOption(Recording))
    const task: Task = (testCase, index) => {
      if (testCase._tag !== "LLMTestCase" || testCase.actualOutput !== undefined) return Effect.succeed({ testCase })
      const args = argv.map((arg) => renderText(arg, testCase, index))
      const live = Effect.provideService(runOnce(args, limit), CommandExecutor.CommandExecutor, executor)
      const run = recording === undefined ? live : throughRecording(recording, args, live)
      return latch.guarded(run, (e) => (e instanceof JudgeError ? e : undefined)).pipe(
        Effect.mapError((error) => new ExecTargetFailed({ message: `target ${spec}: ${error.message}` })),
        Effect.map((output): TaskOutput => ({ testCase: { ...testCase, actualOutput: output } satisfies LLMTestCase }))
      )
    }
    const stats = Effect.succeed({ model: spec, inputTokens: 0, outputTokens: 0, cost: 0, policy: undefined })
    return { model: spec, task, stats, fatal: latch.fatal }
  })
