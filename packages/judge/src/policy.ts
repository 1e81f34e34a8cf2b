/**
 * The call policy shared by every judge call of a run, per model: a connection cap (adaptive, see
 * {@link makeGate}), token buckets for requests/minute and tokens/minute ({@link makeBucket}; cost = estimated
 * tokens, corrected by the usage the reply reports), configured or learned from the provider's
 * `x-ratelimit-limit-*` headers (the learned limit spent at a per-second pace, as providers enforce it), a pause
 * when `x-ratelimit-remaining-*` reaches 0 (until `x-ratelimit-reset-*`), bounded retries of
 * transient errors and timeouts, retries of rate limits (429) until the call's deadline — a 429 is load, not a
 * failure, so it never uses up the retry budget — by a `Schedule` fed the failed attempt's error
 * ({@link retrySchedule}; backoff honoring `retry-after`, {@link retryDelayMillis}), a
 * per-attempt timeout (enforced by the attempt itself when it takes an {@link AttemptDeadline}, else by
 * `Effect.timeoutFail`) and a total deadline per call, and counters for `stats`.
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
import { type Clock, Context, Duration, Effect, Layer, Option, Random, RcMap, Schedule, Scope } from "effect"
import { makeGate, type Gate } from "./internal/adaptive.js"
import { type BackoffSettings, retryDelayMillis } from "./internal/backoff.js"
import { type Bucket, makeBucket } from "./internal/bucket.js"
import type { AttemptDeadline, ProviderReply } from "./chat.js"
import { isRetryable, JudgeError } from "./errors.js"
import type { RateLimitInfo } from "./headers.js"
import { makePacer, type Pacer } from "./internal/pacer.js"
import { retryFrom } from "./internal/retry.js"
import { SharedConnections, SharedRateLimit } from "./shared-limit.js"

/**
 * Policy settings; {@link defaultPolicySettings} fills what is not given.
 *
 * @example
 * ```ts
 * CallPolicy.layer({ maxConnections: 50, requestsPerMinute: 500, maxRetries: 4 })
 * ```
 * @since 0.1.0
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
 * @since 0.1.0
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
 * @since 0.1.0
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
  /** Requests/minute the provider's `x-ratelimit-limit-requests` (or Anthropic's) header stated, once seen. */
  readonly learnedRequestsPerMinute?: number | undefined
  /** Tokens/minute the provider's `x-ratelimit-limit-tokens` header stated, once seen. */
  readonly learnedTokensPerMinute?: number | undefined
  /**
   * Calls waiting out a backoff right now (after a 429 or a failed attempt, or a server-requested pause):
   * a gauge, not a total — what tells a person that a quiet run is waiting, not hung.
   */
  readonly backingOff: number
}

/**
 * The per-model call policy: `run` takes a call through the cap, the rate limits and the retries.
 *
 * @example
 * ```ts
 * const reply = yield* policy.run("openai:gpt-4o-mini", 300, provider.complete(request))
 * ```
 * @since 0.1.0
 */
export interface CallPolicyApi {
  readonly settings: PolicySettings
  /** Run one call (`attempt` is re-run on retry) under the model's limits. */
  readonly run: (model: string, estimatedTokens: number, attempt: Attempt) => Effect.Effect<ProviderReply, JudgeError>
  readonly stats: Effect.Effect<ReadonlyArray<PolicyStats>>
}

/**
 * One attempt of a call: an Effect, whose timeout the policy enforces (`Effect.timeoutFail` interrupts it), or a
 * function that enforces the {@link AttemptDeadline} it is given itself (`ChatProviderApi.completeWithin`: a
 * timer on the request instead of a fiber per attempt).
 *
 * @example
 * ```ts
 * policy.run("m", 100, (deadline) => provider.completeWithin!(request, deadline))
 * ```
 * @since 0.1.0
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
  readonly limits: Limits
  readonly counters: { calls: number; succeeded: number; failed: number; retries: number; rateLimited: number; backingOff: number }
  readonly pacer: Pacer | undefined
  /** Clock time until which no attempt starts (0: no pause). */
  pauseUntil: number
  /** Failed attempts (not 429s) since the model's last success: how long it has been failing as a whole. */
  failureStreak: number
}

/** The settings decoded once per policy. */
interface Timing {
  readonly attemptMillis: number
  readonly deadlineMillis: number
  readonly backoff: BackoffSettings
}

const millis = (d: Duration.DurationInput) => Duration.toMillis(Duration.decode(d))

/**
 * A model's request and token buckets: the configured ones (`--rpm`, `--tpm`: a minute's worth may go at once,
 * as the user stated a per-minute budget) and the learned ones, from the provider's headers. A learned limit is
 * spent at a steady per-second pace with a small burst, a little under the limit: providers enforce per-minute
 * limits over shorter windows (OpenAI: "60,000 RPM may be enforced as 1,000 requests per second").
 */
interface Limits {
  readonly requests: Bucket | undefined
  readonly tokens: Bucket | undefined
  learnedRequests: Bucket | undefined
  learnedTokens: Bucket | undefined
}

const MINUTE = 60_000
const learnedRequestLimit = (perMinute: number) => ({ perMinute, burstMillis: 20, share: 0.98 })
const learnedTokenLimit = (perMinute: number) => ({ perMinute, burstMillis: 1000, share: 0.98 })

const makeLimits = (settings: PolicySettings, now: number): Limits => ({
  requests: settings.requestsPerMinute === undefined ? undefined : makeBucket({ perMinute: settings.requestsPerMinute, burstMillis: MINUTE }, now),
  tokens: settings.tokensPerMinute === undefined ? undefined : makeBucket({ perMinute: settings.tokensPerMinute, burstMillis: MINUTE }, now),
  learnedRequests: undefined,
  learnedTokens: undefined
})

/** What one attempt was charged: its request and token buckets, to correct by its reply's usage. */
interface Charged {
  readonly requests: ReadonlyArray<Bucket>
  readonly tokens: ReadonlyArray<Bucket>
}

const nothingCharged: Charged = { requests: [], tokens: [] }

const present = (buckets: ReadonlyArray<Bucket | undefined>): ReadonlyArray<Bucket> =>
  buckets.filter((bucket): bucket is Bucket => bucket !== undefined)

/** Charge an attempt (one request, `tokens` estimated) in every bucket; the wait is the longest of them. */
const reserve = (limits: Limits, now: number, tokens: number): { readonly wait: number; readonly charged: Charged } => {
  const charged: Charged = {
    requests: present([limits.requests, limits.learnedRequests]),
    tokens: present([limits.tokens, limits.learnedTokens])
  }
  let wait = 0
  for (const bucket of charged.requests) wait = Math.max(wait, bucket.reserve(now, 1))
  for (const bucket of charged.tokens) wait = Math.max(wait, bucket.reserve(now, tokens))
  return { wait, charged }
}

/** Learn (or follow a change of) the limits a reply's headers state. */
const learn = (limits: Limits, info: RateLimitInfo | undefined, now: number) => {
  const requests = info?.limitRequests
  if (requests !== undefined && requests > 0 && limits.learnedRequests?.limit.perMinute !== requests) {
    if (limits.learnedRequests === undefined) limits.learnedRequests = makeBucket(learnedRequestLimit(requests), now)
    else limits.learnedRequests.setLimit(now, learnedRequestLimit(requests))
  }
  const tokens = info?.limitTokens
  if (tokens !== undefined && tokens > 0 && limits.learnedTokens?.limit.perMinute !== tokens) {
    if (limits.learnedTokens === undefined) limits.learnedTokens = makeBucket(learnedTokenLimit(tokens), now)
    else limits.learnedTokens.setLimit(now, learnedTokenLimit(tokens))
  }
}

/** Give back what an attempt's token estimate overcharged (or take what it undercharged), once usage is known. */
const correct = (charged: Charged, reply: ProviderReply, estimated: number, now: number) => {
  const used = reply.usage.input + reply.usage.output
  if (used <= 0) return // no usage reported: the estimate stands
  for (const bucket of charged.tokens) bucket.adjust(now, estimated - used)
}

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
      limits: makeLimits(settings, yield* Effect.clockWith((clock) => clock.currentTimeMillis)),
      counters: { calls: 0, succeeded: 0, failed: 0, retries: 0, rateLimited: 0, backingOff: 0 },
      pacer: settings.adaptive ? makePacer({ quietMillis: millis(settings.cooldown) }) : undefined,
      pauseUntil: 0,
      // Until its first success a model is not known to be healthy: its first failure is not a lone one.
      failureStreak: 1
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

/**
 * The backoff step of a call's retry after its failure number `n` (0-based): its own failures, but no more than
 * the model has failed in a row. A failure among successes (a random 5xx: the model's attempt before it
 * succeeded) is the call's bad luck, not an outage: it retries after a quarter of the base delay however often
 * that call was unlucky, so a few unlucky calls do not stretch the run; when calls keep failing, the steps grow
 * with the call's own failures.
 */
const backoffStep = (state: ModelState, n: number) => (state.failureStreak <= 1 ? -2 : Math.min(n, state.failureStreak - 1))
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
 * One call in progress: its settings and model state, its deadline (a point in time fixed when the call starts),
 * the attempt under the connection permit, the buckets its latest attempt was charged in, and its retry counts.
 * Like {@link ModelState}, the mutable fields are plain fields written only inside synchronous steps.
 */
interface CallRun {
  readonly settings: PolicySettings
  readonly timing: Timing
  readonly state: ModelState
  readonly estimatedTokens: number
  readonly clock: Clock.Clock
  readonly deadlineAt: number
  /** The attempt, timed, under the connection permit (after the shared admission, if any). */
  readonly gated: Effect.Effect<ProviderReply, JudgeError>
  /** The buckets the latest attempt was charged in. */
  charged: Charged
  /** Failed attempts retried so far (at most `maxRetries`). */
  failures: number
  /** 429s retried so far (not counted against `maxRetries`). */
  limited: number
  /** Whether the call is waiting out a retry's delay (counted in the model's `backingOff` gauge). */
  backingOff: boolean
}

/**
 * An attempt bounded by `min(attemptTimeout, time left)`; one that starts after the deadline fails at once. The
 * bound is enforced by the attempt itself when it takes an {@link AttemptDeadline}, else by `Effect.timeoutFail`,
 * which interrupts the attempt and fails with the same error the attempt would have raised.
 */
const timedAttempt = (
  settings: PolicySettings,
  timing: Timing,
  clock: Clock.Clock,
  deadlineAt: number,
  attempt: Attempt
): Effect.Effect<ProviderReply, JudgeError> =>
  Effect.suspend(() => {
    const now = clock.unsafeCurrentTimeMillis()
    const budget = Math.min(timing.attemptMillis, deadlineAt - now)
    if (budget <= 0) return Effect.fail(deadlineError(settings))
    const onExpire = () => (budget < timing.attemptMillis ? deadlineError(settings) : timeoutError(timing))
    return Effect.isEffect(attempt)
      ? Effect.timeoutFail(attempt, { duration: Duration.millis(budget), onTimeout: onExpire })
      : attempt({ millis: budget, onExpire })
  })

/**
 * Wait out a pause the server asked for, the pacer's slot and the rate buckets (plain reads when none applies),
 * then attempt: every wait happens before the connection permit is taken, never while holding it.
 */
const once = (run: CallRun): Effect.Effect<ProviderReply, JudgeError> =>
  Effect.suspend(() => {
    endBackOff(run)
    const { state } = run
    const now = run.clock.unsafeCurrentTimeMillis()
    const paused = Math.max(0, state.pauseUntil - now)
    const limited = reserve(state.limits, now + paused, run.estimatedTokens)
    run.charged = limited.charged
    const wait = paused + Math.max(limited.wait, state.pacer?.reserve(now + paused) ?? 0)
    return wait > 0 ? Effect.zipRight(backOff(state, wait), unpaused(run)) : run.gated
  })

/**
 * After a wait: a pause the server asked for meanwhile (a 429, a budget at 0) holds this call back too, and it
 * queues again in the buckets from the pause's end, so that the calls it held back do not all start the moment
 * it ends. Its first charge is not given back: its slot fell inside the pause, and the bucket has refilled for
 * that time. Given back, every call held back would be handed the same slot after the pause (a bucket's level
 * knows how much is owed, not which slots are taken), and they would all start together.
 */
const unpaused = (run: CallRun): Effect.Effect<ProviderReply, JudgeError> =>
  Effect.suspend(() => {
    const now = run.clock.unsafeCurrentTimeMillis()
    if (run.state.pauseUntil <= now) return run.gated
    return once(run)
  })

/** A successful attempt: learn from its headers, correct its token charge, and count the model healthy again. */
const succeeded = (run: CallRun, reply: ProviderReply): Effect.Effect<ProviderReply> => {
  const { state } = run
  const now = run.clock.unsafeCurrentTimeMillis()
  notePause(state, reply.rateLimit, now)
  learn(state.limits, reply.rateLimit, now)
  correct(run.charged, reply, run.estimatedTokens, now)
  state.pacer?.onSuccess(now)
  state.counters.succeeded++
  state.failureStreak = 0
  return Effect.as(state.gate.onSuccess, reply)
}

/** React to a 429: count it, shrink the cap and pace starts (unless a learned limit paces), honor its Retry-After. */
const rateLimitedBy = (run: CallRun, error: JudgeError): Effect.Effect<void> =>
  Effect.suspend(() => {
    const { state } = run
    state.counters.rateLimited++
    // With a learned request limit the bucket already paces the calls: a 429 is timing jitter at the
    // limit's edge, not too many connections, so neither the cap nor the pacer reacts to it.
    const shrink = state.limits.learnedRequests === undefined
    if (shrink) state.pacer?.onRateLimited(run.clock.unsafeCurrentTimeMillis())
    // The server's wait applies to the whole key: hold the model's other calls back too.
    const pause = Effect.sync(() => {
      if (error.retryAfterMillis !== undefined) pauseUntil(state, run.clock.unsafeCurrentTimeMillis() + error.retryAfterMillis)
    })
    return shrink ? Effect.zipRight(state.gate.onRateLimited, pause) : pause
  })

/**
 * What the retry schedule decides after a failed attempt: retry after `delay` (waited out by the schedule), or
 * give up with `error` (the call's final error).
 */
type RetryDecision =
  | { readonly _tag: "Retry"; readonly delay: Duration.Duration }
  | { readonly _tag: "GiveUp"; readonly error: JudgeError }

/** Give up: count the call failed; its error carries the number of attempts made. */
const giveUp = (run: CallRun, error: JudgeError): RetryDecision => {
  run.state.counters.failed++
  return { _tag: "GiveUp", error: finalError(error, run.failures + run.limited + 1) }
}

/**
 * Decide on a failed attempt. Failures are retried at most `maxRetries` times; 429s are load, not failure:
 * they are retried until the call's deadline, after the server's Retry-After (else backoff on their own
 * count), while the gate shrinks the connection cap. No retry waits past the deadline.
 */
const decide = (run: CallRun, error: JudgeError): Effect.Effect<RetryDecision> =>
  Effect.gen(function*() {
    const { settings, state } = run
    const rateLimited = error.kind === "RateLimited"
    if (rateLimited) yield* rateLimitedBy(run, error)
    if (!isRetryable(error) || (!rateLimited && run.failures >= settings.maxRetries)) return giveUp(run, error)
    if (!rateLimited) state.failureStreak++
    const step = rateLimited ? run.limited : backoffStep(state, run.failures)
    const delay = retryDelayMillis(step, error.retryAfterMillis, run.timing.backoff, yield* Random.next)
    const late = run.clock.unsafeCurrentTimeMillis() + delay >= run.deadlineAt
    if (late) return giveUp(run, deadlineError(settings, error))
    if (rateLimited) run.limited++
    else {
      run.failures++
      state.counters.retries++
    }
    yield* Effect.logDebug(`judge call failed (${error.kind}), retry ${run.failures + run.limited} in ${delay} ms`)
    startBackOff(run)
    return { _tag: "Retry", delay: Duration.millis(delay) }
  })

/**
 * The retry schedule of one call: its input is the failed attempt's error (its kind and Retry-After), its
 * output the {@link decide} decision, and its delay the decision's; it stops at the first `GiveUp`. The attempt
 * has released its connection permit before the schedule runs, so a retrying call waits without holding one.
 */
const retrySchedule = (run: CallRun): Schedule.Schedule<RetryDecision, JudgeError> =>
  Schedule.identity<JudgeError>().pipe(
    Schedule.mapEffect((error) => decide(run, error)),
    Schedule.whileOutput((decision) => decision._tag === "Retry"),
    Schedule.addDelay((decision) => (decision._tag === "Retry" ? decision.delay : Duration.zero))
  )

/** The retry's sleep counts in the model's `backingOff` gauge, from the decision to the next attempt. */
const startBackOff = (run: CallRun) => {
  run.backingOff = true
  run.state.counters.backingOff++
}
const endBackOff = (run: CallRun) => {
  if (!run.backingOff) return
  run.backingOff = false
  run.state.counters.backingOff--
}

/**
 * The first attempt, then, after a failure, retries by {@link retrySchedule} (started only then, see
 * {@link retryFrom}); a success ends with its bookkeeping ({@link succeeded}).
 */
const attempts = (run: CallRun): Effect.Effect<ProviderReply, JudgeError> =>
  Effect.matchEffect(once(run), {
    onFailure: (first) => Effect.ensuring(retried(run, first), Effect.sync(() => endBackOff(run))),
    onSuccess: (reply) => succeeded(run, reply)
  })

/** The retries after a call's first failure; they end in a success or the schedule's `GiveUp` error. */
const retried = (run: CallRun, first: JudgeError): Effect.Effect<ProviderReply, JudgeError> =>
  Effect.flatMap(
    retryFrom(first, once(run), retrySchedule(run), (error, decision) => Effect.fail(decision._tag === "GiveUp" ? decision.error : error)),
    (reply) => succeeded(run, reply)
  )

/**
 * One call: attempts under the permit pool and limiters, retried by {@link retrySchedule}. The deadline is a
 * point in time fixed when the call starts: an attempt's timeout is `min(attemptTimeout, time left)`, an
 * attempt that gets its permit after the deadline does not run, and no retry sleeps past it. Attempt timeouts
 * are enforced by the attempt itself when it takes an {@link AttemptDeadline} (a timer on the request, no
 * fiber), else by `Effect.timeoutFail`. The success path is synchronous steps on the worker's clock: it runs
 * once per judge call.
 */
const runWith = (
  settings: PolicySettings,
  timing: Timing,
  state: ModelState,
  estimatedTokens: number,
  attempt: Attempt,
  /** Admission into a budget shared with other processes ({@link SharedRateLimit}), before each attempt. */
  admit: Effect.Effect<void> | undefined,
  /** The attempt holding a connection shared with other processes ({@link SharedConnections}), if any. */
  hold: ((attempt: Effect.Effect<ProviderReply, JudgeError>) => Effect.Effect<ProviderReply, JudgeError>) | undefined
): Effect.Effect<ProviderReply, JudgeError> =>
  Effect.clockWith((clock) => {
    state.counters.calls++
    const deadlineAt = clock.unsafeCurrentTimeMillis() + timing.deadlineMillis
    const timed = timedAttempt(settings, timing, clock, deadlineAt, attempt)
    const held = state.gate.withPermit(hold === undefined ? timed : hold(timed))
    const gated = admit === undefined ? held : Effect.zipRight(admit, held)
    return attempts({ settings, timing, state, estimatedTokens, clock, deadlineAt, gated, charged: nothingCharged, failures: 0, limited: 0, backingOff: false })
  })

/** The admission of a call into the budgets shared with other processes (`--rpm`, `--tpm`), if any. */
const sharedAdmission = (shared: SharedRateLimit["Type"] | undefined, settings: PolicySettings) =>
(model: string, estimatedTokens: number): Effect.Effect<void> | undefined => {
  const rpm = settings.requestsPerMinute
  const tpm = settings.tokensPerMinute
  if (shared === undefined) return undefined
  const requests = rpm === undefined ? undefined : shared.take(model, rpm)
  const tokens = tpm === undefined ? undefined : shared.takeTokens(model, tpm, estimatedTokens)
  return requests === undefined ? tokens : tokens === undefined ? requests : Effect.zipRight(requests, tokens)
}

/**
 * Build a policy (needs a Scope: it holds the per-model state).
 *
 * @example
 * ```ts
 * const policy = yield* makePolicy({ maxConnections: 4, maxRetries: 2 })
 * ```
 * @since 0.1.0
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
    const shared = Option.getOrUndefined(yield* Effect.serviceOption(SharedRateLimit))
    const admit = sharedAdmission(shared, settings)
    const connections = Option.getOrUndefined(yield* Effect.serviceOption(SharedConnections))
    const hold = connections === undefined
      ? () => undefined
      : (model: string) => (attempt: Effect.Effect<ProviderReply, JudgeError>) => connections.withConnection(model, attempt)
    // Per-model state in an RcMap keyed by model: a model's first calls, however many at once, share the one
    // state it creates, and the policy's scope holds a reference to it, so a model keeps its cap, limits and
    // counters for the policy's life. `models` mirrors it for the per-call read: a plain lookup, where an
    // `RcMap.get` would need a Scope per call.
    const states = yield* RcMap.make({ lookup: (_model: string) => makeModelState(settings) })
    const models = new Map<string, ModelState>()
    const createState = (model: string) =>
      Scope.extend(RcMap.get(states, model), scope).pipe(Effect.tap((created) => void models.set(model, created)))
    const stats = Effect.suspend(() =>
      Effect.forEach([...models], ([model, state]) =>
        Effect.all({ cap: state.gate.cap, inFlight: state.gate.inFlight }).pipe(
          Effect.map(({ cap, inFlight }): PolicyStats => ({
            model,
            cap,
            inFlight,
            ...state.counters,
            learnedRequestsPerMinute: state.limits.learnedRequests?.limit.perMinute,
            learnedTokensPerMinute: state.limits.learnedTokens?.limit.perMinute
          }))
        ))
    )
    return {
      settings,
      run: (model, estimatedTokens, attempt) =>
        Effect.suspend(() => {
          const call = (state: ModelState) => runWith(settings, timing, state, estimatedTokens, attempt, admit(model, estimatedTokens), hold(model))
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
 * @since 0.1.0
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
