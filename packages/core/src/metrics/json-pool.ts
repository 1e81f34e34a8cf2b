/**
 * Json-schema validation in worker threads, for outputs that could hold the engine's thread too long (see
 * `inlineLimit` in ./json-validate.ts). Ajv's generated code cannot be sliced like ./sliced.ts does, and a
 * `uniqueItems` over thousands of objects or a recursive `anyOf` on a deeply nested output runs for seconds:
 * on the engine's thread neither the metric's timeout, nor the run's deadline, nor Ctrl-C could act until it
 * returned. In a worker it runs beside the engine, and interrupting the measurement (any of those three)
 * terminates that worker; the next validation starts a fresh one.
 *
 * Jobs are pipelined: up to {@link POOL_SIZE} workers each receive jobs in order and answer in order, so a
 * worker goes from one validation to the next without a thread wake-up in between. When the job a worker is
 * on has lost its waiter (interrupted), the worker is terminated and the jobs queued behind it are sent to
 * another. Idle workers are unref'd: they never keep the process alive. Why node:worker_threads directly
 * rather than @effect/platform's Worker: a metric is a plain value whose `measure` needs no services, and the
 * pool must outlive any one run.
 *
 * @example
 * ```ts
 * validateInWorker({ metric: "json-schema", key: 1, schema: { type: "array" }, text: "[1]", stripCodeFence: false })
 * ```
 */
import { Effect, Either } from "effect"
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import { MetricError, type Outcome } from "../metric/metric.js"
import type { JsonJob, JsonReply } from "./json-worker.js"

/** Workers at most. Two at least, so that one long validation does not hold up all the others. */
export const POOL_SIZE = Math.max(2, availableParallelism())

/**
 * The worker script: beside this module (dist/metrics in the package; beside the CLI's bundle, where
 * apps/cli/bundle.mjs writes it). Run from TypeScript sources (the tests), the compiled one in dist.
 */
const workerUrl = (): URL =>
  import.meta.url.endsWith(".ts")
    ? new URL("../../dist/metrics/json-worker.js", import.meta.url)
    : new URL("./json-worker.js", import.meta.url)

/** What {@link validateInWorker} needs: the metric's name (for errors), its schema and key, and the output. */
export interface WorkerValidation {
  readonly metric: string
  readonly key: number
  readonly schema: unknown
  readonly text: string
  readonly stripCodeFence: boolean
}

/** A job sent to a worker and its waiter; `cancelled` once the waiter is gone. */
interface Pending {
  readonly v: WorkerValidation
  readonly resume: (effect: Effect.Effect<Outcome, MetricError>) => void
  cancelled: boolean
  slot: Slot | undefined
}

interface Slot {
  readonly worker: Worker
  /** Schema keys this worker has been sent (and compiled). */
  readonly known: Set<number>
  /** Jobs sent and not yet answered, oldest (the one being validated) first. */
  readonly pending: Array<Pending>
}

const slots: Array<Slot> = []
const counts = { started: 0, terminated: 0 }

/**
 * How many workers were started and terminated so far (terminated = stopped under a job nobody waits for any
 * more, or crashed), how many are running now, and how many jobs they hold. For tests and diagnostics.
 *
 * @example
 * ```ts
 * workerCounts() // { started: 1, terminated: 0, running: 1, pending: 0 }
 * ```
 */
export const workerCounts = () => ({
  ...counts,
  running: slots.length,
  pending: slots.reduce((n, slot) => n + slot.pending.length, 0)
})

const failure = (p: Pending, message: string) =>
  p.resume(Effect.fail(new MetricError({ metric: p.v.metric, message: `internal error: ${message}` })))

const spawn = (): Slot => {
  counts.started++
  const slot: Slot = { worker: new Worker(workerUrl()), known: new Set(), pending: [] }
  slot.worker
    .on("message", (reply: JsonReply) => onReply(slot, reply))
    .on("error", (e: Error) => onCrash(slot, `the json-schema worker failed: ${e.message}`))
    .on("exit", (code: number) => onCrash(slot, `the json-schema worker exited with code ${code}`))
  slots.push(slot)
  return slot
}

/** The least busy worker; a new one instead while all are busy and fewer than POOL_SIZE run. */
const pick = (): Slot => {
  let best: Slot | undefined
  for (const slot of slots) if (best === undefined || slot.pending.length < best.pending.length) best = slot
  return best !== undefined && (best.pending.length === 0 || slots.length >= POOL_SIZE) ? best : spawn()
}

const post = (slot: Slot, p: Pending): void => {
  const { v } = p
  const job: JsonJob = slot.known.has(v.key)
    ? { key: v.key, text: v.text, stripCodeFence: v.stripCodeFence }
    : { key: v.key, schema: v.schema, text: v.text, stripCodeFence: v.stripCodeFence }
  const sent = Either.try({ try: () => slot.worker.postMessage(job), catch: (e) => (e instanceof Error ? e.message : String(e)) })
  if (Either.isLeft(sent)) return failure(p, `cannot send the output to the json-schema worker: ${sent.left}`)
  slot.known.add(v.key)
  p.slot = slot
  // Referenced while it has work: a pending validation keeps the process alive, an idle worker does not.
  if (slot.pending.push(p) === 1) slot.worker.ref()
}

/** Terminate a worker (even inside a busy loop) and return the jobs still awaited, in order. */
const retire = (slot: Slot): ReadonlyArray<Pending> => {
  slots.splice(slots.indexOf(slot), 1)
  counts.terminated++
  slot.worker.removeAllListeners().on("error", () => {})
  void slot.worker.terminate()
  const awaited = slot.pending.filter((p) => !p.cancelled)
  // Emptied, so that a later interruption of one of its jobs finds nothing to reap here.
  slot.pending.length = 0
  return awaited
}

/** A worker busy with a job nobody awaits is terminated; the jobs queued behind it go to another. */
const reap = (slot: Slot): void => {
  if (slot.pending[0]?.cancelled !== true) return
  for (const p of retire(slot)) post(pick(), p)
}

const onReply = (slot: Slot, reply: JsonReply): void => {
  const p = slot.pending.shift()
  if (slot.pending.length === 0) slot.worker.unref()
  if (p !== undefined && !p.cancelled) {
    if ("outcome" in reply) p.resume(Effect.succeed(reply.outcome))
    else failure(p, reply.error)
  }
  reap(slot)
}

/** A worker that failed or exited on its own: its current job fails, the others go to another worker. */
const onCrash = (slot: Slot, message: string): void => {
  const current = slot.pending[0]
  for (const p of retire(slot)) {
    if (p === current) failure(p, message)
    else post(pick(), p)
  }
}

/**
 * Validate an output against a schema in a worker thread. Interruption (a timeout, a deadline, Ctrl-C)
 * terminates the worker as soon as it is on this job (at once when it already is); a later job starts
 * another worker.
 *
 * @example
 * ```ts
 * validateInWorker(v).pipe(Effect.timeout("1 second"))
 * ```
 */
export const validateInWorker = (v: WorkerValidation): Effect.Effect<Outcome, MetricError> =>
  Effect.async<Outcome, MetricError>((resume) => {
    const p: Pending = { v, resume, cancelled: false, slot: undefined }
    post(pick(), p)
    return Effect.sync(() => {
      p.cancelled = true
      if (p.slot !== undefined) reap(p.slot)
    })
  })
