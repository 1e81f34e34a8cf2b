/**
 * OpenAI's Batch API: the requests as a JSONL file of chat-completion calls uploaded with `POST /files`
 * (purpose `batch`), `POST /batches` over it (24 h window), `GET /batches/:id` to poll, and the output and
 * error files read with `GET /files/:id/content` once it has ended. Limits: 50,000 requests and 200 MB per batch.
 *
 * @example
 * ```ts
 * const client = OpenAiBatch.make({ baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", apiKey })
 * ```
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Either, Redacted, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { JudgeError } from "../errors.js"
import { type OpenAiCompatibleOptions, parseReply, requestBody } from "../providers/openai-compatible.js"
import type { BatchClientApi, BatchLine, LineResult } from "./api.js"
import { decodeWith, exchange, jsonLines } from "./http.js"

const BatchObject = Schema.Struct({
  id: Schema.String,
  status: Schema.String,
  output_file_id: Schema.optional(Schema.NullOr(Schema.String)),
  error_file_id: Schema.optional(Schema.NullOr(Schema.String)),
  request_counts: Schema.optional(Schema.NullOr(Schema.Struct({ total: Schema.Number, completed: Schema.Number, failed: Schema.Number })))
})
const FileObject = Schema.Struct({ id: Schema.String })
const OutputLine = Schema.Struct({
  custom_id: Schema.String,
  response: Schema.NullOr(Schema.Struct({ status_code: Schema.Number, body: Schema.Unknown })),
  error: Schema.NullOr(Schema.Struct({ code: Schema.optional(Schema.NullOr(Schema.String)), message: Schema.String }))
})

const ENDED = new Set(["completed", "failed", "expired", "cancelled"])

/** One line's outcome from a line of the output or error file. */
const lineResult = (line: typeof OutputLine.Type): LineResult => {
  const { custom_id: customId, error, response } = line
  if (response !== null && response.status_code >= 200 && response.status_code < 300) {
    const reply = parseReply(JSON.stringify(response.body), {})
    return Either.isRight(reply) ? { customId, reply: reply.right, error: undefined } : { customId, reply: undefined, error: reply.left }
  }
  const message = error?.message ?? `${response?.status_code ?? "no"} response: ${JSON.stringify(response?.body ?? null).slice(0, 200)}`
  const kind = response !== null && response.status_code >= 400 && response.status_code < 500 && response.status_code !== 429 ? "BadRequest" : "Transient"
  return { customId, reply: undefined, error: new JudgeError({ kind, message: `batch line failed: ${message}`, ...(response === null ? {} : { status: response.status_code }) }) }
}

/**
 * The JSONL upload as a multipart body written out by hand: platform-node's undici client fails on a web
 * `FormData` body ("action is not a function"), and the form has just two fields.
 */
const multipart = (jsonl: string) => {
  const boundary = `assay-${randomUUID()}`
  const body = [
    `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="assay-batch.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n`,
    jsonl,
    `\r\n--${boundary}--\r\n`
  ].join("")
  return HttpClientRequest.bodyUint8Array(new TextEncoder().encode(body), `multipart/form-data; boundary=${boundary}`)
}

/**
 * The batch client over an `HttpClient`.
 *
 * @example
 * ```ts
 * const client = yield* make({ baseUrl, model: "gpt-4o-mini", apiKey })
 * ```
 * @since 0.1.0
 */
export const make = (options: OpenAiCompatibleOptions) =>
  Effect.map(HttpClient.HttpClient, (client): BatchClientApi => {
    const base = options.baseUrl.replace(/\/+$/, "")
    const auth = HttpClientRequest.setHeaders(options.apiKey === undefined ? {} : { authorization: `Bearer ${Redacted.value(options.apiKey)}` })
    const send = (request: HttpClientRequest.HttpClientRequest) => exchange(client, auth(request))
    const jsonLine = (line: BatchLine) =>
      JSON.stringify({ custom_id: line.customId, method: "POST", url: "/v1/chat/completions", body: requestBody(options, line.request) })
    const decodeLine = decodeWith(OutputLine, "batch output line")
    const fileLines = (id: string | null | undefined) =>
      id == null
        ? Effect.succeed([])
        : send(HttpClientRequest.get(`${base}/files/${id}/content`)).pipe(
          Effect.flatMap((text) => Effect.forEach(jsonLines(text), (line) => Effect.map(decodeLine(line), lineResult)))
        )
    const getBatch = (id: string) => Effect.flatMap(send(HttpClientRequest.get(`${base}/batches/${id}`)), decodeWith(BatchObject, "batch"))
    return {
      provider: "openai",
      maxRequests: 50_000,
      maxBytes: 190_000_000,
      lineBytes: (line) => Buffer.byteLength(jsonLine(line)) + 1,
      submit: (lines) =>
        Effect.gen(function*() {
          const upload = HttpClientRequest.post(`${base}/files`).pipe(multipart(lines.map(jsonLine).join("\n") + "\n"))
          const file = yield* Effect.flatMap(send(upload), decodeWith(FileObject, "file"))
          const created = yield* send(HttpClientRequest.post(`${base}/batches`).pipe(
            HttpClientRequest.bodyUnsafeJson({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" })
          ))
          return (yield* decodeWith(BatchObject, "batch")(created)).id
        }),
      poll: (id) =>
        Effect.map(getBatch(id), (b) => ({
          id: b.id,
          ended: ENDED.has(b.status),
          state: b.status,
          total: b.request_counts?.total ?? 0,
          succeeded: b.request_counts?.completed ?? 0,
          failed: b.request_counts?.failed ?? 0
        })),
      results: (id) =>
        Effect.gen(function*() {
          const batch = yield* getBatch(id)
          const output = yield* fileLines(batch.output_file_id)
          const errors = yield* fileLines(batch.error_file_id)
          return [...output, ...errors]
        })
    }
  })
