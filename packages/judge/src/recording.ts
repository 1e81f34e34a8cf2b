/**
 * Record and replay of model calls: every call a run makes through a recorded seam — the Judge's chat calls
 * (judge and target, whatever the provider and transport, reply-cache hits included) and a user's
 * `HttpClient` wrapped with {@link recordedHttpClient} — is kept by a canonical request and written to one
 * JSONL file when the run ends; a replaying run answers every call from that file and makes no request.
 *
 * The canonical request is the method, the URL path without host (query parameters that look like secrets
 * dropped), and the body with volatile fields removed, secret-looking fields masked and object keys sorted;
 * plus the repetition when the run repeats measurements or tasks. Headers are never recorded, and the values
 * of the secrets the layer is given are masked in every written line. Lines are sorted by request, so the
 * file is stable from run to run and diffs well.
 *
 * A replayed call missing from the file fails with {@link ReplayMiss} naming the case (`#<index> "name"`, see
 * `CurrentCase` in @assay/core) and also completes {@link RecordingApi.missed}, which a runner races its run
 * against, so a miss ends the run whatever its error policy: never a silent live call.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(Layer.provideMerge(judgeLayer(spec), Recording.replay("calls.jsonl"))))
 * ```
 */
import { canonicalJson, CurrentCase, currentRepetition, describeCase } from "@assay/core"
import { FileSystem } from "@effect/platform"
import { Context, Deferred, Effect, Either, FiberRef, Layer, Option, Redacted, Schema } from "effect"

/**
 * A replayed call that the recording does not hold.
 *
 * @example
 * ```ts
 * Effect.catchTag("ReplayMiss", (miss) => Console.error(miss.message))
 * ```
 * @since 0.1.0
 */
export class ReplayMiss extends Schema.TaggedError<ReplayMiss>()("ReplayMiss", { message: Schema.String }) {}

/**
 * A recording file that cannot be read or written; the message names the file (and the line).
 *
 * @example
 * ```ts
 * Effect.catchTag("RecordingFileError", (e) => Console.error(e.message))
 * ```
 * @since 0.1.0
 */
export class RecordingFileError extends Schema.TaggedError<RecordingFileError>()("RecordingFileError", { message: Schema.String }) {}

/**
 * A request as the recording keys it.
 *
 * @example
 * ```ts
 * const request: RecordedRequest = { method: "POST", path: "https://api.example.com/v1/chat?key=x", body: { q: 1 } }
 * ```
 * @since 0.1.0
 */
export interface RecordedRequest {
  readonly method: string
  /** A path or a whole URL (the host is dropped). */
  readonly path: string
  readonly body: unknown
}

/**
 * The recording seam: `through` records a live call or answers it from the recording.
 *
 * @example
 * ```ts
 * const reply = yield* recording.through({ method: "POST", path: "/v1/answer", body }, live)
 * ```
 * @since 0.1.0
 */
export interface RecordingApi {
  readonly mode: "record" | "replay"
  /** Record: run `live` and keep what it returns (JSON data). Replay: the kept value, or a {@link ReplayMiss}. */
  readonly through: <E, R>(request: RecordedRequest, live: Effect.Effect<unknown, E, R>) => Effect.Effect<unknown, E | ReplayMiss, R>
  /** Fails with the first miss of a replay (never completes otherwise). */
  readonly missed: Deferred.Deferred<never, ReplayMiss>
}

/** Body fields that change from call to call without changing the answer. */
const VOLATILE = new Set(["user", "request_id", "requestId", "timestamp", "nonce", "stream_options"])
/** Field and query-parameter names whose values are credentials. */
const SECRET_NAME = /^(api[_-]?key|key|token|access[_-]?token|secret|password|authorization)$/i
const MASK = "[redacted]"

const scrub = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(scrub)
  if (value === null || typeof value !== "object") return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    if (VOLATILE.has(key)) continue
    out[key] = SECRET_NAME.test(key) ? MASK : scrub(inner)
  }
  return out
}

/**
 * The path of a URL without host, credentials or secret-looking query parameters (a path is kept as is).
 *
 * @example
 * ```ts
 * routeOf("http://127.0.0.1:8080/v1/chat/completions?api_key=sk-1&x=2") // "/v1/chat/completions?x=2"
 * ```
 * @since 0.1.0
 */
export const routeOf = (url: string): string => {
  const parsed = URL.canParse(url) ? new URL(url) : URL.canParse(url, "http://x") ? new URL(url, "http://x") : undefined
  if (parsed === undefined) return url
  for (const name of [...parsed.searchParams.keys()]) if (SECRET_NAME.test(name)) parsed.searchParams.delete(name)
  parsed.searchParams.sort()
  return parsed.pathname.replace(/\/{2,}/g, "/") + parsed.search
}

/**
 * The canonical form of a request (see the module doc), as recorded.
 *
 * @example
 * ```ts
 * canonicalRequest({ method: "post", path: "http://h/v1/x", body: { b: 1, a: 2, user: "u" } })
 * // { method: "POST", path: "/v1/x", body: { a: 2, b: 1 } }
 * ```
 * @since 0.1.0
 */
export const canonicalRequest = (request: RecordedRequest, at: Repetition = { repetition: 0, epoch: 0 }): Record<string, unknown> => ({
  method: request.method.toUpperCase(),
  path: routeOf(request.path),
  body: scrub(request.body),
  ...(at.repetition === 0 ? {} : { repetition: at.repetition }),
  ...(at.epoch === 0 ? {} : { epoch: at.epoch })
})

/**
 * Which sample a call belongs to: the measurement's repetition (`repeat`) and the task's (epochs); zeros are
 * left out of the key.
 *
 * @example
 * ```ts
 * const at: Repetition = { repetition: 1, epoch: 0 }
 * ```
 * @since 0.1.0
 */
export interface Repetition {
  readonly repetition: number
  readonly epoch: number
}

const repetitionNow = Effect.zipWith(FiberRef.get(currentRepetition), FiberRef.get(CurrentCase), (repetition, current): Repetition => ({
  repetition,
  epoch: Option.match(current, { onNone: () => 0, onSome: (c) => c.repetition })
}))

const whereNow = Effect.map(FiberRef.get(CurrentCase), Option.match({ onNone: () => "outside any case", onSome: (c) => `case ${describeCase(c)}` }))

const Line = Schema.parseJson(Schema.Struct({ request: Schema.Unknown, response: Schema.Unknown }))
const decodeLine = Schema.decodeUnknownEither(Line)

/** Mask each secret's value (as it appears inside a JSON string) in a written line. */
const maskSecrets = (secrets: ReadonlyArray<Redacted.Redacted>) => {
  const values = secrets.map((s) => JSON.stringify(String(Redacted.value(s))).slice(1, -1)).filter((v) => v.length >= 4)
  return (line: string) => values.reduce((out, value) => out.replaceAll(value, MASK), line)
}

/**
 * Record every call into `file`, written (sorted, secrets masked) when the layer's scope closes — also after
 * a failed or interrupted run, so what was made is kept.
 *
 * @example
 * ```ts
 * Recording.record("calls.jsonl", { secrets: [apiKey] })
 * ```
 */
const recordLayer = (
  file: string,
  options: {
    readonly secrets?: ReadonlyArray<Redacted.Redacted> | undefined
    /** Keep the calls the file already holds (a resumed run adds to its recording). */
    readonly keep?: boolean | undefined
  } = {}
): Layer.Layer<Recording, never, FileSystem.FileSystem> =>
  Layer.scoped(Recording, Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const kept = new Map<string, string>()
    if (options.keep === true && (yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false)))) {
      const earlier = yield* readRecording(file).pipe(Effect.orElseSucceed(() => new Map<string, unknown>()))
      for (const [id, response] of earlier) kept.set(id, `{"request":${id},"response":${canonicalJson(response)}}`)
    }
    const mask = maskSecrets(options.secrets ?? [])
    const write = Effect.suspend(() => {
      const lines = [...kept.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, line]) => mask(line))
      const tmp = `${file}.tmp`
      return fs.writeFileString(tmp, lines.map((l) => `${l}\n`).join("")).pipe(Effect.zipRight(fs.rename(tmp, file)))
    })
    yield* Effect.addFinalizer(() => write.pipe(Effect.catchAll((e) => Effect.logError(`could not write the recording ${file}: ${e.message}`))))
    const missed = yield* Deferred.make<never, ReplayMiss>()
    const through: RecordingApi["through"] = (request, live) =>
      Effect.flatMap(repetitionNow, (repetition) =>
        Effect.tap(live, (response) =>
          Effect.sync(() => {
            const key = canonicalRequest(request, repetition)
            const id = canonicalJson(key)
            if (!kept.has(id)) kept.set(id, canonicalJson({ request: key, response }))
          })))
    return { mode: "record", through, missed } as const
  }))

/** Read a recording: entries by canonical request; a bad line fails naming the file and line. */
const readRecording = (file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError((e) => new RecordingFileError({ message: `--replay ${file}: cannot read the recording (${e.message})` }))
    )
    const entries = new Map<string, unknown>()
    const lines = text.split("\n")
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.trim() === "") continue
      const entry = decodeLine(lines[i])
      if (Either.isLeft(entry)) {
        return yield* new RecordingFileError({ message: `${file}:${i + 1}: not a recorded call (expected {"request": …, "response": …})` })
      }
      entries.set(canonicalJson(entry.right.request), entry.right.response)
    }
    return entries
  })

/**
 * Answer every call from `file`; a call it does not hold is a {@link ReplayMiss}.
 *
 * @example
 * ```ts
 * Recording.replay("calls.jsonl")
 * ```
 */
const replayLayer = (file: string): Layer.Layer<Recording, RecordingFileError, FileSystem.FileSystem> =>
  Layer.effect(Recording, Effect.gen(function*() {
    const entries = yield* readRecording(file)
    const missed = yield* Deferred.make<never, ReplayMiss>()
    const through: RecordingApi["through"] = (request) =>
      Effect.flatMap(repetitionNow, (repetition) => {
        const key = canonicalRequest(request, repetition)
        const id = canonicalJson(key)
        if (entries.has(id)) return Effect.succeed(entries.get(id))
        return Effect.flatMap(whereNow, (where) => {
          const miss = new ReplayMiss({
            message: `replay: ${where} made a call the recording ${file} does not hold (${key.method} ${key.path}); record it again with --record`
          })
          return Effect.zipRight(Deferred.fail(missed, miss), Effect.fail(miss))
        })
      })
    return { mode: "replay", through, missed } as const
  }))

/**
 * The recording service (see the module doc): {@link Recording.record} or {@link Recording.replay}. When it is
 * not provided, calls go to the network as usual.
 *
 * @example
 * ```ts
 * const recording = yield* Effect.serviceOption(Recording)
 * ```
 * @since 0.1.0
 */
export class Recording extends Context.Tag("assay/judge/Recording")<Recording, RecordingApi>() {
  /** Record every call into a file (written when the layer's scope closes). */
  static readonly record = recordLayer
  /** Answer every call from a file, with no network. */
  static readonly replay = replayLayer
}
