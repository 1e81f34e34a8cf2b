/**
 * The fake server's batch APIs: OpenAI's Files + Batches (`POST /v1/files` multipart with purpose `batch`,
 * `POST /v1/batches`, `GET /v1/batches/:id`, `POST /v1/batches/:id/cancel`, `GET /v1/files/:id/content`) and
 * Anthropic's Message Batches (`POST /v1/messages/batches`, `GET /v1/messages/batches/:id`,
 * `GET …/:id/results`, `POST …/:id/cancel`). A batch is in progress until `batch.delay` after its creation
 * (by `Clock`), then ends as `batch.outcome` says; its lines are answered like live requests (scripts, default
 * reply), except those matching `batch.failPattern`, which fail on their own.
 *
 * @example
 * ```ts
 * const batches = new BatchStore()
 * const reply = handleBatch(config, log, batches, request) // undefined: not a batch route
 * ```
 */
import { Clock, Duration, Effect, Option, Schema } from "effect"
import type { FakeOpenAiConfig } from "./config.js"
import { anthropic, type Dialect, type FakeReply, type FakeRequest, openAi } from "./dialects.js"
import { answer } from "./handler.js"
import type { RequestLog } from "./log.js"
import * as Replies from "./replies.js"

/** One request of a batch. */
interface Line {
  readonly customId: string
  readonly body: Record<string, unknown>
}

/** A batch as the fake keeps it. */
interface Batch {
  readonly id: string
  readonly api: "openai" | "anthropic"
  readonly createdAt: number
  readonly endsAt: number
  readonly inputFileId: string | undefined
  readonly lines: ReadonlyArray<Line>
  cancelled: boolean
  /** Filled once, when the batch is first seen ended. */
  ended: Ended | undefined
}

/** What an ended batch produced: one answer or error per line. */
interface Ended {
  readonly answered: ReadonlyArray<{ readonly customId: string; readonly body: unknown }>
  readonly failed: ReadonlyArray<{ readonly customId: string; readonly kind: "error" | "expired" | "canceled" }>
  readonly outputFileId: string | undefined
  readonly errorFileId: string | undefined
}

/**
 * The fake's files and batches (mutable; touched only through Effects).
 *
 * @example
 * ```ts
 * const store = new BatchStore()
 * store.created // batches created so far
 * ```
 */
export class BatchStore {
  readonly files = new Map<string, string>()
  readonly batches = new Map<string, Batch>()
  /** Batches created so far, both APIs. */
  created = 0
  /** `http://127.0.0.1:PORT`, set once the server listens: Anthropic's `results_url` is absolute. */
  origin = ""
  private nextId = 0
  readonly id = (prefix: string) => `${prefix}${(++this.nextId).toString().padStart(6, "0")}`
}

const json = (status: number, body: unknown): FakeReply => ({ status, headers: {}, body })
const notFound = (dialect: Dialect, route: string) => json(404, dialect.failure({ kind: "NotFound", route }).body)
const badRequest = (dialect: Dialect, message: string) =>
  json(400, dialect === anthropic ? Replies.anthropicError("invalid_request_error", message) : Replies.errorBody(message, "invalid_request_error", null))

const Body = Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
const decodeBody = Schema.decodeUnknownOption(Body)
const OpenAiLine = Schema.parseJson(Schema.Struct({
  custom_id: Schema.String,
  method: Schema.Literal("POST"),
  url: Schema.String,
  body: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}))
const decodeOpenAiLine = Schema.decodeUnknownOption(OpenAiLine)
const AnthropicCreate = Schema.Struct({
  requests: Schema.Array(Schema.Struct({ custom_id: Schema.String, params: Schema.Record({ key: Schema.String, value: Schema.Unknown }) }))
})
const decodeAnthropicCreate = Schema.decodeUnknownOption(Schema.parseJson(AnthropicCreate))

const matches = (pattern: RegExp | string | undefined, text: string) =>
  pattern !== undefined && (typeof pattern === "string" ? new RegExp(pattern) : pattern).test(text)

/** Answer a batch's lines once it has ended (each line as a live request would be, or its injected failure). */
const endBatch = (config: FakeOpenAiConfig, store: BatchStore, batch: Batch, now: number): Ended => {
  const outcome = batch.cancelled ? "cancelled" : config.batch?.outcome ?? "completed"
  const dialect = batch.api === "openai" ? openAi : anthropic
  const path = batch.api === "openai" ? "/v1/chat/completions" : "/v1/messages"
  const answered: Array<Ended["answered"][number]> = []
  const failed: Array<Ended["failed"][number]> = []
  batch.lines.forEach((line, i) => {
    if (outcome !== "completed") return failed.push({ customId: line.customId, kind: outcome === "cancelled" ? "canceled" : "expired" })
    if (matches(config.batch?.failPattern, Replies.lastUserMessage(line.body))) return failed.push({ customId: line.customId, kind: "error" })
    const request: FakeRequest = { method: "POST", path, authorization: undefined, body: JSON.stringify(line.body) }
    answered.push({ customId: line.customId, body: answer(config, dialect, i + 1, now, request, line.body) })
  })
  if (batch.api === "anthropic" || outcome === "failed") return { answered, failed, outputFileId: undefined, errorFileId: undefined }
  const outputFileId = answered.length > 0 ? store.id("file-out-") : undefined
  const errorFileId = failed.length > 0 ? store.id("file-err-") : undefined
  const jsonl = (rows: ReadonlyArray<unknown>) => rows.map((row) => JSON.stringify(row)).join("\n") + "\n"
  if (outputFileId !== undefined) {
    store.files.set(outputFileId, jsonl(answered.map((a, i) => ({ id: `batch_req_${i}`, custom_id: a.customId, response: { status_code: 200, request_id: `req_${i}`, body: a.body }, error: null }))))
  }
  if (errorFileId !== undefined) {
    store.files.set(errorFileId, jsonl(failed.map((f, i) => f.kind === "error"
      ? { id: `batch_req_e${i}`, custom_id: f.customId, response: { status_code: 500, request_id: `req_e${i}`, body: Replies.errorBody("The server had an error.", "server_error", null) }, error: null }
      : { id: `batch_req_e${i}`, custom_id: f.customId, response: null, error: { code: f.kind === "expired" ? "batch_expired" : "batch_cancelled", message: `This request was not executed: the batch ${f.kind === "expired" ? "expired" : "was cancelled"}.` } })))
  }
  return { answered, failed, outputFileId, errorFileId }
}

/** The batch's state at `now`, ending it (once) when its time has come or it was cancelled. */
const stateOf = (config: FakeOpenAiConfig, store: BatchStore, batch: Batch, now: number): Ended | undefined => {
  if (batch.ended === undefined && (batch.cancelled || now >= batch.endsAt)) batch.ended = endBatch(config, store, batch, now)
  return batch.ended
}

const seconds = (ms: number) => Math.floor(ms / 1000)

/** An OpenAI batch object. */
const openAiBatch = (config: FakeOpenAiConfig, store: BatchStore, batch: Batch, now: number) => {
  const ended = stateOf(config, store, batch, now)
  const outcome = batch.cancelled ? "cancelled" : config.batch?.outcome ?? "completed"
  const status = ended === undefined ? "in_progress" : outcome
  return {
    id: batch.id,
    object: "batch",
    endpoint: "/v1/chat/completions",
    input_file_id: batch.inputFileId,
    completion_window: "24h",
    status,
    output_file_id: ended?.outputFileId ?? null,
    error_file_id: ended?.errorFileId ?? null,
    errors: status === "failed" ? { object: "list", data: [{ code: "invalid_request", message: "The batch failed validation.", line: null, param: null }] } : null,
    created_at: seconds(batch.createdAt),
    request_counts: {
      total: batch.lines.length,
      completed: ended?.answered.length ?? 0,
      failed: ended?.failed.length ?? 0
    }
  }
}

/** An Anthropic message batch object. */
const anthropicBatch = (config: FakeOpenAiConfig, store: BatchStore, batch: Batch, now: number) => {
  const ended = stateOf(config, store, batch, now)
  const count = (kind: Ended["failed"][number]["kind"]) => ended?.failed.filter((f) => f.kind === kind).length ?? 0
  return {
    id: batch.id,
    type: "message_batch",
    processing_status: ended === undefined ? "in_progress" : "ended",
    request_counts: {
      processing: ended === undefined ? batch.lines.length : 0,
      succeeded: ended?.answered.length ?? 0,
      errored: count("error"),
      canceled: count("canceled"),
      expired: count("expired")
    },
    created_at: new Date(batch.createdAt).toISOString(),
    ended_at: ended === undefined ? null : new Date(now).toISOString(),
    results_url: ended === undefined ? null : `${store.origin}/v1/messages/batches/${batch.id}/results`
  }
}

/** Anthropic's results file: one JSON line per request. */
const anthropicResults = (ended: Ended): string =>
  [
    ...ended.answered.map((a) => ({ custom_id: a.customId, result: { type: "succeeded", message: a.body } })),
    ...ended.failed.map((f) => ({
      custom_id: f.customId,
      result: f.kind === "error" ? { type: "errored", error: Replies.anthropicError("api_error", "Internal server error") } : { type: f.kind }
    }))
  ].map((row) => JSON.stringify(row)).join("\n") + "\n"

/** `POST /v1/files`: a multipart upload (`purpose`, `file`), kept as text. */
const uploadFile = (store: BatchStore, request: FakeRequest) =>
  Effect.gen(function*() {
    const form = yield* Effect.tryPromise(() => new Response(request.body, { headers: { "content-type": request.contentType ?? "" } }).formData()).pipe(Effect.option)
    const file = Option.flatMap(form, (f) => Option.fromNullable(f.get("file")))
    const purpose = Option.flatMap(form, (f) => Option.fromNullable(f.get("purpose")))
    if (Option.isNone(file) || typeof file.value === "string" || Option.getOrUndefined(purpose) !== "batch") {
      return badRequest(openAi, "expected a multipart upload with purpose=batch and a file")
    }
    const text = yield* Effect.promise(() => (file.value as Blob).text())
    const id = store.id("file-")
    store.files.set(id, text)
    return json(200, { id, object: "file", bytes: Buffer.byteLength(text), created_at: 0, filename: (file.value as File).name, purpose: "batch" })
  })

/** `POST /v1/batches`: a batch over an uploaded JSONL file of chat-completion requests. */
const createOpenAiBatch = (config: FakeOpenAiConfig, store: BatchStore, request: FakeRequest, now: number) => {
  const body = Option.getOrUndefined(decodeBody(request.body))
  const fileId = typeof body?.input_file_id === "string" ? body.input_file_id : undefined
  const text = fileId === undefined ? undefined : store.files.get(fileId)
  if (text === undefined) return badRequest(openAi, `no such input file: ${String(fileId)}`)
  const lines: Array<Line> = []
  for (const raw of text.split("\n").filter((l) => l.trim() !== "")) {
    const line = decodeOpenAiLine(raw)
    if (Option.isNone(line)) return badRequest(openAi, `malformed line in ${fileId}: ${raw.slice(0, 80)}`)
    lines.push({ customId: line.value.custom_id, body: line.value.body })
  }
  return json(200, openAiBatch(config, store, register(config, store, "openai", lines, now, fileId), now))
}

/** `POST /v1/messages/batches`. */
const createAnthropicBatch = (config: FakeOpenAiConfig, store: BatchStore, request: FakeRequest, now: number) => {
  const body = decodeAnthropicCreate(request.body)
  if (Option.isNone(body)) return badRequest(anthropic, "expected { requests: [{ custom_id, params }] }")
  const lines = body.value.requests.map((r) => ({ customId: r.custom_id, body: r.params }))
  return json(200, anthropicBatch(config, store, register(config, store, "anthropic", lines, now, undefined), now))
}

const register = (
  config: FakeOpenAiConfig,
  store: BatchStore,
  api: Batch["api"],
  lines: ReadonlyArray<Line>,
  now: number,
  inputFileId: string | undefined
): Batch => {
  const delay = Duration.toMillis(Duration.decode(config.batch?.delay ?? "1 second"))
  const batch: Batch = { id: store.id(api === "openai" ? "batch_" : "msgbatch_"), api, createdAt: now, endsAt: now + delay, inputFileId, lines, cancelled: false, ended: undefined }
  store.batches.set(batch.id, batch)
  store.created++
  return batch
}

/** The reply to a batch route at `now`, or undefined when the route is not one of the batch APIs'. */
const routeBatch = (config: FakeOpenAiConfig, store: BatchStore, request: FakeRequest, now: number): Effect.Effect<FakeReply> | undefined => {
  const { method, path } = request
  const parts = path.split("/").filter((p) => p !== "") // ["v1", "batches", id, "cancel"]
  const reply = (r: FakeReply) => Effect.succeed(r)
  if (parts[0] !== "v1") return undefined
  if (parts[1] === "files") {
    if (method === "POST" && parts.length === 2) return uploadFile(store, request)
    if (method === "GET" && parts.length === 4 && parts[3] === "content") {
      const text = store.files.get(parts[2]!)
      return reply(text === undefined ? notFound(openAi, path) : { status: 200, headers: { "content-type": "application/jsonl" }, body: text })
    }
    return undefined
  }
  const anthropicRoute = parts[1] === "messages" && parts[2] === "batches"
  if (parts[1] !== "batches" && !anthropicRoute) return undefined
  const dialect = anthropicRoute ? anthropic : openAi
  const rest = anthropicRoute ? parts.slice(3) : parts.slice(2)
  if (rest.length === 0) {
    if (method !== "POST") return undefined
    return reply(anthropicRoute ? createAnthropicBatch(config, store, request, now) : createOpenAiBatch(config, store, request, now))
  }
  const batch = store.batches.get(rest[0]!)
  if (batch === undefined || (batch.api === "anthropic") !== anthropicRoute) return reply(notFound(dialect, `${method} ${path}`))
  const view = () => (anthropicRoute ? anthropicBatch(config, store, batch, now) : openAiBatch(config, store, batch, now))
  if (method === "GET" && rest.length === 1) return reply(json(200, view()))
  if (method === "POST" && rest[1] === "cancel") {
    if (batch.ended === undefined) batch.cancelled = true
    return reply(json(200, view()))
  }
  if (method === "GET" && anthropicRoute && rest[1] === "results") {
    const ended = stateOf(config, store, batch, now)
    return reply(ended === undefined ? badRequest(anthropic, "the batch has not ended") : { status: 200, headers: { "content-type": "application/jsonl" }, body: anthropicResults(ended) })
  }
  return undefined
}

/**
 * Handle a batch-API request, logged like any other; undefined when the path is not a batch route.
 *
 * @example
 * ```ts
 * const reply = handleBatch(config, log, store, request) ?? handle(config, log, request)
 * ```
 */
export const handleBatch = (config: FakeOpenAiConfig, log: RequestLog, store: BatchStore, request: FakeRequest): Effect.Effect<FakeReply> | undefined => {
  const isBatchPath = /^\/v1\/(files(\/|$)|batches(\/|$)|messages\/batches(\/|$))/.test(request.path)
  if (!isBatchPath) return undefined
  return Effect.gen(function*() {
    const { inFlight, seq } = yield* log.arrive
    const now = yield* Clock.currentTimeMillis
    const dialect = request.path.startsWith("/v1/messages") ? anthropic : openAi
    const reply = config.apiKey !== undefined && !dialect.authorized(request, config.apiKey)
      ? json(401, dialect.failure({ kind: "Auth" }).body)
      : yield* (routeBatch(config, store, request, now) ?? Effect.succeed(notFound(dialect, `${request.method} ${request.path}`)))
    yield* log.record({ seq, path: request.path, method: request.method, arrivedAt: now, inFlight, status: reply.status, model: undefined, lastUserMessage: undefined })
    return reply
  }).pipe(Effect.ensuring(log.depart))
}
