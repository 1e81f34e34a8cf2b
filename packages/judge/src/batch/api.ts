/**
 * The vocabulary of batch mode: a provider's batch API as {@link BatchClientApi} (submit a batch of chat
 * requests, poll it, read its results), the {@link BatchJournal} where submitted batches are remembered so that
 * a resumed run polls them instead of paying for them again, and the {@link BatchCalls} service the Judge sends
 * its calls through in batch mode.
 *
 * @example
 * ```ts
 * const id = yield* client.submit([{ customId: "r1", request }])
 * const status = yield* client.poll(id)
 * if (status.ended) for (const line of yield* client.results(id)) console.log(line.customId)
 * ```
 */
import { Context, type Deferred, type Effect } from "effect"
import type { ChatRequest, ProviderReply } from "../chat.js"
import type { JudgeError } from "../errors.js"

/**
 * One request of a batch; `customId` maps its result back.
 *
 * @example
 * ```ts
 * const line: BatchLine = { customId: "r-3f2a", request: { messages: [{ role: "user", content: "hi" }] } }
 * ```
 * @since 0.1.0
 */
export interface BatchLine {
  readonly customId: string
  readonly request: ChatRequest
}

/**
 * A batch's state as the provider reports it: whether it has ended (completed, expired, cancelled or failed —
 * its results are final) and its request counts.
 *
 * @example
 * ```ts
 * const status: BatchStatus = { id: "batch_1", ended: false, state: "in_progress", total: 10, succeeded: 0, failed: 0 }
 * ```
 * @since 0.1.0
 */
export interface BatchStatus {
  readonly id: string
  readonly ended: boolean
  /** The provider's own word for the state (`in_progress`, `completed`, `expired`, `ended`, …). */
  readonly state: string
  readonly total: number
  readonly succeeded: number
  readonly failed: number
}

/**
 * The outcome of one line of an ended batch.
 *
 * @example
 * ```ts
 * const r: LineResult = { customId: "r1", reply, error: undefined }
 * ```
 * @since 0.1.0
 */
export interface LineResult {
  readonly customId: string
  readonly reply: ProviderReply | undefined
  /** Why the line has no reply (a failed line, an expired or cancelled batch). */
  readonly error: JudgeError | undefined
}

/**
 * A provider's batch API.
 *
 * @example
 * ```ts
 * const client: BatchClientApi = OpenAiBatch.make({ baseUrl, model, apiKey })
 * ```
 * @since 0.1.0
 */
export interface BatchClientApi {
  readonly provider: "openai" | "anthropic"
  /** Most requests in one batch (the provider's limit). */
  readonly maxRequests: number
  /** Most bytes of request bodies in one batch (the provider's limit, with room for framing). */
  readonly maxBytes: number
  /** The size a line adds to a batch, in bytes. */
  readonly lineBytes: (line: BatchLine) => number
  /** Submit the lines as one batch; its id. */
  readonly submit: (lines: ReadonlyArray<BatchLine>) => Effect.Effect<string, JudgeError>
  readonly poll: (id: string) => Effect.Effect<BatchStatus, JudgeError>
  /** The results of an ended batch: every line's reply or error (lines the provider left out are absent). */
  readonly results: (id: string) => Effect.Effect<ReadonlyArray<LineResult>, JudgeError>
}

/**
 * A batch as the run store keeps it.
 *
 * @example
 * ```ts
 * const record: BatchRecord = { batchId: "batch_1", model: "openai:gpt-4o-mini", customIds: ["r1", "r2"] }
 * ```
 * @since 0.1.0
 */
export interface BatchRecord {
  readonly batchId: string
  /** `provider:model` of the judge or target that submitted it. */
  readonly model: string
  readonly customIds: ReadonlyArray<string>
}

/**
 * Where submitted batches are remembered (the CLI's run store): a batch is recorded as soon as it is
 * submitted, and a resumed run reads back the batches its earlier process submitted.
 *
 * @example
 * ```ts
 * Layer.succeed(BatchJournal, { known: Effect.succeed([]), record: () => Effect.void })
 * ```
 * @since 0.1.0
 */
export class BatchJournal extends Context.Tag("assay/judge/BatchJournal")<BatchJournal, {
  /** Batches submitted earlier for this run (empty for a new run). */
  readonly known: Effect.Effect<ReadonlyArray<BatchRecord>, JudgeError>
  readonly record: (batch: BatchRecord) => Effect.Effect<void, JudgeError>
}>() {}

/**
 * Counters of batch mode, for the progress line and the summary.
 *
 * @example
 * ```ts
 * const { submitted, inProgress, ended } = stats
 * ```
 * @since 0.1.0
 */
export interface BatchStats {
  /** Batches submitted by this process, plus earlier ones being polled again. */
  readonly submitted: number
  readonly inProgress: number
  readonly ended: number
  /** Requests sent in batches (by this process). */
  readonly requests: number
  /** Requests whose reply has not arrived yet (queued or in a batch). */
  readonly waiting: number
  readonly succeeded: number
  readonly failed: number
  /** Milliseconds the run has had at least one batch in progress. */
  readonly waitingMillis: number
}

/**
 * The Judge's calls in batch mode: `call` resolves when the request's batch has ended.
 *
 * @example
 * ```ts
 * const reply = yield* Effect.flatMap(BatchCalls, (b) => b.call(request))
 * ```
 * @since 0.1.0
 */
export class BatchCalls extends Context.Tag("assay/judge/BatchCalls")<BatchCalls, {
  readonly call: (request: ChatRequest) => Effect.Effect<ProviderReply, JudgeError>
  readonly stats: Effect.Effect<BatchStats>
  /** Fails with the first fatal failure of the batch API (a rejected key, an unreachable endpoint). */
  readonly fatal: Deferred.Deferred<never, JudgeError>
}>() {}
