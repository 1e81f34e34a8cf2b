/**
 * One JSON POST for a provider: send a body, get the status, headers and body text back; a connection
 * failure is a {@link JudgeError} naming the URL (`Unreachable` when nothing listens there, else `Transient`:
 * see {@link classifyTransport}), and an interrupted call (a
 * cancelled run) aborts its request. Given an {@link AttemptDeadline}, a POST still unanswered when it
 * expires is aborted and fails with the deadline's error. Two transports:
 *
 * - {@link viaHttpClient}: any `@effect/platform` `HttpClient` (portable; tests may swap the client).
 * - {@link viaDispatcher}: straight to the undici `Dispatcher` that `@effect/platform-node` provides
 *   (`NodeHttpClient.Dispatcher`) — the same connection pool `NodeHttpClient.layerUndici` uses, without the
 *   generic client around it. Judge calls are the hot path of an evaluation, and the generic client adds a
 *   `new URL`, a `FinalizationRegistry` entry, a wrapped response and a `runSync` per body read to each
 *   (`node bench/transport.mjs` compares the two; figures in docs/performance.md, "Design choices").
 *
 * @example
 * ```ts
 * const post = viaDispatcher(dispatcher, "http://127.0.0.1:8000/v1/chat/completions", { authorization: "Bearer …" })
 * const { status, text } = yield* post({ model: "m", messages: [] })
 * ```
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type * as Undici from "@effect/platform-node/Undici"
import { Effect } from "effect"
import type { AttemptDeadline } from "../chat.js"
import { classifyTransport } from "../classify.js"
import { JudgeError } from "../errors.js"
import type { Headers } from "../headers.js"

/**
 * A response read in full.
 *
 * @example
 * ```ts
 * const ok = (r: RawResponse) => r.status >= 200 && r.status < 300
 * ```
 */
export interface RawResponse {
  readonly status: number
  /** By lower-case name. */
  readonly headers: Headers
  readonly text: string
}

/**
 * One JSON POST of a provider's request body, with an optional per-attempt deadline.
 *
 * @example
 * ```ts
 * const complete = (post: PostJson) => post({ model: "m", messages: [{ role: "user", content: "hi" }] })
 * ```
 */
export type PostJson = (body: unknown, deadline?: AttemptDeadline) => Effect.Effect<RawResponse, JudgeError>


/**
 * POST through an `HttpClient` (tracing off: the judge's own `judge.chat` span covers the call, and the
 * client's per-request span was ~40 % of the client's CPU per call). No Scope needed: the body is read in
 * full, and an interrupted read aborts the request.
 *
 * @example
 * ```ts
 * const post = viaHttpClient(yield* HttpClient.HttpClient, url, { authorization: `Bearer ${key}` })
 * ```
 */
export const viaHttpClient = (client: HttpClient.HttpClient, url: string, headers: Readonly<Record<string, string>>): PostJson => {
  const quiet = client.pipe(HttpClient.withTracerDisabledWhen(() => true))
  // URL and headers are the same for every call: built once; a call only sets its body.
  const base = HttpClientRequest.post(url).pipe(HttpClientRequest.setHeaders(headers))
  return (body, deadline) => {
    const post = quiet.execute(HttpClientRequest.bodyUnsafeJson(base, body)).pipe(
      Effect.flatMap((response) =>
        Effect.map(response.text, (text): RawResponse => ({ status: response.status, headers: response.headers as Headers, text }))
      ),
      Effect.mapError((error) => classifyTransport(url, error))
    )
    return deadline === undefined ? post : Effect.timeoutFail(post, { duration: deadline.millis, onTimeout: deadline.onExpire })
  }
}

/**
 * POST through an undici `Dispatcher` (see the module doc for why). `origin` and `path` are split once.
 *
 * @example
 * ```ts
 * const post = viaDispatcher(yield* NodeHttpClient.Dispatcher, url, {})
 * ```
 */
export const viaDispatcher = (dispatcher: Undici.Dispatcher, url: string, headers: Readonly<Record<string, string>>): PostJson => {
  const target = dispatchTarget(url)
  if (target === undefined) return invalidUrl(url)
  const allHeaders = { ...headers, "content-type": "application/json" }
  return (body, deadline) => dispatch(dispatcher, target, allHeaders, JSON.stringify(body), deadline)
}

/**
 * POST through an undici `Dispatcher` with headers computed from each request's body text — a request
 * signature (AWS SigV4 signs the body's hash; see `./bedrock.ts`). `content-type: application/json` is added.
 *
 * @example
 * ```ts
 * const post = viaDispatcherSigned(dispatcher, url, (body) => Effect.succeed({ authorization: sign(body) }))
 * ```
 */
export const viaDispatcherSigned = (
  dispatcher: Undici.Dispatcher,
  url: string,
  headersFor: (body: string) => Effect.Effect<Readonly<Record<string, string>>, JudgeError>
): PostJson => {
  const target = dispatchTarget(url)
  if (target === undefined) return invalidUrl(url)
  return (body, deadline) => {
    const text = JSON.stringify(body)
    return Effect.flatMap(headersFor(text), (headers) =>
      dispatch(dispatcher, target, { ...headers, "content-type": "application/json" }, text, deadline))
  }
}

/** Where a dispatcher sends: the URL's origin and path, split once per provider. */
interface DispatchTarget {
  readonly url: string
  readonly origin: string
  readonly path: string
}

const dispatchTarget = (url: string): DispatchTarget | undefined => {
  if (!URL.canParse(url)) return undefined
  const target = new URL(url)
  return { url, origin: target.origin, path: target.pathname + target.search }
}

/** A base URL that is not a URL fails every call at once, without retries (it is the user's setting). */
const invalidUrl = (url: string): PostJson => () =>
  Effect.fail(new JudgeError({ kind: "BadRequest", message: `invalid judge base URL: ${url}` }))

/**
 * One POST through the dispatcher. undici's handler API (`dispatch` with `onResponseData`/`onResponseEnd`)
 * rather than `dispatcher.request`: the body is gathered as Buffers and decoded once, with no Readable stream,
 * promise chain or AbortController per call (`bench/transport.mjs` compares them). The deadline is one timer
 * per attempt, cleared with the response — where
 * timing the attempt from outside (the policy's `Effect.timeoutFail`) forks a fiber per call.
 */
const dispatch = (
  dispatcher: Undici.Dispatcher,
  target: DispatchTarget,
  headers: Readonly<Record<string, string>>,
  body: string,
  deadline: AttemptDeadline | undefined
): Effect.Effect<RawResponse, JudgeError> =>
  Effect.async<RawResponse, JudgeError>((resume) => {
    let settled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let controller: Undici.Dispatcher.DispatchController | undefined
    let abortReason: Error | undefined
    const settle = (outcome: Effect.Effect<RawResponse, JudgeError>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resume(outcome)
    }
    const abort = (reason: Error) => {
      if (controller === undefined) abortReason = reason // not started yet: aborted when it starts
      else controller.abort(reason)
    }
    if (deadline !== undefined) {
      timer = setTimeout(() => {
        settle(Effect.fail(deadline.onExpire()))
        abort(new Error("attempt deadline"))
      }, deadline.millis)
    }
    let status = 0
    let responseHeaders: Headers = {}
    const chunks: Array<Buffer> = []
    const handler: Undici.Dispatcher.DispatchHandler = {
      onRequestStart: (started) => {
        controller = started
        if (abortReason !== undefined) started.abort(abortReason)
      },
      onResponseStart: (_, statusCode, received) => {
        status = statusCode
        responseHeaders = received as Headers
      },
      onResponseData: (_, chunk) => {
        chunks.push(chunk)
      },
      onResponseEnd: () => settle(Effect.succeed({ status, headers: responseHeaders, text: Buffer.concat(chunks).toString("utf8") })),
      onResponseError: (_, error) => settle(Effect.fail(classifyTransport(target.url, error)))
    }
    try {
      dispatcher.dispatch({
        origin: target.origin,
        path: target.path,
        method: "POST",
        headers,
        body,
        // Timeouts are the deadline's (the call policy's attempt timeout and total deadline), as with NodeHttpClient.
        headersTimeout: 0,
        bodyTimeout: 0
      }, handler)
    } catch (error) {
      settle(Effect.fail(classifyTransport(target.url, error)))
    }
    // Interrupted (a cancelled run): abort the request, or its body read.
    return Effect.sync(() => {
      settled = true
      clearTimeout(timer)
      abort(new Error("interrupted"))
    })
  })
