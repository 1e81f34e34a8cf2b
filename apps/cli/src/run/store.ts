/**
 * The database behind a command — run store, evaluation cache and cache maintenance: the SQLite file at the
 * path the command resolved (`--cache`, the config file, or `.assay/assay.db`), or, when `ASSAY_DATABASE_URL`
 * is set (a secret, read with `Config.redacted`), that Postgres database, shared by everyone who points at it.
 * The path is only known once the flags are parsed (and, for `assay run`, the config file read), so it is a
 * layer per command — `Command.provide` where the flags alone name it — and `MainLive` holds everything else.
 *
 * @example
 * ```ts
 * import { withRunStore } from "./store.js"
 * withRunStore("/project/.assay/assay.db", execute(execution))
 * ```
 */
import { SinkError } from "@assay/core"
import { Database, Maintenance, ProviderBatches, RunLease, RunStore, type RunInfo as StoreRunInfo, type StoreError } from "@assay/store"
import { FileSystem, Path } from "@effect/platform"
import { Clock, Config, Console, Deferred, Effect, Either, Layer, Option, Random, Schema, Stream } from "effect"
import { RunFailed, UsageError } from "../errors.js"
import { makeDirectories } from "../report/directories.js"
import { RunPlan } from "./plan.js"
import { type Fingerprints, type RunInfo, RunLog } from "./run-log.js"

const decodePlan = Schema.decodeUnknownEither(RunPlan)
const encodePlan = Schema.encodeSync(RunPlan)

const failed = (error: { readonly message: string }) => new RunFailed({ message: error.message })

const toInfo = (run: StoreRunInfo): Either.Either<RunInfo, RunFailed> =>
  Either.map(
    Either.mapLeft(decodePlan(run.settings.plan), () => new RunFailed({ message: `run ${run.runId} was not recorded by the assay CLI (no run plan)` })),
    (plan) => ({ runId: run.runId, plan, status: run.status, startedAt: run.startedAt, caseCount: run.caseCount, finishedCases: run.finishedCases, passRate: run.passRate })
  )

/**
 * A readable run id: UTC timestamp plus a random suffix, e.g. `20261123-214501-k3f9`.
 *
 * @example
 * ```ts
 * const id = yield* newRunId // "20261123-214501-k3f9"
 * ```
 */
export const newRunId: Effect.Effect<string> = Effect.gen(function*() {
  const now = new Date(yield* Clock.currentTimeMillis)
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)
  const suffix = (yield* Random.nextIntBetween(0, 36 ** 4)).toString(36).padStart(4, "0")
  return `${stamp}-${suffix}`
})

/** The RunLog over @assay/store's RunStore. */
const runLogLayer = Layer.effect(
  RunLog,
  Effect.gen(function*() {
    const store = yield* RunStore
    const leases = yield* RunLease
    const resolveId = (runId: string) =>
      runId === "latest"
        ? Effect.flatMap(Effect.mapError(store.list(1), failed), (runs) =>
          runs[0] === undefined ? Effect.fail(new UsageError({ message: "no runs yet" })) : Effect.succeed(runs[0].runId))
        : Effect.succeed(runId)
    const get = (runId: string) =>
      store.get(runId).pipe(
        Effect.catchTags({ RunNotFound: (e) => Effect.fail(new UsageError({ message: e.message })), StoreError: (e) => Effect.fail(failed(e)) })
      )
    return RunLog.of({
      start: (plan, fp: Fingerprints) =>
        Effect.flatMap(newRunId, (runId) => store.start({
          runId,
          ...(plan.identifier !== null ? { identifier: plan.identifier } : {}),
          options: { concurrency: plan.concurrency, timeoutMs: plan.timeoutMs, repeat: plan.repeat, reducer: plan.reducer },
          hyperparameters: plan.hyperparameters,
          settings: { plan: encodePlan(plan) },
          datasetFingerprint: fp.dataset,
          metricsFingerprint: fp.metrics,
          caseCount: fp.caseCount
        })).pipe(Effect.map((run) => run.runId), Effect.mapError(failed)),
      reopen: (runId, fp) =>
        Effect.gen(function*() {
          const run = yield* get(runId)
          if (run.datasetFingerprint !== fp.dataset) {
            return yield* new UsageError({ message: `cannot resume run ${runId}: the dataset changed since it started; start a new run instead` })
          }
          if (run.metricsFingerprint !== fp.metrics) {
            return yield* new UsageError({ message: `cannot resume run ${runId}: the metric configuration changed since it started; start a new run instead` })
          }
          yield* Effect.mapError(store.reopen(runId), failed)
        }),
      lease: (runId) =>
        leases.acquire(runId).pipe(
          Effect.catchTags({ RunLeased: (e) => Effect.fail(new UsageError({ message: e.message })), StoreError: (e) => Effect.fail(failed(e)) }),
          Effect.map(({ lost }) =>
            Effect.flatMap(Deferred.poll(lost), Option.match({
              onNone: () => Effect.void,
              onSome: (taker) =>
                Effect.flatMap(taker, (by) =>
                  new SinkError({ sink: "run-store", message: `run ${runId} was taken over by pid ${by.pid} on host ${by.host} (this process missed its heartbeats); stopping` }))
            })))
        ),
      record: (runId, results) => store.sinkMany(runId)(results),
      finish: (runId, status, passRate) => Effect.mapError(store.finish(runId, status, passRate ?? null), failed),
      info: (runId) => Effect.flatMap(resolveId(runId), (id) => Effect.flatMap(get(id), toInfo)),
      outline: (runId) =>
        Effect.gen(function*() {
          const id = yield* resolveId(runId)
          const info = yield* Effect.flatMap(get(id), toInfo)
          const outcome = yield* store.outline(id).pipe(Effect.mapError((e) => e._tag === "RunNotFound" ? new UsageError({ message: e.message }) : failed(e)))
          return { info, outcome }
        }),
      results: (runId) => Stream.mapError(store.stream(runId), failed),
      resultJson: (runId) => Stream.mapError(store.streamJson(runId), failed),
      datasetCheck: (key) => Effect.mapError(store.datasetCheck(key), failed),
      rememberDatasetCheck: (key, found) => Effect.mapError(store.rememberDatasetCheck(key, found), failed),
      load: (runId) =>
        Effect.gen(function*() {
          const id = yield* resolveId(runId)
          const info = yield* Effect.flatMap(get(id), toInfo)
          const result = yield* store.show(id).pipe(Effect.mapError((e) => e._tag === "RunNotFound" ? new UsageError({ message: e.message }) : failed(e)))
          return { info, result }
        }),
      reusable: (key) => Effect.mapError(store.findReusable(key), failed),
      markReusable: (runId, key) => Effect.mapError(store.markReusable(runId, key), failed),
      forgetReusable: Effect.mapError(store.forgetReusable, failed),
      list: store.list(100).pipe(
        Effect.mapError(failed),
        Effect.map((runs) => runs.flatMap((run) => Either.getOrElse(Either.map(toInfo(run), (info) => [info]), () => [])))
      )
    })
  })
)

/**
 * Everything on a database: the run log, the raw run store and cache maintenance.
 *
 * @example
 * ```ts
 * Effect.provide(program, storeLayer(Database.layer({ path: ".assay/assay.db" })))
 * ```
 */
export const storeLayer = <E extends { readonly message: string }>(database: Layer.Layer<Database, E>) =>
  Layer.mergeAll(runLogLayer, Maintenance.Default, ProviderBatches.Default).pipe(
    Layer.provideMerge(Layer.mergeAll(RunStore.Default, RunLease.Default)),
    Layer.provideMerge(database),
    Layer.mapError(failed)
  )

/** `ASSAY_DATABASE_URL`: a Postgres database used instead of the SQLite file. */
const databaseUrl = Config.option(Config.redacted("ASSAY_DATABASE_URL"))

/**
 * The database services as a layer: Postgres when `ASSAY_DATABASE_URL` is set, else the SQLite file at
 * `dbPath` (its directory is created) — or, with `existing`, only a file that is already there: commands that
 * only read or trim a store say so instead of creating an empty one. With `fallback` (`assay run`), a location
 * that cannot be written (a read-only directory, a file where the directory should be) gives a private
 * in-memory database instead, with a warning: the run goes ahead uncached and unrecorded rather than failing.
 *
 * @example
 * ```ts
 * Command.provide(command, ({ cache }) => runStoreLayer(cache, { existing: true }))
 * ```
 */
export const runStoreLayer = (dbPath: string, options: { readonly existing?: boolean; readonly fallback?: boolean } = {}) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const url = yield* configuredUrl
    if (Option.isSome(url)) return storeLayer(Database.layerPg({ url: url.value }))
    const path = yield* Path.Path
    if (options.existing === true && !(yield* exists(dbPath))) {
      return yield* new UsageError({
        message: `no assay database at ${dbPath}: nothing has run with this cache yet (pass --cache <file>, or set ASSAY_DATABASE_URL)`
      })
    }
    const directory = yield* Effect.either(makeDirectories(path.dirname(dbPath)))
    if (Either.isLeft(directory) && options.fallback !== true) {
      return yield* new RunFailed({ message: `cannot create the directory of ${dbPath}: ${directory.left.message}` })
    }
    const database = Either.isLeft(directory)
      ? inMemory(`cannot create the directory of ${dbPath}: ${directory.left.message}`)
      : Database.layer({ path: dbPath }).pipe(Layer.catchAll((error) =>
        options.fallback === true && error.reason === "unwritable" ? inMemory(error.message) : Layer.fail(error)
      ))
    return storeLayer(database)
  }))

/** `ASSAY_DATABASE_URL`, a bad value being a usage error. */
const configuredUrl = Effect.mapError(databaseUrl, (e) => new UsageError({ message: `ASSAY_DATABASE_URL: ${e.message}` }))

/** Whether a file is at `file` (one that cannot be checked counts as absent). */
const exists = (file: string) => Effect.flatMap(FileSystem.FileSystem, (fs) => fs.exists(file).pipe(Effect.orElseSucceed(() => false)))

/**
 * Provide the database services ({@link runStoreLayer}) around a command body; with `ifMissing`, run that
 * instead when the SQLite file is not there (and no `ASSAY_DATABASE_URL` is set).
 *
 * @example
 * ```ts
 * withRunStore(".assay/assay.db", Effect.flatMap(RunLog, (log) => log.list), { existing: true })
 * ```
 */
export const withRunStore = <A, E, R>(
  dbPath: string,
  effect: Effect.Effect<A, E, R>,
  options: { readonly existing?: boolean; readonly ifMissing?: Effect.Effect<A>; readonly fallback?: boolean } = {}
) => {
  const { ifMissing } = options
  const provided = Effect.provide(effect, runStoreLayer(dbPath, options))
  if (options.existing !== true || ifMissing === undefined) return provided
  const missing = Effect.flatMap(configuredUrl, (url) => Option.isSome(url) ? Effect.succeed(false) : Effect.map(exists(dbPath), (found) => !found))
  return Effect.flatMap(missing, (isMissing) => isMissing ? ifMissing : provided)
}

/** A throw-away database standing in for one that cannot be written, announced by a warning on stderr. */
const inMemory = (why: string): Layer.Layer<Database, StoreError> =>
  Layer.unwrapEffect(Effect.as(
    Console.error(`warning: ${why}\nwarning: running without the cache; this run is not recorded and cannot be resumed`),
    Database.layer({ path: ":memory:" })
  ))
