/**
 * The call policy shared by every judge call of a run, per model: a connection cap (adaptive, see
 * {@link makeGate}), token-bucket limits for requests/minute and tokens/minute (`RateLimiter`, cost = estimated
 * tokens), a pause when `x-ratelimit-remaining-*` reaches 0 (until `x-ratelimit-reset-*`), bounded retries of
 * transient errors and timeouts, retries of rate limits (429) until the call's deadline — a 429 is load, not a
 * failure, so it never uses up the retry budget — with backoff honoring `retry-after` ({@link retryDelayMillis}), a
 * per-attempt timeout (enforced by the attempt itself when it takes an {@link AttemptDeadline}, else by one
 * {@link makeWatchdog} fiber per policy) and a total deadline per call, and counters for `stats`.
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
import { Context, Duration, Effect, Layer, Random, RateLimiter, Scope } from "effect"
import { makeGate, type Gate } from "./adaptive.js"
import { type BackoffSettings, retryDelayMillis } from "./backoff.js"
import type { AttemptDeadline, ProviderReply } from "./chat.js"
import { isRetryable, JudgeError } from "./errors.js"
import type { RateLimitInfo } from "./headers.js"
import { makePacer, type Pacer } from "./pacer.js"
import { makeWatchdog, type Watchdog } from "./watchdog.js"

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
  /** The cap to start from, growing by slow start to `maxConnections` (default: `maxConnections` at once). */
  readonly initialConnections?: number | undefined
  /** Adapt to rate limits: shrink the cap on a 429 and pace attempt starts for a `cooldown` after one. */
  readonly adaptive: boolean
  /** Cap multiplier on a 429. */
  readonly decrease: number
  readonly cooldown: Duration.DurationInput
  readonly requestsPerMinute: number | undefined
  readonly tokensPerMinute: number | undefined
  /** Retries after failed attempts (transient errors, timeouts); 429s do not count: they retry until `deadline`. */
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
  /** Retries after failed attempts (429s not included). */
  readonly retries: number
  /** Attempts answered 429 (each retried until the call's deadline). */
  readonly rateLimited: number
  /**
   * Calls waiting out a backoff right now (after a 429 or a failed attempt, or a server-requested pause):
   * a gauge, not a total — what tells a person that a quiet run is waiting, not hung.
   */
  readonly backingOff: number
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
  readonly run: (model: string, estimatedTokens: number, attempt: Attempt) => Effect.Effect<ProviderReply, JudgeError>
  readonly stats: Effect.Effect<ReadonlyArray<PolicyStats>>
}

/**
 * One attempt of a call: an Effect, whose timeout the policy enforces (its {@link Watchdog} interrupts it), or a
 * function that enforces the {@link AttemptDeadline} it is given itself (`ChatProviderApi.completeWithin`: a
 * timer on the request instead of a fiber per attempt).
 *
 * @example
 * ```ts
 * policy.run("m", 100, (deadline) => provider.completeWithin!(request, deadline))
 * ```
 */
export type Attempt =
  | Effect.Effect<ProviderReply, JudgeError>
  | ((deadline: AttemptDeadline) => Effect.Effect<ProviderReply, JudgeError>)

/**
 * Per-model bookkeeping. The counters and `pauseUntil` are plain mutable fields, read and written only inside
 * synchronous Effect steps (`Effect.sync`/`suspend`, `matchEffect` callbacks, a generator between yields):
 * fibers interleave only between steps, so each update is atomic — what a `Ref` gives — at no extra
 * operations on the per-call path (it used to be five `Ref` updates and two `Ref` reads per call).
 */
interface ModelState {
  readonly gate: Gate
  readonly limit: <A, E, R>(estimatedTokens: number, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly counters: { calls: number; succeeded: number; failed: number; retries: number; rateLimited: number; backingOff: number }
  readonly pacer: Pacer | undefined
  /** Clock time until which no attempt starts (0: no pause). */
  pauseUntil: number
}

/** The settings decoded once per policy. */
interface Timing {
  readonly attemptMillis: number
  readonly deadlineMillis: number
  readonly backoff: BackoffSettings
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
    const state: ModelState = {
      gate: yield* makeGate({
        ceiling: settings.maxConnections,
        initial: settings.initialConnections,
        floor: settings.minConnections,
        decrease: settings.decrease,
        cooldownMillis: millis(settings.cooldown),
        adaptive: settings.adaptive
      }),
      limit: yield* makeLimit(settings),
      counters: { calls: 0, succeeded: 0, failed: 0, retries: 0, rateLimited: 0, backingOff: 0 },
      pacer: settings.adaptive ? makePacer({ quietMillis: millis(settings.cooldown) }) : undefined,
      pauseUntil: 0
    }
    return state
  })

/** Hold the model's calls back until `until` (never shortens a pause already set). */
const pauseUntil = (state: ModelState, until: number) => {
  if (until > state.pauseUntil) state.pauseUntil = until
}

/** A pause when the server said the budget is exhausted (`x-ratelimit-remaining-*: 0`). */
const notePause = (state: ModelState, info: RateLimitInfo | undefined, now: number) => {
  if (info === undefined) return
  if (info.remainingRequests === 0 && info.resetRequestsMillis !== undefined) pauseUntil(state, now + info.resetRequestsMillis)
  if (info.remainingTokens === 0 && info.resetTokensMillis !== undefined) pauseUntil(state, now + info.resetTokensMillis)
}

/** Sleep `millis`, counted in the model's `backingOff` gauge meanwhile (interruption included). */
const backOff = (state: ModelState, millis: number) =>
  Effect.suspend(() => {
    state.counters.backingOff++
    return Effect.ensuring(Effect.sleep(Duration.millis(millis)), Effect.sync(() => void state.counters.backingOff--))
  })

const deadlineError = (settings: PolicySettings, last?: JudgeError) =>
  new JudgeError({
    kind: "Deadline",
    message: `call exceeded its deadline of ${Duration.format(Duration.decode(settings.deadline))}${last ? ` (last error: ${last.message})` : ""}`
  })

const timeoutError = (timing: Timing) =>
  new JudgeError({ kind: "Timeout", message: `attempt timed out after ${Duration.format(Duration.millis(timing.attemptMillis))}` })

/** The error a call ends with: the attempt's kind, message and status, plus the number of attempts made. */
const finalError = (error: JudgeError, attempts: number) =>
  new JudgeError({
    kind: error.kind,
    message: error.message,
    ...(error.status === undefined ? {} : { status: error.status }),
    attempts
  })

/**
 * One call: attempts under the permit pool and limiters, retried with backoff. The deadline is a point in time
 * fixed when the call starts: an attempt's timeout is `min(attemptTimeout, time left)`, an attempt that gets
 * its permit after the deadline does not run, and no retry sleeps past it. Attempt timeouts are enforced by the
 * attempt itself when it takes an {@link AttemptDeadline}, else by the policy's {@link Watchdog} (one timer for
 * all attempts, but a fiber per attempt). The success path is synchronous steps on the
 * worker's clock: it runs once per judge call.
 */
const runWith = (
  settings: PolicySettings,
  timing: Timing,
  watchdog: Watchdog,
  state: ModelState,
  estimatedTokens: number,
  attempt: Attempt
): Effect.Effect<ProviderReply, JudgeError> =>
  Effect.clockWith((clock) => {
    state.counters.calls++
    const deadlineAt = clock.unsafeCurrentTimeMillis() + timing.deadlineMillis
    const timed = Effect.suspend(() => {
      const now = clock.unsafeCurrentTimeMillis()
      const budget = Math.min(timing.attemptMillis, deadlineAt - now)
      if (budget <= 0) return Effect.fail(deadlineError(settings))
      const onExpire = () => (budget < timing.attemptMillis ? deadlineError(settings) : timeoutError(timing))
      return Effect.isEffect(attempt) ? watchdog.within(attempt, now + budget, onExpire) : attempt({ millis: budget, onExpire })
    })
    const gated = state.limit(estimatedTokens, state.gate.withPermit(timed))
    /** Wait out a pause the server asked for and the pacer's slot (plain reads when neither applies), then attempt. */
    const once = Effect.suspend(() => {
      const now = clock.unsafeCurrentTimeMillis()
      const paused = Math.max(0, state.pauseUntil - now)
      const wait = paused + (state.pacer?.reserve(now + paused) ?? 0)
      return wait > 0 ? Effect.zipRight(backOff(state, wait), gated) : gated
    })
    /**
     * After a failed attempt: retry or give up. `n` counts failures (retried at most `maxRetries` times);
     * `limited` counts 429s, which are load, not failure: they are retried until the call's deadline, after
     * the server's Retry-After (else backoff on their own count), while the gate shrinks the connection cap.
     */
    const retryOrFail = (error: JudgeError, n: number, limited: number): Effect.Effect<ProviderReply, JudgeError> =>
      Effect.gen(function*() {
        const rateLimited = error.kind === "RateLimited"
        if (rateLimited) {
          state.counters.rateLimited++
          state.pacer?.onRateLimited(clock.unsafeCurrentTimeMillis())
          yield* state.gate.onRateLimited
          // The server's wait applies to the whole key: hold the model's other calls back too.
          if (error.retryAfterMillis !== undefined) pauseUntil(state, clock.unsafeCurrentTimeMillis() + error.retryAfterMillis)
        }
        const attempts = n + limited + 1
        if (!isRetryable(error) || (!rateLimited && n >= settings.maxRetries)) {
          state.counters.failed++
          return yield* finalError(error, attempts)
        }
        const delay = retryDelayMillis(rateLimited ? limited : n, error.retryAfterMillis, timing.backoff, yield* Random.next)
        if (clock.unsafeCurrentTimeMillis() + delay >= deadlineAt) {
          state.counters.failed++
          return yield* finalError(deadlineError(settings, error), attempts)
        }
        if (!rateLimited) state.counters.retries++
        yield* Effect.logDebug(`judge call failed (${error.kind}), retry ${attempts} in ${delay} ms`)
        yield* backOff(state, delay)
        return yield* (rateLimited ? loop(n, limited + 1) : loop(n + 1, limited))
      })
    const loop = (n: number, limited: number): Effect.Effect<ProviderReply, JudgeError> =>
      Effect.matchEffect(once, {
        onFailure: (error) => retryOrFail(error, n, limited),
        onSuccess: (reply) => {
          const now = clock.unsafeCurrentTimeMillis()
          notePause(state, reply.rateLimit, now)
          state.pacer?.onSuccess(now)
          state.counters.succeeded++
          return Effect.as(state.gate.onSuccess, reply)
        }
      })
    return loop(0, 0)
  })

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
    const timing: Timing = {
      attemptMillis: millis(settings.attemptTimeout),
      deadlineMillis: millis(settings.deadline),
      backoff: { baseDelayMillis: millis(settings.baseDelay), maxDelayMillis: millis(settings.maxDelay) }
    }
    const scope = yield* Effect.scope
    const watchdog = yield* makeWatchdog
    // Per-model state, read as a plain field in a call's first step. Creating a model's state (its limiters
    // need the scope) is serialized by a semaphore, so two first calls of a model share one state.
    const models = new Map<string, ModelState>()
    const creating = yield* Effect.makeSemaphore(1)
    const createState = (model: string) =>
      creating.withPermits(1)(Effect.suspend(() => {
        const existing = models.get(model)
        if (existing) return Effect.succeed(existing)
        return Scope.extend(makeModelState(settings), scope).pipe(Effect.tap((created) => void models.set(model, created)))
      }))
    const stats = Effect.suspend(() =>
      Effect.forEach([...models], ([model, state]) =>
        Effect.all({ cap: state.gate.cap, inFlight: state.gate.inFlight }).pipe(
          Effect.map(({ cap, inFlight }): PolicyStats => ({ model, cap, inFlight, ...state.counters }))
        ))
    )
    return {
      settings,
      run: (model, estimatedTokens, attempt) =>
        Effect.suspend(() => {
          const call = (state: ModelState) => runWith(settings, timing, watchdog, state, estimatedTokens, attempt)
          const found = models.get(model)
          return found !== undefined ? call(found) : Effect.flatMap(createState(model), call)
        }),
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
