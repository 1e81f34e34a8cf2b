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
import { Clock, Duration, Effect, Option, Schema } from "effect"
import { Database, type DatabaseApi } from "./database.js"

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

/** Rows or keys per statement: well under every engine's limit on bound parameters. */
const CHUNK = 500

const chunksOf = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += CHUNK) chunks.push(items.slice(i, i + CHUNK))
  return chunks
}

/** A response cache row of `request`, kept from `now` for `ttl`. */
const rowOf = (request: ResponseRequest, response: unknown, now: number, ttl: Duration.DurationInput) => ({
  cache_key: responseKey(request),
  model: request.model,
  base_url: request.baseUrl,
  response: JSON.stringify(response),
  created_at: now,
  expires_at: now + Duration.toMillis(ttl)
})

/** The cached response of each request, in order (`None` when missing or expired), a chunk of keys per query. */
const readMany = (db: DatabaseApi, requests: ReadonlyArray<ResponseRequest>) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const keys = requests.map(responseKey)
    const found = new Map<string, string>()
    for (const chunk of chunksOf(keys)) {
      const rows = yield* db.refine(db.sql<{ cache_key: string; response: string }>`SELECT cache_key, response FROM response_cache
        WHERE cache_key IN ${db.sql.in(chunk)} AND expires_at > ${now}`)
      for (const row of rows) found.set(row.cache_key, row.response)
    }
    return yield* Effect.forEach(keys, (key) => {
      const response = found.get(key)
      return response === undefined ? Effect.succeedNone : Effect.asSome(decodeJson(response).pipe(
        Effect.mapError((e) => new CacheError({ message: `a cached response in ${db.path} does not decode: ${e.message}` }))
      ))
    })
  })

/** Store responses (a later entry for the same request wins): one statement per chunk, in one transaction when several. */
const writeMany = (
  db: DatabaseApi,
  entries: ReadonlyArray<{ readonly request: ResponseRequest; readonly response: unknown }>,
  ttl: Duration.DurationInput
) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const rows = new Map<string, ReturnType<typeof rowOf>>()
    for (const { request, response } of entries) {
      const row = rowOf(request, response, now, ttl)
      rows.set(row.cache_key, row)
    }
    const chunks = chunksOf([...rows.values()])
    const upsert = (chunk: ReadonlyArray<ReturnType<typeof rowOf>>) =>
      db.sql`INSERT INTO response_cache ${db.sql.insert(chunk)} ON CONFLICT (cache_key) DO UPDATE SET response = excluded.response,
        created_at = excluded.created_at, expires_at = excluded.expires_at`
    const inserts = Effect.forEach(chunks, upsert, { discard: true })
    return db.refine(chunks.length > 1 ? db.sql.withTransaction(inserts) : inserts)
  })

/**
 * The response cache service; see the module doc.
 *
 * @example
 * ```ts
 * const hit = yield* Effect.flatMap(ResponseCache, (c) => c.get(request))
 * ```
 */
export class ResponseCache extends Effect.Service<ResponseCache>()("assay/store/ResponseCache", {
  effect: Effect.map(Database, (db) => {
    const toCacheError = (e: { readonly message: string }) => new CacheError({ message: e.message })
    /** The cached response of each request, in order (`None` when missing or expired). */
    const getMany = (requests: ReadonlyArray<ResponseRequest>): Effect.Effect<ReadonlyArray<Option.Option<unknown>>, CacheError> =>
      Effect.mapError(readMany(db, requests), toCacheError)
    /** Store many responses for `ttl` (default {@link DEFAULT_RESPONSE_TTL}); a later entry for the same request wins. */
    const setMany = (
      entries: ReadonlyArray<{ readonly request: ResponseRequest; readonly response: unknown }>,
      ttl: Duration.DurationInput = DEFAULT_RESPONSE_TTL
    ): Effect.Effect<void, CacheError> => Effect.mapError(writeMany(db, entries, ttl), toCacheError)
    return {
      getMany,
      setMany,
      /** The cached response, unless missing or expired. */
      get: (request: ResponseRequest): Effect.Effect<Option.Option<unknown>, CacheError> =>
        Effect.map(getMany([request]), (found) => found[0]!),
      /** Store a response for `ttl` (default {@link DEFAULT_RESPONSE_TTL}). */
      set: (request: ResponseRequest, response: unknown, ttl?: Duration.DurationInput): Effect.Effect<void, CacheError> =>
        setMany([{ request, response }], ttl)
    } as const
  })
}) {}
