/**
 * The fake server's Google Gemini and Amazon Bedrock dialects (see `dialects.ts` for the shared machinery):
 *
 * - **Gemini** (`POST /v1beta/models/{model}:generateContent`, also `/v1/…`): the key in `x-goog-api-key`;
 *   a bad key is 400 `INVALID_ARGUMENT` with reason `API_KEY_INVALID`, as the real API answers; a 429 is
 *   `RESOURCE_EXHAUSTED` stating its wait only in the body (`RetryInfo.retryDelay`), with no rate-limit headers.
 * - **Bedrock** (`POST /model/{modelId}/converse`): a SigV4 `Authorization` header whose credential scope
 *   names the access key id (`apiKey` in the config) and service `bedrock`; errors are `{"message": …}` with
 *   their type in `x-amzn-errortype`; a 429 `ThrottlingException` carries `retry-after`.
 *
 * @example
 * ```ts
 * gemini.failure({ kind: "Auth" }).status // 400
 * ```
 */
import type { Dialect, Failure } from "./dialects.js"
import * as Replies from "./replies.js"

const GEMINI_PATH = /^\/v1(?:beta)?\/models\/([^/:]+):generateContent$/
const BEDROCK_PATH = /^\/model\/([^/]+)\/converse$/

const googleError = (code: number, status: string, message: string, details: ReadonlyArray<unknown> = []) => ({
  error: { code, message, status, details }
})

const geminiFailure = (failure: Failure) => {
  switch (failure.kind) {
    case "NotFound":
      return { status: 404, body: googleError(404, "NOT_FOUND", `no route ${failure.route}`) }
    case "Auth":
      return {
        status: 400,
        body: googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
          { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }
        ])
      }
    case "Quota":
      return { status: 403, body: googleError(403, "PERMISSION_DENIED", "Generative Language API has not been used in this project or billing is disabled.") }
    case "RateLimited":
      return {
        status: 429,
        body: googleError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", [
          ...(failure.retryAfterMs === undefined ? [] : [{
            "@type": "type.googleapis.com/google.rpc.RetryInfo",
            retryDelay: `${Math.ceil(failure.retryAfterMs / 1000)}s`
          }])
        ])
      }
    case "BadBody":
      return { status: 400, body: googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.") }
    case "Refused":
      return { status: failure.status, body: googleError(failure.status, "INVALID_ARGUMENT", "This input is refused.") }
    case "Server":
      return failure.status === 503
        ? { status: 503, body: googleError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.") }
        : { status: failure.status, body: googleError(failure.status, "INTERNAL", "An internal error has occurred.") }
  }
}

/**
 * Gemini's `generateContent`.
 *
 * @example
 * ```ts
 * gemini.modelOf?.("/v1beta/models/gemini-2.0-flash:generateContent") // "gemini-2.0-flash"
 * ```
 */
export const gemini: Dialect = {
  routes: [],
  matches: (path) => GEMINI_PATH.test(path),
  modelOf: (path) => GEMINI_PATH.exec(path)?.[1],
  authorized: (request, apiKey) => request.apiKey === apiKey,
  failure: geminiFailure,
  // Gemini states no rate limits in headers; a 429 says when to retry in its body.
  rateHeaders: () => ({}),
  reply: (turn) => Replies.generateContentBody(turn)
}

const awsError = (status: number, type: string, message: string) => ({
  status,
  body: { message },
  headers: { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` }
})

const bedrockFailure = (failure: Failure) => {
  switch (failure.kind) {
    case "NotFound":
      return awsError(404, "ResourceNotFoundException", `no route ${failure.route}`)
    case "Auth":
      return awsError(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    case "Quota":
      return awsError(400, "ServiceQuotaExceededException", "Your request exceeds the service quota for your account.")
    case "RateLimited":
      return awsError(429, "ThrottlingException", "Too many requests, please wait before trying again.")
    case "BadBody":
      return awsError(400, "ValidationException", "The request body is not valid JSON.")
    case "Refused":
      return awsError(failure.status, "ValidationException", "This input is refused.")
    case "Server":
      return failure.status === 503
        ? awsError(503, "ServiceUnavailableException", "Bedrock is unable to process your request.")
        : awsError(failure.status, "InternalServerException", "The server encountered an internal error.")
  }
}

/** A SigV4 authorization header for access key id `apiKey` and service `bedrock`. */
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/[a-z0-9-]+\/bedrock\/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$/

/**
 * Bedrock Runtime's Converse.
 *
 * @example
 * ```ts
 * bedrock.modelOf?.("/model/amazon.nova-lite-v1%3A0/converse") // "amazon.nova-lite-v1:0"
 * ```
 */
export const bedrock: Dialect = {
  routes: [],
  matches: (path) => BEDROCK_PATH.test(path),
  modelOf: (path) => {
    const id = BEDROCK_PATH.exec(path)?.[1]
    return id === undefined ? undefined : decodeURIComponent(id)
  },
  authorized: (request, apiKey) => SIGV4.exec(request.authorization ?? "")?.[1] === apiKey,
  failure: bedrockFailure,
  rateHeaders: (window) => (window.retryAfterMs === undefined ? {} : { "retry-after": String(Math.ceil(window.retryAfterMs / 1000)) }),
  reply: (turn) => Replies.converseBody(turn)
}
