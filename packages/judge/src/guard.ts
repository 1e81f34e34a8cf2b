/**
 * The seam every provider error passes through before anything stores, prints or reports it (`judgeLayer`
 * puts it around the provider it builds, for judges and targets alike):
 *
 * - **Redaction.** Servers sometimes quote the credential they were sent (a 401 repeating the
 *   `Authorization` header). Every configured secret value, URL user-info and `Bearer …` / `sk-…`-shaped token
 *   is removed from the message ({@link redactor}).
 * - **Fatal failures.** A rejected key (`Auth`), or an endpoint that could not be reached before it ever
 *   answered (`Unreachable`: nothing listens there, the host name does not resolve), will fail every call of
 *   the run the same way. The first one is latched: later calls fail with it at once, without a request, and
 *   {@link stopOnFatal} ends a whole run with it. An `Auth` message names the provider and what to set.
 * - Once the endpoint has answered, a refused connection is a restart or a blip: it is `Transient` again and
 *   the call policy retries it.
 *
 * @example
 * ```ts
 * const provider = yield* guard(raw, { secrets: [apiKey], keyHint: "check OPENAI_API_KEY" })
 * ```
 */
import { Deferred, Effect, Option, Redacted } from "effect"
import type { ProviderReply } from "./chat.js"
import { JudgeError, type JudgeErrorKind } from "./errors.js"
import type { ChatProviderApi } from "./provider.js"

const MASK = "<redacted>"
/** Shorter values are not searched for: replacing every "ab" would garble messages and hide nothing. */
const MIN_SECRET_LENGTH = 4
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi
const BEARER = /\bBearer\s+[^\s"',;)]+/gi
const SK_TOKEN = /\bsk-[A-Za-z0-9_-]{6,}/g

/** A secret's value, plus the password of a URL value (as written and percent-decoded). */
const secretTexts = (secret: Redacted.Redacted): ReadonlyArray<string> => {
  const value = Redacted.value(secret)
  if (typeof value !== "string") return []
  if (!URL.canParse(value)) return [value]
  const password = new URL(value).password
  return password === "" ? [value] : [value, password, decodeURIComponent(password)]
}

/**
 * A function that removes secrets from a text: every value of `secrets` (of 4 characters or more; for a URL,
 * its password too), the user-info of any URL, and `Bearer …` and `sk-…` tokens.
 *
 * @example
 * ```ts
 * redactor([Redacted.make("s3cret-key")])("401: bad key s3cret-key") // "401: bad key <redacted>"
 * ```
 * @since 0.1.0
 */
export const redactor = (secrets: ReadonlyArray<Redacted.Redacted>): (text: string) => string => {
  // Longest first, so a secret that contains another is removed whole.
  const values = [...new Set(secrets.flatMap(secretTexts))]
    .filter((v) => v.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length)
  return (text) => {
    let out = text
    for (const value of values) out = out.replaceAll(value, MASK)
    return out.replace(URL_USERINFO, `$1${MASK}@`).replace(BEARER, `Bearer ${MASK}`).replace(SK_TOKEN, MASK)
  }
}

/**
 * What {@link guard} needs.
 *
 * @example
 * ```ts
 * const options: GuardOptions = { secrets: [apiKey], keyHint: "set ANTHROPIC_API_KEY to a valid key" }
 * ```
 * @since 0.1.0
 */
export interface GuardOptions {
  /** Every configured secret: API keys, database URLs, a base URL with credentials. */
  readonly secrets: ReadonlyArray<Redacted.Redacted>
  /** What fixes a rejected key, e.g. `check OPENAI_API_KEY`; ends the `Auth` message. */
  readonly keyHint: string
}

/** A copy of `error` with another kind and message. */
const rebuild = (error: JudgeError, kind: JudgeErrorKind, message: string) =>
  new JudgeError({
    kind,
    message,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.retryAfterMillis === undefined ? {} : { retryAfterMillis: error.retryAfterMillis }),
    ...(error.attempts === undefined ? {} : { attempts: error.attempts })
  })

/**
 * The provider behind the seam described in the module doc. Its `fatal` completes with the first fatal error.
 *
 * @example
 * ```ts
 * Layer.effect(ChatProvider, Effect.flatMap(ChatProvider, (p) => guard(p, options))).pipe(Layer.provide(inner))
 * ```
 * @since 0.1.0
 */
export const guard = (provider: ChatProviderApi, options: GuardOptions): Effect.Effect<ChatProviderApi> =>
  Effect.map(Deferred.make<never, JudgeError>(), (fatal) => {
    const redact = redactor(options.secrets)
    // Plain fields, read and written in synchronous steps (atomic between fibers, like the policy's counters).
    let answered = false
    let latched: JudgeError | undefined
    const onFailure = (raw: JudgeError): Effect.Effect<never, JudgeError> => {
      const error = rebuild(raw, raw.kind, redact(raw.message))
      if (error.kind === "Unreachable" && answered) return Effect.fail(rebuild(error, "Transient", error.message))
      if (error.kind !== "Auth" && error.kind !== "Unreachable") {
        answered = true
        return Effect.fail(error)
      }
      const final = error.kind === "Auth"
        ? rebuild(error, "Auth", `${provider.provider} rejected the API key (${error.message}): ${options.keyHint}`)
        : error
      latched ??= final
      return Effect.zipRight(Deferred.fail(fatal, latched), Effect.fail(final))
    }
    const onSuccess = (reply: ProviderReply) => {
      answered = true
      return Effect.succeed(reply)
    }
    const guarded = (attempt: Effect.Effect<ProviderReply, JudgeError>) =>
      Effect.suspend(() => (latched !== undefined ? Effect.fail(latched) : Effect.matchEffect(attempt, { onFailure, onSuccess })))
    const { completeWithin } = provider
    return {
      provider: provider.provider,
      model: provider.model,
      route: provider.route,
      complete: (request) => guarded(provider.complete(request)),
      completeWithin: completeWithin === undefined ? undefined : (request, deadline) => guarded(completeWithin(request, deadline)),
      fatal
    }
  })

/**
 * Run `effect` until it ends or `fatal` fails (see the module doc), whichever comes first: a fatal error
 * interrupts the effect and becomes the failure — also when the effect failed meanwhile because of it (a
 * metric error carrying the same rejected key), so the outcome does not depend on which fiber woke first.
 *
 * @example
 * ```ts
 * const result = yield* stopOnFatal(judge.fatal, evaluate(cases, metrics, { ignoreErrors: true }))
 * ```
 * @since 0.1.0
 */
export const stopOnFatal = <A, E, R, F = JudgeError>(
  fatal: Deferred.Deferred<never, F> | undefined,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | F, R> =>
  fatal === undefined
    ? effect
    : Effect.raceFirst(effect, Deferred.await(fatal)).pipe(
      Effect.catchAll((error) =>
        Effect.flatMap(Deferred.poll(fatal), Option.match({ onNone: () => Effect.fail(error), onSome: (first) => first }))
      )
    )
