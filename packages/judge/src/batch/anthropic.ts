/**
 * Anthropic's Message Batches: `POST /v1/messages/batches` with every request's Messages API parameters,
 * `GET /v1/messages/batches/:id` to poll, and the results (JSONL, one line per request: `succeeded`,
 * `errored`, `canceled` or `expired`) read from the batch's `results_url` once its processing has ended.
 * Limits: 100,000 requests and 256 MB per batch.
 *
 * @example
 * ```ts
 * const client = yield* AnthropicBatch.make({ baseUrl: "https://api.anthropic.com", model: "claude-haiku-4-5", apiKey })
 * ```
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Redacted, Schema } from "effect"
import type { ChatRequest } from "../chat.js"
import { JudgeError } from "../errors.js"
import { type AnthropicOptions, apiRoot } from "../providers/anthropic.js"
import type { BatchClientApi, BatchLine, LineResult } from "./api.js"
import { decodeWith, exchange, jsonLines } from "./http.js"

const BatchObject = Schema.Struct({
  id: Schema.String,
  processing_status: Schema.String,
  results_url: Schema.optional(Schema.NullOr(Schema.String)),
  request_counts: Schema.Struct({
    processing: Schema.Number,
    succeeded: Schema.Number,
    errored: Schema.Number,
    canceled: Schema.Number,
    expired: Schema.Number
  })
})
const ResultLine = Schema.Struct({
  custom_id: Schema.String,
  result: Schema.Struct({
    type: Schema.String,
    message: Schema.optional(Schema.Struct({
      content: Schema.Array(Schema.Struct({ type: Schema.String, text: Schema.optional(Schema.String) })),
      usage: Schema.Struct({ input_tokens: Schema.Number, output_tokens: Schema.Number })
    })),
    error: Schema.optional(Schema.Unknown)
  })
})

/** The reply budget when a request sets none (the Messages API requires one), as for live calls. */
const DEFAULT_MAX_TOKENS = 1024

/** A request as Messages API parameters: system messages go to the top-level `system`. */
const params = (options: AnthropicOptions, request: ChatRequest) => {
  const system = request.messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n")
  const temperature = request.temperature ?? options.temperature
  return {
    model: options.model,
    max_tokens: request.maxTokens ?? options.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: request.messages.filter((m) => m.role !== "system").map((m) => ({ role: m.role, content: m.content })),
    ...(system === "" ? {} : { system }),
    ...(temperature === undefined ? {} : { temperature })
  }
}

const lineResult = (line: typeof ResultLine.Type): LineResult => {
  const { custom_id: customId, result } = line
  if (result.type === "succeeded" && result.message !== undefined) {
    const text = result.message.content.flatMap((block) => (block.type === "text" && block.text !== undefined ? [block.text] : [])).join("")
    const usage = { input: result.message.usage.input_tokens, output: result.message.usage.output_tokens }
    return { customId, reply: { text, usage }, error: undefined }
  }
  const detail = result.error === undefined ? "" : `: ${JSON.stringify(result.error).slice(0, 200)}`
  const kind = result.type === "errored" && /invalid_request_error/.test(detail) ? "BadRequest" : "Transient"
  return { customId, reply: undefined, error: new JudgeError({ kind, message: `batch line ${result.type}${detail}` }) }
}

/**
 * The batch client over an `HttpClient`.
 *
 * @example
 * ```ts
 * const client = yield* make({ model: "claude-haiku-4-5", apiKey, baseUrl: "https://api.anthropic.com" })
 * ```
 * @since 0.1.0
 */
export const make = (options: AnthropicOptions) =>
  Effect.map(HttpClient.HttpClient, (client): BatchClientApi => {
    const root = `${apiRoot(options.baseUrl ?? "https://api.anthropic.com")}/v1/messages/batches`
    const headers = HttpClientRequest.setHeaders({
      "anthropic-version": "2023-06-01",
      ...(options.apiKey === undefined ? {} : { "x-api-key": Redacted.value(options.apiKey) })
    })
    const send = (request: HttpClientRequest.HttpClientRequest) => exchange(client, headers(request))
    const request = (line: BatchLine) => ({ custom_id: line.customId, params: params(options, line.request) })
    const getBatch = (id: string) => Effect.flatMap(send(HttpClientRequest.get(`${root}/${id}`)), decodeWith(BatchObject, "message batch"))
    const decodeLine = decodeWith(ResultLine, "batch result line")
    return {
      provider: "anthropic",
      maxRequests: 100_000,
      maxBytes: 250_000_000,
      lineBytes: (line) => Buffer.byteLength(JSON.stringify(request(line))) + 1,
      submit: (lines) =>
        send(HttpClientRequest.post(root).pipe(HttpClientRequest.bodyUnsafeJson({ requests: lines.map(request) }))).pipe(
          Effect.flatMap(decodeWith(BatchObject, "message batch")),
          Effect.map((batch) => batch.id)
        ),
      poll: (id) =>
        Effect.map(getBatch(id), (b) => ({
          id: b.id,
          ended: b.processing_status === "ended",
          state: b.processing_status,
          total: Object.values(b.request_counts).reduce((n, c) => n + c, 0),
          succeeded: b.request_counts.succeeded,
          failed: b.request_counts.errored + b.request_counts.canceled + b.request_counts.expired
        })),
      results: (id) =>
        Effect.gen(function*() {
          const batch = yield* getBatch(id)
          if (batch.results_url == null) return []
          const text = yield* send(HttpClientRequest.get(batch.results_url))
          return yield* Effect.forEach(jsonLines(text), (line) => Effect.map(decodeLine(line), lineResult))
        })
    }
  })
