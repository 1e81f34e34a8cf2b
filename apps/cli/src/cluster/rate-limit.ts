/**
 * The cluster's shared request and token budget ({@link SharedRateLimit}): the `--rpm` and `--tpm` limits kept in
 * the cluster's Postgres database, so they hold for every runner together. Requests are spaced evenly, one per
 * `60 000 / rpm` ms of the database's clock (a request's estimated tokens hold `tokens × 60 000 / tpm` ms of
 * the token timeline): a request reserves the next free slot with one upsert (`next_at` moves one interval
 * forward, or from now when it lies in the past) and sleeps until its slot. Fixed windows would allow twice the
 * rate across a window's edge; an even spacing is also how providers enforce per-minute limits over shorter
 * windows. One statement per request is the coordination cost; no lock is held while waiting.
 *
 * @example
 * ```ts
 * Layer.build(runServices(plan, judged).pipe(Layer.provide(sharedRateLimitLayer)))
 * ```
 */
import { SharedRateLimit } from "@assay/judge"
import { Database } from "@assay/store"
import type { SqlClient } from "@effect/sql"
import { Duration, Effect, Layer, Schedule } from "effect"

/**
 * The database's clock in milliseconds, as a SQL fragment: every process of a cluster reads the same clock.
 *
 * @example
 * ```ts
 * sql`SELECT ${databaseNowMs(sql)} AS now`
 * ```
 */
export const databaseNowMs = (sql: SqlClient.SqlClient) => sql.literal("(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint")

/**
 * {@link SharedRateLimit} on the command's (Postgres) database.
 *
 * @example
 * ```ts
 * sharedRateLimitLayer.pipe(Layer.provide(storeLayer(database)))
 * ```
 */
export const sharedRateLimitLayer: Layer.Layer<SharedRateLimit, never, Database> = Layer.effect(
  SharedRateLimit,
  Effect.gen(function*() {
    const { sql } = yield* Database
    const nowMs = databaseNowMs(sql)
    /** Reserve the next slot of `limiter`: how long to wait for it (ms). */
    const reserve = (limiter: string, interval: number) =>
      sql<{ slot: number; now: number }>`INSERT INTO cluster_rate_slots (limiter, next_at) VALUES (${limiter}, ${nowMs} + ${interval})
        ON CONFLICT (limiter) DO UPDATE SET next_at = GREATEST(cluster_rate_slots.next_at, ${nowMs}) + ${interval}
        RETURNING next_at - ${interval} AS slot, ${nowMs} AS now`.pipe(
        Effect.map(([row]) => Math.max(0, Number(row!.slot) - Number(row!.now)))
      )
    /** Wait for the next slot of `limiter`, `interval` ms long. */
    const waitFor = (limiter: string, interval: number): Effect.Effect<void> =>
      reserve(limiter, Math.max(1, Math.round(interval))).pipe(
        // A database hiccup is retried briefly; past that the request goes ahead under this runner's own limit
        // rather than failing the case (the run store's next commit reports a database that is really gone).
        Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.intersect(Schedule.recurs(5)))),
        Effect.orElseSucceed(() => 0),
        Effect.flatMap((wait) => (wait === 0 ? Effect.void : Effect.sleep(Duration.millis(wait))))
      )
    return {
      take: (model, perMinute) => waitFor(`${model}@${perMinute}/min`, 60_000 / perMinute),
      // A token budget is a timeline too: a request of n tokens holds n × (60 000 / tpm) ms of it.
      takeTokens: (model, perMinute, tokens) => waitFor(`${model}@${perMinute}tpm`, (tokens * 60_000) / perMinute)
    }
  })
)
