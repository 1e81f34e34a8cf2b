/**
 * Batch mode's collector: chat calls wait in a queue; a flusher fiber gathers them while they keep arriving
 * (every case's pending request can join, up to the provider's size limits), submits them as one batch,
 * records the batch in the {@link BatchJournal}, and a poller fiber per batch polls it on an adaptive schedule
 * until it ends, then hands each line's reply (or error) to the call waiting for it. A call's `custom_id` is a
 * hash of the model and the request, so identical requests share one line, and a resumed run's calls find the
 * batches its earlier process submitted (read from the journal) and wait for those instead of submitting again.
 *
 * Errors: a failed line, or a line an expired/cancelled/failed batch never answered, fails its call with a
 * `JudgeError` — an error on that case under the run's error policy (batch mode makes no live calls). In a
 * resumed run, lines of earlier batches that ended without a reply are submitted again in a new batch, since
 * nothing was paid for them. A rejected key or an unreachable endpoint is fatal (see `BatchCalls.fatal`).
 *
 * @example
 * ```ts
 * const calls = yield* makeBatcher(client, { model: "openai:gpt-4o-mini" })
 * const reply = yield* calls.call({ messages: [{ role: "user", content: "hi" }] })
 * ```
 */
import { Clock, Deferred, Duration, Effect, FiberId, Option, Queue, Schedule, Scope } from "effect"
import { createHash } from "node:crypto"
import type { ChatRequest, ProviderReply } from "../chat.js"
import { isRetryable, JudgeError } from "../errors.js"
import { type BatchCalls, type BatchClientApi, BatchJournal, type BatchLine, type BatchStats, type BatchStatus, type LineResult } from "./api.js"

/**
 * How the batcher gathers and polls.
 *
 * @example
 * ```ts
 * const settings: BatcherSettings = { model: "openai:gpt-4o-mini", poll: Duration.seconds(1) }
 * ```
 */
export interface BatcherSettings {
  /** `provider:model`, part of every custom id and of the journal's records. */
  readonly model: string
  /** The first wait between polls of a batch (default 1 s); it grows by half each poll up to `maxPoll`. */
  readonly poll?: Duration.DurationInput | undefined
  /** The longest wait between polls (default 30 s, or `poll` when that is longer). */
  readonly maxPoll?: Duration.DurationInput | undefined
  /** How long the queue must stop growing before its requests are submitted (default 1 s). */
  readonly gather?: Duration.DurationInput | undefined
  /** Removes secrets from error messages (see `redactor` in `../guard.ts`). */
  readonly redact?: ((text: string) => string) | undefined
  /** What fixes a rejected key, e.g. `check OPENAI_API_KEY`. */
  readonly keyHint?: string | undefined
}

/**
 * The polling schedule: from `initial`, each wait half again as long as the one before, capped at `cap`.
 *
 * @example
 * ```ts
 * pollSchedule(Duration.seconds(1), Duration.seconds(30)) // 1 s, 1.5 s, 2.25 s, … 30 s, 30 s
 * ```
 */
export const pollSchedule = (initial: Duration.DurationInput, cap: Duration.DurationInput) =>
  Schedule.exponential(initial, 1.5).pipe(Schedule.union(Schedule.spaced(Duration.max(Duration.decode(initial), Duration.decode(cap)))))

/**
 * The custom id of a request: a hash of the model and the request (Anthropic allows `[A-Za-z0-9_-]{1,64}`).
 *
 * @example
 * ```ts
 * customIdOf("openai:gpt-4o-mini", request) // "r-Jx0…" (44 characters)
 * ```
 */
export const customIdOf = (model: string, request: ChatRequest): string =>
  `r-${createHash("sha256").update(model).update("\u0000").update(JSON.stringify(request)).digest("base64url")}`

/** Transient failures of the batch API itself (not of its lines) are retried a few times with backoff. */
const retryTransient = <A>(effect: Effect.Effect<A, JudgeError>) =>
  Effect.retry(effect, {
    schedule: Schedule.exponential("1 second").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(5))),
    while: isRetryable
  })

/** A call waiting for its line's reply. */
interface Waiting {
  readonly request: ChatRequest
  readonly deferred: Deferred.Deferred<ProviderReply, JudgeError>
}

/** Lines per batch within the client's limits on count and bytes, in order. */
const chunks = (client: BatchClientApi, lines: ReadonlyArray<BatchLine>): ReadonlyArray<ReadonlyArray<BatchLine>> => {
  const out: Array<Array<BatchLine>> = []
  let current: Array<BatchLine> = []
  let bytes = 0
  for (const line of lines) {
    const size = client.lineBytes(line)
    if (current.length > 0 && (current.length >= client.maxRequests || bytes + size > client.maxBytes)) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(line)
    bytes += size
  }
  if (current.length > 0) out.push(current)
  return out
}

/**
 * The batcher as the {@link BatchCalls} service; its fibers live in the current Scope.
 *
 * @example
 * ```ts
 * Layer.scoped(BatchCalls, makeBatcher(client, { model }))
 * ```
 */
export const makeBatcher = (client: BatchClientApi, settings: BatcherSettings): Effect.Effect<BatchCalls["Type"], never, Scope.Scope> =>
  Effect.gen(function*() {
    const journal = Option.getOrUndefined(yield* Effect.serviceOption(BatchJournal))
    const fatal = yield* Deferred.make<never, JudgeError>()
    const redact = settings.redact ?? ((text: string) => text)
    const queue = yield* Queue.unbounded<BatchLine>()
    // Plain mutable state, each change made in one synchronous step (atomic between fibers).
    const waiting = new Map<string, Waiting>()
    /** Replies that arrived before anyone asked for them (a resumed run's earlier batches). */
    const ready = new Map<string, ProviderReply>()
    /** custom id → batch id, for batches an earlier process submitted and no reply has been handed out yet. */
    const known = new Map<string, string>()
    const members = new Map<string, ReadonlyArray<string>>()
    const counts = { submitted: 0, inProgress: 0, ended: 0, requests: 0, succeeded: 0, failed: 0, waitingMillis: 0, busySince: 0 }

    const loadKnown = yield* Effect.cached(
      journal === undefined ? Effect.void : Effect.flatMap(journal.known, (records) =>
        Effect.forEach(records.filter((r) => r.model === settings.model), (record) =>
          Effect.sync(() => {
            members.set(record.batchId, record.customIds)
            for (const id of record.customIds) known.set(id, record.batchId)
          }), { discard: true }))
    )

    /** A failure of the batch API as the call sees it: secrets removed; a rejected key or dead endpoint is fatal. */
    const apiFailure = (raw: JudgeError): Effect.Effect<JudgeError> => {
      const message = raw.kind === "Auth" ? `${client.provider} rejected the API key (${redact(raw.message)}): ${settings.keyHint ?? "check the API key"}` : redact(raw.message)
      const error = new JudgeError({ kind: raw.kind, message: `${client.provider} batch API: ${message}`, ...(raw.status === undefined ? {} : { status: raw.status }) })
      return raw.kind === "Auth" || raw.kind === "Unreachable" ? Effect.as(Deferred.fail(fatal, error), error) : Effect.succeed(error)
    }

    const busy = (delta: 1 | -1) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (delta === 1 && counts.inProgress === 0) counts.busySince = now
        counts.inProgress += delta
        if (delta === -1 && counts.inProgress === 0) counts.waitingMillis += now - counts.busySince
      })

    /** Hand a line's outcome to its caller (or keep a reply nobody asked for yet); an earlier batch's failure is asked again. */
    const settle = (customId: string, result: LineResult, resumed: boolean): Effect.Effect<void> =>
      Effect.suspend(() => {
        known.delete(customId)
        const waiter = waiting.get(customId)
        if (result.reply !== undefined) {
          counts.succeeded++
          if (waiter === undefined) return Effect.sync(() => void ready.set(customId, result.reply!))
          waiting.delete(customId)
          return Deferred.succeed(waiter.deferred, result.reply)
        }
        if (waiter === undefined) return Effect.void
        if (resumed) return Queue.offer(queue, { customId, request: waiter.request })
        counts.failed++
        waiting.delete(customId)
        return Deferred.fail(waiter.deferred, result.error ?? new JudgeError({ kind: "Transient", message: "batch line failed" }))
      })

    /** Poll a batch until it ends, then settle its lines; lines the results leave out fail with the batch's state. */
    const watch = (batchId: string, resumed: boolean): Effect.Effect<void, never, Scope.Scope> =>
      Effect.gen(function*() {
        yield* busy(1)
        let ended: BatchStatus | undefined
        yield* retryTransient(client.poll(batchId)).pipe(
          Effect.tap((status) => Effect.sync(() => void (ended = status))),
          Effect.repeat({ schedule: pollSchedule(settings.poll ?? "1 second", settings.maxPoll ?? "30 seconds"), until: (s: BatchStatus) => s.ended })
        )
        const results = yield* retryTransient(client.results(batchId))
        const answered = new Set<string>()
        for (const result of results) {
          answered.add(result.customId)
          yield* settle(result.customId, result, resumed)
        }
        const missing = new JudgeError({ kind: "Transient", message: `batch ${batchId} ended (${ended?.state ?? "?"}) without a reply for this request` })
        for (const id of members.get(batchId) ?? []) {
          if (!answered.has(id)) yield* settle(id, { customId: id, reply: undefined, error: missing }, resumed)
        }
      }).pipe(
        Effect.catchAll((raw) =>
          Effect.flatMap(apiFailure(raw), (error) =>
            // An earlier process's batch the provider no longer knows: its requests are asked again.
            Effect.forEach(members.get(batchId) ?? [], (id) => settle(id, { customId: id, reply: undefined, error }, resumed && error.kind === "BadRequest"), { discard: true }))
        ),
        Effect.ensuring(Effect.zipRight(busy(-1), Effect.sync(() => void counts.ended++))),
        Effect.forkScoped,
        Effect.asVoid
      )

    const submit = (lines: ReadonlyArray<BatchLine>) =>
      retryTransient(client.submit(lines)).pipe(
        Effect.matchEffect({
          onFailure: (raw) =>
            Effect.flatMap(apiFailure(raw), (error) =>
              Effect.forEach(lines, (line) => settle(line.customId, { customId: line.customId, reply: undefined, error }, false), { discard: true })),
          onSuccess: (batchId) =>
            Effect.gen(function*() {
              const customIds = lines.map((l) => l.customId)
              members.set(batchId, customIds)
              counts.submitted++
              counts.requests += lines.length
              if (journal !== undefined) {
                yield* journal.record({ batchId, model: settings.model, customIds }).pipe(
                  Effect.catchAll((e) => Effect.logWarning(`batch ${batchId} could not be recorded (a resumed run would submit its requests again): ${e.message}`))
                )
              }
              yield* watch(batchId, false)
            })
        })
      )

    const gather = Duration.decode(settings.gather ?? "1 second")
    /** Wait for a first request, let the queue grow while requests keep arriving, then submit what it holds. */
    const flushOnce = Effect.gen(function*() {
      const first = yield* Queue.take(queue)
      let size = yield* Queue.size(queue)
      for (let round = 0; round < 30 && size + 1 < client.maxRequests; round++) {
        yield* Effect.sleep(gather)
        const now = yield* Queue.size(queue)
        if (now === size) break
        size = now
      }
      const rest = yield* Queue.takeUpTo(queue, client.maxRequests - 1)
      yield* Effect.forEach(chunks(client, [first, ...rest]), submit, { discard: true })
    })
    yield* Effect.forkScoped(Effect.forever(flushOnce))

    /** Register a call: join an identical waiting call, take a reply already here, or wait for one. */
    const register = (customId: string, request: ChatRequest) =>
      Effect.sync(() => {
        const existing = waiting.get(customId)
        if (existing !== undefined) return { deferred: existing.deferred, action: "join" as const }
        const deferred = Deferred.unsafeMake<ProviderReply, JudgeError>(FiberId.none)
        waiting.set(customId, { request, deferred })
        const batchId = known.get(customId)
        return { deferred, action: batchId === undefined ? "queue" as const : "earlier" as const, batchId }
      })

    const call = (request: ChatRequest): Effect.Effect<ProviderReply, JudgeError> =>
      Effect.gen(function*() {
        yield* loadKnown
        const customId = customIdOf(settings.model, request)
        const kept = ready.get(customId)
        if (kept !== undefined) {
          ready.delete(customId)
          return kept
        }
        const entry = yield* register(customId, request)
        if (entry.action === "queue") yield* Queue.offer(queue, { customId, request })
        if (entry.action === "earlier" && entry.batchId !== undefined && !watching.has(entry.batchId)) {
          watching.add(entry.batchId)
          counts.submitted++
          yield* Scope.extend(watch(entry.batchId, true), scope)
        }
        return yield* Deferred.await(entry.deferred)
      })
    const watching = new Set<string>()
    const scope = yield* Effect.scope

    const stats = Effect.map(Clock.currentTimeMillis, (now): BatchStats => ({
      submitted: counts.submitted,
      inProgress: counts.inProgress,
      ended: counts.ended,
      requests: counts.requests,
      waiting: waiting.size,
      succeeded: counts.succeeded,
      failed: counts.failed,
      waitingMillis: counts.waitingMillis + (counts.inProgress > 0 ? now - counts.busySince : 0)
    }))
    return { call, stats, fatal }
  })
