/**
 * `--target http://host/path` (or https): every case without an `actualOutput` is POSTed as JSON — the
 * `target.body` template filled from the case (`placeholders.ts`) — through the application's `HttpClient`
 * (so a record/replay layer around it sees these calls), under the run's call policy (connection cap, retries of
 * 429/5xx/timeouts, `--attempt-timeout`, `--call-deadline`). The output is the reply's value at `target.output`
 * (the whole body when absent). `target.headers` values may read secrets from the environment
 * (`{{env.NAME}}`, through `Config.redacted`): their values are removed from every error message and output,
 * so a server that echoes them back leaks nothing. A 401/403 or an endpoint where nothing listens ends the run.
 *
 * @example
 * ```ts
 * import { makeHttpTarget } from "./http.js"
 * const target = yield* makeHttpTarget({ model: "http://127.0.0.1:8000/ask", body: { q: "{{input}}" }, output: "$.answer" }, 20, {})
 * ```
 */
import type { LLMTestCase, Task, TaskOutput } from "@assay/core"
import { classifyStatus, classifyTransport, JudgeError, makePolicy, type ProviderReply, redactor } from "@assay/judge"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Config, Effect, Either, Option, Redacted, Schema, type Scope } from "effect"
import type { TargetConfig } from "../../config/schema.js"
import { UsageError } from "../../errors.js"
import type { CallLimits } from "../plan.js"
import { policyOf, runConnections } from "../services.js"
import type { Target } from "../target.js"
import { makeLatch } from "./fatal.js"
import { parseOutputPath, pick } from "./json-path.js"
import { renderJson } from "./placeholders.js"

/** The target's call for one case failed: an error on that case. */
class HttpTargetFailed extends Schema.TaggedError<HttpTargetFailed>()("HttpTargetFailed", { message: Schema.String }) {}

const DEFAULT_BODY = { input: "{{input}}" }
const ENV_REF = /\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g
const decodeJson = Schema.decodeUnknownOption(Schema.parseJson())

/** Header values with `{{env.NAME}}` read from the environment, as secrets; the env values are the secrets to scrub. */
const resolveHeaders = (headers: Readonly<Record<string, string>>) =>
  Effect.gen(function*() {
    const resolved: Array<readonly [string, Redacted.Redacted]> = []
    const secrets: Array<Redacted.Redacted> = []
    for (const [name, template] of Object.entries(headers)) {
      let value = template
      for (const [, variable] of template.matchAll(ENV_REF)) {
        const secret = yield* Config.redacted(variable!).pipe(
          Effect.mapError(() => new UsageError({ message: `target.headers.${name} reads {{env.${variable}}}, which is not set` }))
        )
        secrets.push(secret)
        value = value.replaceAll(new RegExp(`\\{\\{\\s*env\\.${variable}\\s*\\}\\}`, "g"), () => Redacted.value(secret))
      }
      resolved.push([name, Redacted.make(value)])
    }
    return { headers: resolved, secrets }
  })

/** The output of a 2xx reply body: the value at the path (text as is, anything else as JSON), or the whole body. */
const outputOf = (url: string, body: string, path: ReadonlyArray<string> | undefined, pathText: string | undefined) => {
  if (path === undefined) return Either.right(body)
  const found = Option.flatMap(decodeJson(body), (json) => pick(json, path))
  return Option.match(found, {
    onNone: () => Either.left(`${url}: no value at target.output ${JSON.stringify(pathText)} in the reply`),
    onSome: (value) => Either.right(typeof value === "string" ? value : JSON.stringify(value))
  })
}

/** What one POST needs besides its body. */
interface Endpoint {
  readonly url: string
  readonly client: HttpClient.HttpClient
  readonly headers: ReadonlyArray<readonly [string, Redacted.Redacted]>
  readonly redact: (text: string) => string
}

/**
 * One attempt: POST the body; a 2xx reply's text, or the failure classified for the call policy (429/5xx/
 * timeouts retried, 401/403 `Auth`, nothing listening `Unreachable` until the endpoint has answered once),
 * with every secret removed from its message.
 */
const makeAttempt = (endpoint: Endpoint) => {
  const { client, redact, url } = endpoint
  const headers = Object.fromEntries(endpoint.headers.map(([name, value]) => [name, Redacted.value(value)]))
  let answered = false // once the endpoint has answered, a refused connection is a restart: retried, not fatal
  return (body: string): Effect.Effect<ProviderReply, JudgeError> =>
    HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.bodyText(body, "application/json"),
      client.execute,
      Effect.flatMap((response) => Effect.map(response.text, (text) => ({ response, text }))),
      Effect.catchAll((error) => {
        const classified = classifyTransport(url, error.reason === "Transport" ? error.cause : error)
        return Effect.fail(answered && classified.kind === "Unreachable" ? new JudgeError({ kind: "Transient", message: classified.message }) : classified)
      }),
      Effect.flatMap(({ response, text }) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          answered = true
          return response.status >= 200 && response.status < 300
            ? Effect.succeed({ text, usage: { input: 0, output: 0 } })
            : Effect.fail(classifyStatus(response.status, response.headers, text, now))
        })
      ),
      Effect.mapError((error) =>
        new JudgeError({
          kind: error.kind,
          message: redact(error.kind === "Auth" ? `${error.message} — the server refused the credentials (check target.headers)` : error.message),
          ...(error.status === undefined ? {} : { status: error.status }),
          ...(error.retryAfterMillis === undefined ? {} : { retryAfterMillis: error.retryAfterMillis })
        }))
    )
}

/**
 * The http target; see the module doc. Needs the `HttpClient` from the application's layer.
 *
 * @example
 * ```ts
 * const target = yield* makeHttpTarget(plan.target, plan.concurrency, plan.calls)
 * ```
 */
export const makeHttpTarget = (
  target: TargetConfig,
  concurrency: number,
  calls: CallLimits
): Effect.Effect<Target, UsageError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const url = target.model
    const path = target.output === undefined ? undefined : yield* Either.mapLeft(parseOutputPath(target.output), (e) => new UsageError({ message: `target.output: ${e}` }))
    const { headers, secrets } = yield* resolveHeaders(target.headers ?? {})
    const redact = redactor(secrets)
    const attempt = makeAttempt({ url, client: yield* HttpClient.HttpClient, headers, redact })
    const policy = yield* makePolicy({ ...runConnections(concurrency, 1), ...policyOf(calls) })
    const latch = yield* makeLatch
    const task: Task = (testCase, index) => {
      if (testCase._tag !== "LLMTestCase" || testCase.actualOutput !== undefined) return Effect.succeed({ testCase })
      const body = JSON.stringify(renderJson(target.body ?? DEFAULT_BODY, testCase, index))
      const call = latch.guarded(attempt(body), (e) => (e.kind === "Auth" || e.kind === "Unreachable" ? e : undefined))
      return policy.run(url, 0, call).pipe(
        Effect.mapError((error) => new HttpTargetFailed({ message: `target ${url}: ${error.message}` })),
        Effect.flatMap((reply) =>
          Either.match(outputOf(url, reply.text, path, target.output), {
            onLeft: (message) => Effect.fail(new HttpTargetFailed({ message: `target ${message}` })),
            onRight: (text): Effect.Effect<TaskOutput> => Effect.succeed({ testCase: { ...testCase, actualOutput: redact(text) } satisfies LLMTestCase })
          })
        )
      )
    }
    const stats = Effect.map(policy.stats, (all) => ({ model: url, inputTokens: 0, outputTokens: 0, cost: 0, policy: all[0] }))
    return { model: url, task, stats, fatal: latch.fatal }
  })
