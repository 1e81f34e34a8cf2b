/**
 * A request-level LLM response cache: (model, base URL, request body) → response JSON, with a time to live.
 * A judge layer can consult it before calling a provider. Keys are sha256 over canonical JSON, so key order
 * in the body does not matter.
 *
 * @example
 * ```ts
 * const cache = yield* ResponseCache
 * const request = { model: "gpt-4o", baseUrl: "https://api.openai.com/v1", body }
 * const hit = yield* cache.get(request)
 * if (Option.isNone(hit)) yield* cache.set(request, response, "1 day")
 * ```
 */
import { CacheError, canonicalJson, sha256 } from "@assay/core"
import { Clock, Deferred, Duration, Effect, Option, Schema } from "effect"
import { makeBatchWriter } from "./batch-writer.js"
import { Database } from "./database.js"

/**
 * What identifies a request. `body` must be JSON (no secrets: headers are not part of it).
 *
 * @example
 * ```ts
 * const request: ResponseRequest = { model: "gpt-4o", baseUrl: "https://api.openai.com/v1", body }
 * ```
 */
export interface ResponseRequest {
  readonly model: string
  readonly baseUrl: string
  readonly body: unknown
}

/**
 * Default time to live of a cached response.
 *
 * @example
 * ```ts
 * cache.set(request, response) // kept for DEFAULT_RESPONSE_TTL
 * ```
 */
export const DEFAULT_RESPONSE_TTL: Duration.DurationInput = "7 days"

/**
 * The cache key of a request.
 *
 * @example
 * ```ts
 * responseKey({ model: "m", baseUrl: "u", body: { a: 1, b: 2 } }) === responseKey({ model: "m", baseUrl: "u", body: { b: 2, a: 1 } }) // true
 * ```
 */
export const responseKey = (request: ResponseRequest): string =>
  sha256(canonicalJson({ model: request.model, baseUrl: request.baseUrl, body: request.body }))

const decodeJson = Schema.decodeUnknown(Schema.parseJson(Schema.Unknown))

/** A row of `response_cache`. */
type ResponseRow = {
  readonly cache_key: string
  readonly model: string
  readonly base_url: string
  readonly response: string
  readonly created_at: number
  readonly expires_at: number
}

/** A key to look up, and where its stored JSON text (unless missing or expired) goes. */
interface Lookup {
  readonly key: string
  readonly found: Deferred.Deferred<Option.Option<string>>
}

/**
 * Concurrent gets and sets from many fibers (a run's case workers) are written as one statement per batch —
 * one `SELECT … IN`, one multi-row upsert in a transaction — instead of a statement and a commit per call.
 * A batch is whatever queued while the previous one ran (`makeBatchWriter`): no timer, so no added latency
 * and nothing for `TestClock` to hold up. (`dataLoader` from @effect/experimental gathers on a timer window.)
 */
const MAX_BATCH = 500

/**
 * A request-level LLM response cache over the store's database; see the module doc.
 *
 * @example
 * ```ts
 * const hit = yield* (yield* ResponseCache).get({ model: "m", baseUrl: "", body: { prompt: "hi" } })
 * ```
 */
export class ResponseCache extends Effect.Service<ResponseCache>()("assay/store/ResponseCache", {
  scoped: Effect.gen(function*() {
    const db = yield* Database
    const { sql } = db
    const toCacheError = (e: { readonly message: string }) => new CacheError({ message: e.message })
    const lookups = yield* makeBatchWriter((batch: ReadonlyArray<Lookup>) =>
      Effect.flatMap(lookUp(batch), (texts) =>
        Effect.forEach(batch, (l) => Deferred.succeed(l.found, Option.fromNullable(texts.get(l.key))), { discard: true })), MAX_BATCH)
    const writes = yield* makeBatchWriter(upsert, MAX_BATCH)

    /** The stored texts of the requested keys that have not expired, by key. */
    const lookUp = (batch: ReadonlyArray<Lookup>) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        db.refine(sql<{ cache_key: string; response: string }>`SELECT cache_key, response FROM response_cache
          WHERE cache_key IN ${sql.in([...new Set(batch.map((l) => l.key))])} AND expires_at > ${now}`)).pipe(
        Effect.map((rows) => new Map(rows.map((row) => [row.cache_key, row.response])))
      )
    /** One upsert for the batch; the last row of a key wins (one statement may not touch a row twice). */
    function upsert(batch: ReadonlyArray<ResponseRow>) {
      const rows = [...new Map(batch.map((row) => [row.cache_key, row])).values()]
      return db.refine(sql.withTransaction(sql`INSERT INTO response_cache ${sql.insert(rows)}
        ON CONFLICT (cache_key) DO UPDATE SET response = excluded.response, created_at = excluded.created_at,
        expires_at = excluded.expires_at`)).pipe(Effect.asVoid)
    }

    /** The cached response, unless missing or expired. */
    const get = (request: ResponseRequest): Effect.Effect<Option.Option<unknown>, CacheError> =>
      Effect.flatMap(Deferred.make<Option.Option<string>>(), (found) =>
        Effect.zipRight(lookups.submit([{ key: responseKey(request), found }]), Deferred.await(found))).pipe(
        Effect.mapError(toCacheError),
        Effect.flatMap((text) => Option.isNone(text) ? Effect.succeed(Option.none()) : decodeJson(text.value).pipe(
          Effect.map(Option.some),
          Effect.mapError((e) => new CacheError({ message: `a cached response in ${db.path} does not decode: ${e.message}` }))
        ))
      )

    /** Store a response for `ttl` (default {@link DEFAULT_RESPONSE_TTL}). */
    const set = (request: ResponseRequest, response: unknown, ttl: Duration.DurationInput = DEFAULT_RESPONSE_TTL): Effect.Effect<void, CacheError> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        writes.submit([{
          cache_key: responseKey(request),
          model: request.model,
          base_url: request.baseUrl,
          response: JSON.stringify(response),
          created_at: now,
          expires_at: now + Duration.toMillis(ttl)
        }])).pipe(Effect.mapError(toCacheError))

    return { get, set } as const
  })
}) {}
