/**
 * Json-schema validation in worker threads, for outputs that could hold the engine's thread too long (see
 * `inlineLimit` in ./json-validate.ts). Ajv's generated code cannot be sliced like ./sliced.ts does, and a
 * `uniqueItems` over thousands of objects or a recursive `anyOf` on a deeply nested output runs for seconds:
 * on the engine's thread neither the metric's timeout, nor the run's deadline, nor Ctrl-C could act until it
 * returned. In a worker it runs beside the engine, and interrupting the measurement (any of those three)
 * terminates that worker; the next validation starts a fresh one.
 *
 * Each worker runs one validation at a time; at most {@link POOL_SIZE} exist, kept idle between validations
 * (and unref'd then, so they never keep the process alive). Why node:worker_threads directly rather than
 * @effect/platform's Worker: a metric is a plain value whose `measure` needs no services, and the pool must
 * outlive any one run.
 *
 * @example
 * ```ts
 * validateInWorker({ metric: "json-schema", key: 1, schema: { type: "array" }, text: "[1]", stripCodeFence: false })
 * ```
 */
import { Effect, Either, Exit } from "effect"
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import { MetricError, type Outcome } from "../metric/metric.js"
import type { JsonJob, JsonReply } from "./json-worker.js"

/** Workers at most: one validation each at a time. Two at least, so one long validation does not queue the rest. */
export const POOL_SIZE = Math.max(2, availableParallelism())

/**
 * The worker script: beside this module (dist/metrics in the package; beside the CLI's bundle, where
 * apps/cli/bundle.mjs writes it). Run from TypeScript sources (the tests), the compiled one in dist.
 */
const workerUrl = (): URL =>
  import.meta.url.endsWith(".ts")
    ? new URL("../../dist/metrics/json-worker.js", import.meta.url)
    : new URL("./json-worker.js", import.meta.url)

interface Slot {
  readonly worker: Worker
  /** Schema keys this worker has been sent (and compiled). */
  readonly known: Set<number>
}

const idle: Array<Slot> = []
const permits = Effect.unsafeMakeSemaphore(POOL_SIZE)
const counts = { started: 0, terminated: 0 }

/**
 * How many workers were started and terminated so far (terminated = stopped mid-validation or after a
 * failure), and how many are idle. For tests and diagnostics.
 *
 * @example
 * ```ts
 * workerCounts() // { started: 1, terminated: 0, idle: 1 }
 * ```
 */
export const workerCounts = () => ({ ...counts, idle: idle.length })

const take = (): Slot => {
  const reused = idle.pop()
  if (reused !== undefined) return reused
  counts.started++
  return { worker: new Worker(workerUrl()), known: new Set() }
}

const settle = (slot: Slot, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> =>
  Effect.sync(() => {
    if (Exit.isSuccess(exit)) {
      slot.worker.unref()
      idle.push(slot)
    } else {
      counts.terminated++
      // Stops the worker even inside a busy loop; nothing needs to wait for it to be gone.
      void slot.worker.terminate()
    }
  })

/** What {@link validateInWorker} needs: the metric's name (for errors), its schema and key, and the output. */
export interface WorkerValidation {
  readonly metric: string
  readonly key: number
  readonly schema: unknown
  readonly text: string
  readonly stripCodeFence: boolean
}

/** Send one job to a worker and wait for its reply; a crash or an exit of the worker is a MetricError. */
const ask = (slot: Slot, v: WorkerValidation): Effect.Effect<Outcome, MetricError> =>
  Effect.async<Outcome, MetricError>((resume) => {
    const { worker } = slot
    const fail = (message: string) => resume(Effect.fail(new MetricError({ metric: v.metric, message })))
    const onMessage = (reply: JsonReply) => {
      detach()
      if ("outcome" in reply) resume(Effect.succeed(reply.outcome))
      else fail(`internal error: ${reply.error}`)
    }
    const onError = (e: Error) => {
      detach()
      fail(`internal error: the json-schema worker failed: ${e.message}`)
    }
    const onExit = (code: number) => {
      detach()
      fail(`internal error: the json-schema worker exited with code ${code}`)
    }
    const detach = () => {
      worker.off("message", onMessage).off("error", onError).off("exit", onExit)
    }
    worker.on("message", onMessage).on("error", onError).on("exit", onExit)
    const job: JsonJob = slot.known.has(v.key)
      ? { key: v.key, text: v.text, stripCodeFence: v.stripCodeFence }
      : { key: v.key, schema: v.schema, text: v.text, stripCodeFence: v.stripCodeFence }
    const sent = Either.try({ try: () => worker.postMessage(job), catch: (e) => (e instanceof Error ? e.message : String(e)) })
    if (Either.isLeft(sent)) {
      detach()
      fail(`internal error: cannot send the output to the json-schema worker: ${sent.left}`)
      return
    }
    slot.known.add(v.key)
    // Referenced while it works: a pending validation keeps the process alive, an idle worker does not.
    worker.ref()
    return Effect.sync(detach)
  })

/**
 * Validate an output against a schema in a worker thread. Interruption (a timeout, a deadline, Ctrl-C)
 * terminates the worker at once, and so does a failure; a later call starts another.
 *
 * @example
 * ```ts
 * validateInWorker(v).pipe(Effect.timeout("1 second"))
 * ```
 */
export const validateInWorker = (v: WorkerValidation): Effect.Effect<Outcome, MetricError> =>
  permits.withPermits(1)(Effect.acquireUseRelease(Effect.sync(take), (slot) => ask(slot, v), settle))
