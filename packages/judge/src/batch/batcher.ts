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
 * @since 0.1.0
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
 * @since 0.1.0
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
 * @since 0.1.0
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

/** The batcher's counters, behind {@link BatchStats}. */
interface Counts {
  submitted: number
  inProgress: number
  ended: number
  requests: number
  succeeded: number
  failed: number
  waitingMillis: number
  busySince: number
}

/**
 * What the batcher's steps share: the client and settings, the queue the flusher drains, and plain mutable
 * state, each change made in one synchronous step (atomic between fibers).
 */
interface Batcher {
  readonly client: BatchClientApi
  readonly settings: BatcherSettings
  readonly journal: BatchJournal["Type"] | undefined
  readonly fatal: Deferred.Deferred<never, JudgeError>
  readonly redact: (text: string) => string
  readonly gather: Duration.Duration
  readonly queue: Queue.Queue<BatchLine>
  /** The scope the batcher was made in: pollers of earlier batches, started by a call, live there. */
  readonly scope: Scope.Scope
  readonly waiting: Map<string, Waiting>
  /** Replies that arrived before anyone asked for them (a resumed run's earlier batches). */
  readonly ready: Map<string, ProviderReply>
  /** custom id → batch id, for batches an earlier process submitted and no reply has been handed out yet. */
  readonly known: Map<string, string>
  /** batch id → the custom ids of its lines. */
  readonly members: Map<string, ReadonlyArray<string>>
  /** Earlier batches a poller already watches. */
  readonly watching: Set<string>
  readonly counts: Counts
}

/** Remember the batches the journal holds for this model, so that calls wait for them instead of submitting again. */
const loadKnown = (b: Batcher): Effect.Effect<void, JudgeError> =>
  b.journal === undefined ? Effect.void : Effect.flatMap(b.journal.known, (records) =>
    Effect.forEach(records.filter((r) => r.model === b.settings.model), (record) =>
      Effect.sync(() => {
        b.members.set(record.batchId, record.customIds)
        for (const id of record.customIds) b.known.set(id, record.batchId)
      }), { discard: true }))

/** A failure of the batch API as the call sees it: secrets removed; a rejected key or dead endpoint is fatal. */
const apiFailure = (b: Batcher, raw: JudgeError): Effect.Effect<JudgeError> => {
  const message = raw.kind === "Auth" ? `${b.client.provider} rejected the API key (${b.redact(raw.message)}): ${b.settings.keyHint ?? "check the API key"}` : b.redact(raw.message)
  const error = new JudgeError({ kind: raw.kind, message: `${b.client.provider} batch API: ${message}`, ...(raw.status === undefined ? {} : { status: raw.status }) })
  return raw.kind === "Auth" || raw.kind === "Unreachable" ? Effect.as(Deferred.fail(b.fatal, error), error) : Effect.succeed(error)
}

/** Count a batch in or out of progress, adding the time some batch was in progress to `waitingMillis`. */
const busy = (b: Batcher, delta: 1 | -1): Effect.Effect<void> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const { counts } = b
    if (delta === 1 && counts.inProgress === 0) counts.busySince = now
    counts.inProgress += delta
    if (delta === -1 && counts.inProgress === 0) counts.waitingMillis += now - counts.busySince
  })

/** Hand a line's outcome to its caller (or keep a reply nobody asked for yet); an earlier batch's failure is asked again. */
const settle = (b: Batcher, customId: string, result: LineResult, resumed: boolean): Effect.Effect<void> =>
  Effect.suspend(() => {
    b.known.delete(customId)
    const waiter = b.waiting.get(customId)
    if (result.reply !== undefined) {
      b.counts.succeeded++
      if (waiter === undefined) return Effect.sync(() => void b.ready.set(customId, result.reply!))
      b.waiting.delete(customId)
      return Deferred.succeed(waiter.deferred, result.reply)
    }
    if (waiter === undefined) return Effect.void
    if (resumed) return Queue.offer(b.queue, { customId, request: waiter.request })
    b.counts.failed++
    b.waiting.delete(customId)
    return Deferred.fail(waiter.deferred, result.error ?? new JudgeError({ kind: "Transient", message: "batch line failed" }))
  })

/** Settle every line of a batch with the same failure. */
const settleAll = (b: Batcher, customIds: ReadonlyArray<string>, error: JudgeError, resumed: boolean): Effect.Effect<void> =>
  Effect.forEach(customIds, (id) => settle(b, id, { customId: id, reply: undefined, error }, resumed), { discard: true })

/** Poll a batch on the adaptive schedule until it ends; the last status seen (the schedule's output is not it). */
const pollUntilEnded = (b: Batcher, batchId: string): Effect.Effect<BatchStatus | undefined, JudgeError> =>
  Effect.suspend(() => {
    let ended: BatchStatus | undefined
    return retryTransient(b.client.poll(batchId)).pipe(
      Effect.tap((status) => Effect.sync(() => void (ended = status))),
      Effect.repeat({ schedule: pollSchedule(b.settings.poll ?? "1 second", b.settings.maxPoll ?? "30 seconds"), until: (s: BatchStatus) => s.ended }),
      Effect.map(() => ended)
    )
  })

/** Settle an ended batch's lines from its results; lines the results leave out fail with the batch's state. */
const settleResults = (b: Batcher, batchId: string, ended: BatchStatus | undefined, resumed: boolean): Effect.Effect<void, JudgeError> =>
  Effect.gen(function*() {
    const results = yield* retryTransient(b.client.results(batchId))
    const answered = new Set<string>()
    for (const result of results) {
      answered.add(result.customId)
      yield* settle(b, result.customId, result, resumed)
    }
    const missing = new JudgeError({ kind: "Transient", message: `batch ${batchId} ended (${ended?.state ?? "?"}) without a reply for this request` })
    yield* settleAll(b, (b.members.get(batchId) ?? []).filter((id) => !answered.has(id)), missing, resumed)
  })

/** Fork a poller for a batch: it waits for the batch to end, then settles its lines. */
const watch = (b: Batcher, batchId: string, resumed: boolean): Effect.Effect<void, never, Scope.Scope> =>
  busy(b, 1).pipe(
    Effect.zipRight(pollUntilEnded(b, batchId)),
    Effect.flatMap((ended) => settleResults(b, batchId, ended, resumed)),
    Effect.catchAll((raw) =>
      Effect.flatMap(apiFailure(b, raw), (error) =>
        // An earlier process's batch the provider no longer knows: its requests are asked again.
        settleAll(b, b.members.get(batchId) ?? [], error, resumed && error.kind === "BadRequest"))
    ),
    Effect.ensuring(Effect.zipRight(busy(b, -1), Effect.sync(() => void b.counts.ended++))),
    Effect.forkScoped,
    Effect.asVoid
  )

/** Record a submitted batch in the journal; a failure only costs a resumed run a second submission. */
const journalBatch = (b: Batcher, batchId: string, customIds: ReadonlyArray<string>): Effect.Effect<void> =>
  b.journal === undefined ? Effect.void : b.journal.record({ batchId, model: b.settings.model, customIds }).pipe(
    Effect.catchAll((e) => Effect.logWarning(`batch ${batchId} could not be recorded (a resumed run would submit its requests again): ${e.message}`))
  )

/** Submit lines as one batch, record it and watch it; a failed submission fails every line's call. */
const submit = (b: Batcher, lines: ReadonlyArray<BatchLine>): Effect.Effect<void, never, Scope.Scope> =>
  retryTransient(b.client.submit(lines)).pipe(
    Effect.matchEffect({
      onFailure: (raw) => Effect.flatMap(apiFailure(b, raw), (error) => settleAll(b, lines.map((l) => l.customId), error, false)),
      onSuccess: (batchId) =>
        Effect.gen(function*() {
          const customIds = lines.map((l) => l.customId)
          b.members.set(batchId, customIds)
          b.counts.submitted++
          b.counts.requests += lines.length
          yield* journalBatch(b, batchId, customIds)
          yield* watch(b, batchId, false)
        })
    })
  )

/** Wait for a first request, let the queue grow while requests keep arriving, then submit what it holds. */
const flushOnce = (b: Batcher): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const first = yield* Queue.take(b.queue)
    let size = yield* Queue.size(b.queue)
    for (let round = 0; round < 30 && size + 1 < b.client.maxRequests; round++) {
      yield* Effect.sleep(b.gather)
      const now = yield* Queue.size(b.queue)
      if (now === size) break
      size = now
    }
    const rest = yield* Queue.takeUpTo(b.queue, b.client.maxRequests - 1)
    yield* Effect.forEach(chunks(b.client, [first, ...rest]), (lines) => submit(b, lines), { discard: true })
  })

/** Register a call: join an identical waiting call, take a reply already here, or wait for one. */
const register = (b: Batcher, customId: string, request: ChatRequest) =>
  Effect.sync(() => {
    const existing = b.waiting.get(customId)
    if (existing !== undefined) return { deferred: existing.deferred, action: "join" as const }
    const deferred = Deferred.unsafeMake<ProviderReply, JudgeError>(FiberId.none)
    b.waiting.set(customId, { request, deferred })
    const batchId = b.known.get(customId)
    return { deferred, action: batchId === undefined ? "queue" as const : "earlier" as const, batchId }
  })

/** One chat call in batch mode: a reply already here, or a line queued (or found in an earlier batch) and awaited. */
const call = (b: Batcher, loaded: Effect.Effect<void, JudgeError>, request: ChatRequest): Effect.Effect<ProviderReply, JudgeError> =>
  Effect.gen(function*() {
    yield* loaded
    const customId = customIdOf(b.settings.model, request)
    const kept = b.ready.get(customId)
    if (kept !== undefined) {
      b.ready.delete(customId)
      return kept
    }
    const entry = yield* register(b, customId, request)
    if (entry.action === "queue") yield* Queue.offer(b.queue, { customId, request })
    if (entry.action === "earlier" && entry.batchId !== undefined && !b.watching.has(entry.batchId)) {
      b.watching.add(entry.batchId)
      b.counts.submitted++
      yield* Scope.extend(watch(b, entry.batchId, true), b.scope)
    }
    return yield* Deferred.await(entry.deferred)
  })

/** The batcher's counters now, with the time a batch is still in progress counted up to now. */
const stats = (b: Batcher): Effect.Effect<BatchStats> =>
  Effect.map(Clock.currentTimeMillis, (now): BatchStats => ({
    submitted: b.counts.submitted,
    inProgress: b.counts.inProgress,
    ended: b.counts.ended,
    requests: b.counts.requests,
    waiting: b.waiting.size,
    succeeded: b.counts.succeeded,
    failed: b.counts.failed,
    waitingMillis: b.counts.waitingMillis + (b.counts.inProgress > 0 ? now - b.counts.busySince : 0)
  }))

/**
 * The batcher as the {@link BatchCalls} service; its fibers live in the current Scope.
 *
 * @example
 * ```ts
 * Layer.scoped(BatchCalls, makeBatcher(client, { model }))
 * ```
 * @since 0.1.0
 */
export const makeBatcher = (client: BatchClientApi, settings: BatcherSettings): Effect.Effect<BatchCalls["Type"], never, Scope.Scope> =>
  Effect.gen(function*() {
    const b: Batcher = {
      client,
      settings,
      journal: Option.getOrUndefined(yield* Effect.serviceOption(BatchJournal)),
      fatal: yield* Deferred.make<never, JudgeError>(),
      redact: settings.redact ?? ((text: string) => text),
      gather: Duration.decode(settings.gather ?? "1 second"),
      queue: yield* Queue.unbounded<BatchLine>(),
      scope: yield* Effect.scope,
      waiting: new Map(),
      ready: new Map(),
      known: new Map(),
      members: new Map(),
      watching: new Set(),
      counts: { submitted: 0, inProgress: 0, ended: 0, requests: 0, succeeded: 0, failed: 0, waitingMillis: 0, busySince: 0 }
    }
    const loaded = yield* Effect.cached(loadKnown(b))
    yield* Effect.forkScoped(Effect.forever(flushOnce(b)))
    return { call: (request: ChatRequest) => call(b, loaded, request), stats: stats(b), fatal: b.fatal }
  })
