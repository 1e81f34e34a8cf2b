/**
 * A request and token budget shared with other processes: when a run's calls are spread over several
 * processes (the runners of a cluster), a configured requests-per-minute (`--rpm`) and tokens-per-minute
 * (`--tpm`) limit must hold for all of them together, not for each. A policy built where this service is
 * provided admits each attempt through it, before taking a connection, besides its own buckets (which still
 * pace this process's share). A request's tokens are its estimate: the shared budget is not refunded when the
 * reply reports fewer.
 *
 * @example
 * ```ts
 * makePolicy({ requestsPerMinute: 600 }).pipe(Effect.provideService(SharedRateLimit, { take: () => Effect.void, takeTokens: () => Effect.void }))
 * ```
 */
import { Context, type Effect } from "effect"

/**
 * A requests- and tokens-per-minute budget shared by every process of a run.
 *
 * @example
 * ```ts
 * Effect.flatMap(SharedRateLimit, (limit) => limit.take("openai:gpt-4o-mini", 600))
 * ```
 * @since 0.1.0
 */
export class SharedRateLimit extends Context.Tag("assay/judge/SharedRateLimit")<SharedRateLimit, {
  /** Wait until one more request of `model` fits in the shared budget of `perMinute` requests a minute. */
  readonly take: (model: string, perMinute: number) => Effect.Effect<void>
  /** Wait until `tokens` more tokens of `model` fit in the shared budget of `perMinute` tokens a minute. */
  readonly takeTokens: (model: string, perMinute: number, tokens: number) => Effect.Effect<void>
}>() {}

/**
 * Connections shared by every process of a run: with an explicit connection cap (`--max-connections`) on a
 * run spread over several processes, at most that many calls to a model are in flight in all of them
 * together. A policy built where this service is provided holds one of these connections for each attempt,
 * inside its own connection permit (which still bounds this process).
 *
 * @example
 * ```ts
 * Layer.succeed(SharedConnections, { withConnection: (_model, attempt) => attempt })
 * ```
 * @since 0.1.0
 */
export class SharedConnections extends Context.Tag("assay/judge/SharedConnections")<SharedConnections, {
  /** Run `attempt` holding one of the shared connections to `model`, waiting for one to be free first. */
  readonly withConnection: <A, E, R>(model: string, attempt: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}>() {}
