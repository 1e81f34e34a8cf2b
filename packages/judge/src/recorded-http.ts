/**
 * A user's `HttpClient` through the run's {@link Recording}: with a recording in record mode every request's
 * status, content type and body are kept; in replay mode they are served from the file and the wrapped client
 * is never called (a request the file does not hold fails as a transport error carrying the
 * {@link ReplayMiss} message). Without a `Recording` the client is unchanged. Request and response headers are
 * never recorded.
 *
 * @example
 * ```ts
 * const HttpLive = recordedHttpClient.pipe(Layer.provide(NodeHttpClient.layerUndici))
 * myTask.pipe(Effect.provide(HttpLive), Effect.provide(Recording.replay("calls.jsonl")))
 * ```
 */
import { HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Effect, Either, Layer, Option, Schema } from "effect"
import { Offline, offlineRefusal } from "./offline.js"
import { Recording, type RecordingApi, routeOf } from "./recording.js"

/** A response as a recording keeps it. */
const RecordedResponse = Schema.Struct({ status: Schema.Number, contentType: Schema.String, body: Schema.String })
const decodeResponse = Schema.decodeUnknownEither(RecordedResponse)
const decoder = new TextDecoder()

/** The request body as recorded: parsed JSON when it is JSON, else its text (a stream or form: a marker). */
const bodyOf = (request: HttpClientRequest.HttpClientRequest): unknown => {
  const body = request.body
  const text = body._tag === "Uint8Array" ? decoder.decode(body.body) : body._tag === "Raw" && typeof body.body === "string" ? body.body : undefined
  if (body._tag === "Empty") return null
  if (text === undefined) return `[${body._tag} body]`
  const json = Either.try(() => JSON.parse(text) as unknown)
  return Either.isRight(json) ? json.right : text
}

/** A recorded response as the client's response. */
const toResponse = (request: HttpClientRequest.HttpClientRequest, kept: typeof RecordedResponse.Type) =>
  HttpClientResponse.fromWeb(request, new Response(kept.body, { status: kept.status, headers: { "content-type": kept.contentType } }))

/**
 * `client` with every request through `recording`.
 *
 * @example
 * ```ts
 * const client = recordHttp(yield* HttpClient.HttpClient, yield* Recording)
 * ```
 * @since 0.1.0
 */
export const recordHttp = (client: HttpClient.HttpClient, recording: RecordingApi): HttpClient.HttpClient =>
  HttpClient.transform(client, (effect, request) =>
    recording.through(
      { method: request.method, path: request.url, body: bodyOf(request) },
      Effect.flatMap(effect, (response) =>
        Effect.map(response.text, (body) => ({ status: response.status, contentType: response.headers["content-type"] ?? "", body })))
    ).pipe(
      Effect.flatMap((kept) => Either.map(decodeResponse(kept), (r) => toResponse(request, r))),
      Effect.catchIf(
        (error): error is Exclude<typeof error, HttpClientError.HttpClientError> => !HttpClientError.isHttpClientError(error),
        (error) =>
          Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: error, description: error.message }))
      )
    ))

/** A client whose every request fails under {@link Offline}, naming the case and the URL it would reach. */
const refusingClient = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(client, (_, request) =>
    Effect.catchAll(offlineRefusal(`${request.method} ${routeOf(request.url)}`), (error) =>
      Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: error, description: error.message }))))

/**
 * The `HttpClient` layer that records or replays through the run's {@link Recording} when there is one
 * (requires the real `HttpClient` underneath).
 *
 * @example
 * ```ts
 * Layer.provide(recordedHttpClient, NodeHttpClient.layerUndici)
 * ```
 * @since 0.1.0
 */
export const recordedHttpClient: Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> = Layer.effect(
  HttpClient.HttpClient,
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const recording = yield* Effect.serviceOption(Recording)
    if (Option.isSome(recording)) return recordHttp(client, recording.value)
    return (yield* Offline) ? refusingClient(client) : client
  })
)
