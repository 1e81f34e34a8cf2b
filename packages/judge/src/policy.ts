/**
 * The call policy shared by every judge call of a run, per model: a connection cap (adaptive, see
 * {@link makeGate}), token-bucket limits for requests/minute and tokens/minute (`RateLimiter`, cost = estimated
 * tokens), a pause when `x-ratelimit-remaining-*` reaches 0 (until `x-ratelimit-reset-*`), bounded retries of
 * rate limits and transient errors with backoff honoring `retry-after` ({@link retryDelayMillis}), a
 * per-attempt timeout and a total deadline per call, and counters for `stats`.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const policy = yield* CallPolicy
 *   const reply = yield* policy.run("gpt-4o-mini", 500, provider.complete(request))
 *   const [stats] = yield* policy.stats
 * }).pipe(Effect.provide(CallPolicy.layer({ maxConnections: 50 })))
 * ```
 */
import { Clock, Context, Duration, Effect, Layer, Random, RateLimiter, Ref, Scope, SynchronizedRef } from "effect"
import { makeGate, type Gate } from "./adaptive.js"
import { retryDelayMillis } from "./backoff.js"
import type { ProviderReply } from "./chat.js"
import { isRetryable, JudgeError } from "./errors.js"
import type { RateLimitInfo } from "./headers.js"

/**
 * Policy settings; {@link defaultPolicySettings} fills what is not given.
 *
 * @example
 * ```ts
 * CallPolicy.layer({ maxConnections: 50, requestsPerMinute: 500, maxRetries: 4 })
 * ```
 */
export interface PolicySettings {
  /** Connection cap per model (the adaptive cap's ceiling). */
  readonly maxConnections: number
  readonly minConnections: number
  readonly adaptive: boolean
  /** Cap multiplier on a 429. */
  readonly decrease: number
  readonly cooldown: Duration.DurationInput
  readonly requestsPerMinute: number | undefined
  readonly tokensPerMinute: number | undefined
  /** Retries after the first attempt. */
  readonly maxRetries: number
  readonly baseDelay: Duration.DurationInput
  readonly maxDelay: Duration.DurationInput
  readonly attemptTimeout: Duration.DurationInput
  /**
   * Total time budget of one call, from its start: no attempt runs past it and no retry sleeps past it
   * (waiting for a connection counts too; an attempt whose permit comes after the deadline fails at once).
   */
  readonly deadline: Duration.DurationInput
}

/**
 * Defaults: 8 connections, 6 retries from 500 ms up to 30 s, 60 s per attempt, 5 min per call.
 *
 * @example
 * ```ts
 * makePolicy({ ...defaultPolicySettings, maxConnections: 16 })
 * ```
 */
export const defaultPolicySettings: PolicySettings = {
  maxConnections: 8,
  minConnections: 1,
  adaptive: true,
  decrease: 0.5,
  cooldown: "2 seconds",
  requestsPerMinute: undefined,
  tokensPerMinute: undefined,
  maxRetries: 6,
  baseDelay: "500 millis",
  maxDelay: "30 seconds",
  attemptTimeout: "60 seconds",
  deadline: "5 minutes"
}

/**
 * Counters of one model, for progress displays.
 *
 * @example
 * ```ts
 * const [stats] = yield* policy.stats // { model, cap, inFlight, retries, ... }
 * ```
 */
export interface PolicyStats {
  readonly model: string
  readonly cap: number
  readonly inFlight: number
  readonly calls: number
  readonly succeeded: number
  readonly failed: number
  readonly retries: number
  readonly rateLimited: number
}

/**
 * See the module doc.
 *
 * @example
 * ```ts
 * const reply = yield* policy.run("openai:gpt-4o-mini", 300, provider.complete(request))
 * ```
 */
export interface CallPolicyApi {
  readonly settings: PolicySettings
  /** Run one call (`attempt` is re-run on retry) under the model's limits. */
  readonly run: (
    model: string,
    estimatedTokens: number,
    attempt: Effect.Effect<ProviderReply, JudgeError>
  ) => Effect.Effect<ProviderReply, JudgeError>
  readonly stats: Effect.Effect<ReadonlyArray<PolicyStats>>
}

interface Counters {
  readonly calls: number
  readonly succeeded: number
  readonly failed: number
  readonly retries: number
  readonly rateLimited: number
}

interface ModelState {
  readonly gate: Gate
  readonly limit: <A, E, R>(estimatedTokens: number, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly pauseUntil: Ref.Ref<number>
  readonly counters: Ref.Ref<Counters>
}

const millis = (d: Duration.DurationInput) => Duration.toMillis(Duration.decode(d))

const makeLimit = (settings: PolicySettings) =>
  Effect.gen(function*() {
    const rpm = settings.requestsPerMinute === undefined
      ? undefined
      : yield* RateLimiter.make({ limit: settings.requestsPerMinute, interval: "1 minute", algorithm: "token-bucket" })
    const tpm = settings.tokensPerMinute === undefined
      ? undefined
      : yield* RateLimiter.make({ limit: settings.tokensPerMinute, interval: "1 minute", algorithm: "token-bucket" })
    return <A, E, R>(tokens: number, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
      const byRequests = rpm === undefined ? effect : rpm(effect).pipe(RateLimiter.withCost(1))
      return tpm === undefined
        ? byRequests
        : tpm(byRequests).pipe(RateLimiter.withCost(Math.min(tokens, settings.tokensPerMinute ?? tokens)))
    }
  })

const makeModelState = (settings: PolicySettings) =>
  Effect.gen(function*() {
    return {
      gate: yield* makeGate({
        ceiling: settings.maxConnections,
        floor: settings.minConnections,
        decrease: settings.decrease,
        cooldownMillis: millis(settings.cooldown),
        adaptive: settings.adaptive
      }),
      limit: yield* makeLimit(settings),
      pauseUntil: yield* Ref.make(0),
      counters: yield* Ref.make<Counters>({ calls: 0, succeeded: 0, failed: 0, retries: 0, rateLimited: 0 })
    } satisfies ModelState
  })

const count = (state: ModelState, f: (c: Counters) => Counters) => Ref.update(state.counters, f)

/** Wait while the server said the budget is exhausted (a plain read on the hot path). */
const awaitPause = (state: ModelState) =>
  Effect.flatMap(Ref.get(state.pauseUntil), (until) =>
    until === 0
      ? Effect.void
      : Effect.flatMap(Clock.currentTimeMillis, (now) => (until > now ? Effect.sleep(Duration.millis(until - now)) : Effect.void)))

const notePause = (state: ModelState, info: RateLimitInfo | undefined) => {
  const resets = [
    info?.remainingRequests === 0 ? info.resetRequestsMillis : undefined,
    info?.remainingTokens === 0 ? info.resetTokensMillis : undefined
  ].filter((x): x is number => x !== undefined)
  return resets.length === 0
    ? Effect.void
    : Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(state.pauseUntil, (p) => Math.max(p, now + Math.max(...resets))))
}

const deadlineError = (settings: PolicySettings, last?: JudgeError) =>
  new JudgeError({
    kind: "Deadline",
    message: `call exceeded its deadline of ${Duration.format(Duration.decode(settings.deadline))}${last ? ` (last error: ${last.message})` : ""}`
  })

/**
 * One call: attempts under the permit pool and limiters, retried with backoff. The deadline is a point in time
 * fixed when the call starts: an attempt's timeout is `min(attemptTimeout, time left)`, an attempt that gets
 * its permit after the deadline does not run, and no retry sleeps past it. (One timer per attempt instead of
 * an attempt timeout nested in a whole-call timeout: each `Effect.timeout` races a fiber, ~0.1 ms of CPU.)
 */
const runWith = (
  settings: PolicySettings,
  state: ModelState,
  estimatedTokens: number,
  attempt: Effect.Effect<ProviderReply, JudgeError>
): Effect.Effect<ProviderReply, JudgeError> => {
  const attemptMillis = millis(settings.attemptTimeout)
  const timedAttempt = (deadlineAt: number) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const budget = Math.min(attemptMillis, deadlineAt - now)
      if (budget <= 0) return Effect.fail(deadlineError(settings))
      return Effect.timeoutFail(attempt, {
        duration: Duration.millis(budget),
        onTimeout: () =>
          budget < attemptMillis
            ? deadlineError(settings)
            : new JudgeError({ kind: "Timeout", message: `attempt timed out after ${Duration.format(Duration.millis(attemptMillis))}` })
      })
    })
  const once = (deadlineAt: number) =>
    awaitPause(state).pipe(
      Effect.zipRight(state.limit(estimatedTokens, state.gate.withPermit(timedAttempt(deadlineAt)))),
      Effect.tap((reply) => Effect.zipRight(notePause(state, reply.rateLimit), state.gate.onSuccess))
    )
  const backoff = { baseDelayMillis: millis(settings.baseDelay), maxDelayMillis: millis(settings.maxDelay) }
  const loop = (n: number, deadlineAt: number): Effect.Effect<ProviderReply, JudgeError> =>
    Effect.catchAll(once(deadlineAt), (error) =>
      Effect.gen(function*() {
        if (error.kind === "RateLimited") {
          yield* count(state, (c) => ({ ...c, rateLimited: c.rateLimited + 1 }))
          yield* state.gate.onRateLimited
          // The server's wait applies to the whole key: hold the model's other calls back too.
          if (error.retryAfterMillis !== undefined) {
            yield* notePause(state, { remainingRequests: 0, resetRequestsMillis: error.retryAfterMillis })
          }
        }
        if (!isRetryable(error) || n >= settings.maxRetries) {
          return yield* new JudgeError({
            kind: error.kind,
            message: error.message,
            ...(error.status === undefined ? {} : { status: error.status }),
            attempts: n + 1
          })
        }
        const delay = retryDelayMillis(n, error.retryAfterMillis, backoff, yield* Random.next)
        if ((yield* Clock.currentTimeMillis) + delay >= deadlineAt) {
          return yield* new JudgeError({ ...deadlineErrorFields(settings, error), attempts: n + 1 })
        }
        yield* count(state, (c) => ({ ...c, retries: c.retries + 1 }))
        yield* Effect.logDebug(`judge call failed (${error.kind}), retry ${n + 1} in ${delay} ms`)
        yield* Effect.sleep(Duration.millis(delay))
        return yield* loop(n + 1, deadlineAt)
      }))
  return count(state, (c) => ({ ...c, calls: c.calls + 1 })).pipe(
    Effect.zipRight(Clock.currentTimeMillis),
    Effect.flatMap((start) => loop(0, start + millis(settings.deadline))),
    Effect.tapBoth({
      onFailure: () => count(state, (c) => ({ ...c, failed: c.failed + 1 })),
      onSuccess: () => count(state, (c) => ({ ...c, succeeded: c.succeeded + 1 }))
    })
  )
}

const deadlineErrorFields = (settings: PolicySettings, last: JudgeError) => {
  const error = deadlineError(settings, last)
  return { kind: error.kind, message: error.message }
}

/**
 * Build a policy (needs a Scope for its rate limiters).
 *
 * @example
 * ```ts
 * const policy = yield* makePolicy({ maxConnections: 4, maxRetries: 2 })
 * ```
 */
export const makePolicy = (overrides: Partial<PolicySettings> = {}): Effect.Effect<CallPolicyApi, never, Scope.Scope> =>
  Effect.gen(function*() {
    const settings: PolicySettings = { ...defaultPolicySettings, ...overrides }
    const scope = yield* Effect.scope
    const models = yield* SynchronizedRef.make(new Map<string, ModelState>())
    // Fast path: a plain read; the synchronized (semaphore-guarded) path runs once per model.
    const stateFor = (model: string) =>
      Effect.flatMap(SynchronizedRef.get(models), (known) => {
        const found = known.get(model)
        return found ? Effect.succeed(found) : createState(model)
      })
    const createState = (model: string) =>
      SynchronizedRef.modifyEffect(models, (map) => {
        const existing = map.get(model)
        if (existing) return Effect.succeed([existing, map] as const)
        return Scope.extend(makeModelState(settings), scope).pipe(
          Effect.map((created) => [created, new Map(map).set(model, created)] as const)
        )
      })
    const stats = SynchronizedRef.get(models).pipe(
      Effect.flatMap((map) =>
        Effect.forEach([...map], ([model, state]) =>
          Effect.all({ cap: state.gate.cap, inFlight: state.gate.inFlight, counters: Ref.get(state.counters) }).pipe(
            Effect.map(({ cap, counters, inFlight }): PolicyStats => ({ model, cap, inFlight, ...counters }))
          ))
      )
    )
    return {
      settings,
      run: (model, estimatedTokens, attempt) =>
        Effect.flatMap(stateFor(model), (state) => runWith(settings, state, estimatedTokens, attempt)),
      stats
    }
  })

/**
 * The call policy service.
 *
 * @example
 * ```ts
 * const stats = yield* Effect.flatMap(CallPolicy, (p) => p.stats)
 * ```
 */
export class CallPolicy extends Context.Tag("assay/judge/CallPolicy")<CallPolicy, CallPolicyApi>() {
  /**
   * The policy as a Layer.
   *
   * @example
   * ```ts
   * CallPolicy.layer({ maxConnections: 50, requestsPerMinute: 500 })
   * ```
   */
  static layer = (overrides: Partial<PolicySettings> = {}): Layer.Layer<CallPolicy> =>
    Layer.scoped(CallPolicy, makePolicy(overrides))
}
