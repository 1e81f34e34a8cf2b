/**
 * One HTTP exchange with a batch API: the response's status and text, a non-2xx status classified like a live
 * call's (`../classify.ts`), and a request that got no response classified by `classifyTransport`.
 *
 * @example
 * ```ts
 * const text = yield* exchange(client, HttpClientRequest.get(`${baseUrl}/batches/${id}`))
 * ```
 */
import { HttpClient, type HttpClientRequest } from "@effect/platform"
import { Clock, Effect, Schema } from "effect"
import { classifyStatus, classifyTransport } from "../classify.js"
import { JudgeError } from "../errors.js"
import type { Headers } from "../headers.js"

/**
 * Execute a request; the 2xx body as text, else a classified {@link JudgeError}.
 *
 * @example
 * ```ts
 * exchange(client, HttpClientRequest.post(url))
 * ```
 */
export const exchange = (client: HttpClient.HttpClient, request: HttpClientRequest.HttpClientRequest): Effect.Effect<string, JudgeError> =>
  client.pipe(HttpClient.withTracerDisabledWhen(() => true)).execute(request).pipe(
    Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, headers: response.headers as Headers, text }))),
    Effect.scoped,
    Effect.mapError((error) => classifyTransport(request.url, error)),
    Effect.flatMap(({ headers, status, text }) =>
      status >= 200 && status < 300
        ? Effect.succeed(text)
        : Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(classifyStatus(status, headers, text, now))))
  )

/**
 * Decode a JSON reply of a batch API with a schema; a body that does not fit is a transient fault (retried).
 *
 * @example
 * ```ts
 * const batch = yield* decodeWith(OpenAiBatchObject, "batch")(text)
 * ```
 */
export const decodeWith = <A, I>(schema: Schema.Schema<A, I>, what: string) => {
  const decode = Schema.decodeUnknownEither(Schema.parseJson(schema))
  return (text: string): Effect.Effect<A, JudgeError> =>
    Effect.mapError(decode(text), () => new JudgeError({ kind: "Transient", message: `unreadable ${what}: ${text.slice(0, 200)}` }))
}

/**
 * The non-empty lines of a JSONL text.
 *
 * @example
 * ```ts
 * jsonLines("a\n\nb\n") // ["a", "b"]
 * ```
 */
export const jsonLines = (text: string): ReadonlyArray<string> => text.split("\n").filter((line) => line.trim() !== "")
