/**
 * The run store: a run is recorded when it starts, every finished case result is written through as it
 * finishes (group commit; durable when the sink returns), and the final status is marked at the end. Runs can
 * be listed, read back as a core `RunResult`, or streamed (compare two with `compareStreams`).
 *
 * @example
 * ```ts
 * const runs = yield* RunStore
 * const run = yield* runs.start({ datasetFingerprint: ds.fingerprint, metricsFingerprint: mf })
 * const result = yield* evaluate(cases, metrics, { runId: run.runId, onResults: runs.sinkMany(run.runId) })
 * yield* runs.finish(run.runId, result.status)
 * ```
 */
import { CaseResult, type RunOutcome, type RunResult, SinkError, SummaryAccumulator } from "@assay/core"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Option, type ParseResult, Schema, Stream } from "effect"
import { randomUUID } from "node:crypto"
import { makeBatchWriter } from "./batch-writer.js"
import { Database } from "./database.js"
import { classify } from "./classify.js"
import { RunNotFound, StoreError } from "./errors.js"
import { orderedResults } from "./run-read.js"
import { type RunInfo, RunRow, type RunSpec, type RunStatus, rowToInfo } from "./run-info.js"
import { appendResults, finishedCases, storedIndices, storedResults } from "./run-sql.js"
import { scrubSecrets } from "./secrets.js"

/** Results of one run waiting for the writer's next commit (one `sinkMany` call). */
interface Pending {
  readonly runId: string
  readonly results: ReadonlyArray<CaseResult>
}

/** Results per stored batch at most (a commit of more is split). */
const BATCH_RESULTS = 2000

const decodeLegacy = Schema.decodeUnknown(Schema.Array(Schema.parseJson(CaseResult)))
const isCaseResult = Schema.is(CaseResult)
const decodeBatched = Schema.decodeUnknown(Schema.Array(CaseResult))
/**
 * Stored results, validated. A CaseResult's schema has no transformations, so well-formed JSON values are
 * checked in place (`Schema.is`: no copy; `runs show` of 100k cases spent ~0.5 s and much of its GC copying
 * them); only when one is malformed does the decoder run, for its error message. Unlike the decoder, the check
 * keeps fields beyond the schema (this version writes none); asking it to reject them made `runs show` slower
 * than decoding (user CPU 5.7–7.7 s against 4.2–5.7 s).
 */
const validate = (values: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<CaseResult>, ParseResult.ParseError> =>
  values.every(isCaseResult) ? Effect.succeed(values as ReadonlyArray<CaseResult>) : decodeBatched(values)
const decodeRun = Schema.decodeUnknown(RunRow)

const RESULT_STATUS: Record<RunStatus, RunResult["status"]> = {
  running: "cancelled",
  completed: "completed",
  deadline: "deadline",
  budget: "budget",
  cancelled: "cancelled",
  failed: "cancelled"
}

/**
 * The run store service; see the module doc.
 *
 * @example
 * ```ts
 * const result = yield* Effect.flatMap(RunStore, (runs) => runs.show(runId))
 * ```
 */
export class RunStore extends Effect.Service<RunStore>()("assay/store/RunStore", {
  scoped: Effect.gen(function*() {
    const db = yield* Database
    const { sql } = db
    const corrupt = (e: ParseResult.ParseError) =>
      new StoreError({ path: db.path, reason: "corrupt", detail: `a stored run does not decode: ${e.message}` })

    const writer = yield* makeBatchWriter((pending: ReadonlyArray<Pending>) => {
      const byRun = new Map<string, Array<CaseResult>>()
      for (const { results, runId } of pending) {
        const known = byRun.get(runId)
        if (known === undefined) byRun.set(runId, [...results])
        else for (const result of results) known.push(result)
      }
      const appends = Effect.forEach(byRun, ([runId, results]) =>
        Effect.forEach(chunks(results, BATCH_RESULTS), (chunk) => appendResults(runId, chunk), { discard: true }), { discard: true })
      return db.refine(sql.withTransaction(db.provided(appends)))
    })

    /** Record a new run with status "running". */
    const start = (spec: RunSpec): Effect.Effect<RunInfo, StoreError> =>
      Effect.gen(function*() {
        const runId = spec.runId ?? randomUUID()
        const now = yield* Clock.currentTimeMillis
        const json = (v: unknown) => JSON.stringify(scrubSecrets(v ?? {}))
        yield* db.refine(sql`INSERT INTO runs ${
          sql.insert({
            run_id: runId,
            identifier: spec.identifier ?? null,
            status: "running",
            started_at: now,
            finished_at: null,
            case_count: spec.caseCount ?? null,
            options: json(spec.options),
            hyperparameters: json(spec.hyperparameters),
            settings: json(spec.settings),
            dataset_fingerprint: spec.datasetFingerprint,
            metrics_fingerprint: spec.metricsFingerprint
          })
        }`)
        return yield* get(runId).pipe(Effect.catchTag("RunNotFound", (e) => Effect.die(e)))
      })

    /** A stored run. */
    const get = (runId: string): Effect.Effect<RunInfo, RunNotFound | StoreError> =>
      db.refine(sql`SELECT r.*, ${finishedCases(sql)} AS finished_cases FROM runs r WHERE r.run_id = ${runId}`).pipe(
        Effect.flatMap((rows): Effect.Effect<RunInfo, RunNotFound | StoreError> =>
          rows.length === 0
            ? Effect.fail(new RunNotFound({ runId, path: db.path }))
            : Effect.map(Effect.mapError(decodeRun(rows[0]), corrupt), rowToInfo)
        )
      )

    /** Runs, newest first. */
    const list = (limit = 100): Effect.Effect<ReadonlyArray<RunInfo>, StoreError> =>
      db.refine(sql`SELECT r.*, ${finishedCases(sql)} AS finished_cases
        FROM runs r ORDER BY r.started_at DESC, r.run_id LIMIT ${limit}`).pipe(
        Effect.flatMap((rows) => Effect.forEach(rows, (row) => Effect.mapError(decodeRun(row), corrupt))),
        Effect.map((rows) => rows.map(rowToInfo))
      )

    /**
     * An `onResults` sink writing each batch of case results of `runId` through to the database, one
     * transaction per batch (or fewer: batches submitted meanwhile share a commit). Prefer it to {@link sink}.
     */
    const sinkMany = (runId: string) => (results: ReadonlyArray<CaseResult>): Effect.Effect<void, SinkError> =>
      writer.submit(results.length === 0 ? [] : [{ runId, results }]).pipe(
        Effect.mapError((e) => new SinkError({ sink: "run-store", message: e.message }))
      )

    /**
     * An `onResult` sink writing each case result of `runId` through to the database. A case waits for its
     * commit, so cases delivered one after another commit one by one: {@link sinkMany} is much faster.
     */
    const sink = (runId: string) => (result: CaseResult): Effect.Effect<void, SinkError> => sinkMany(runId)([result])

    /** Mark the final status (and the pass rate the run ended with, when known). */
    const finish = (runId: string, status: Exclude<RunStatus, "running">, passRate: number | null = null): Effect.Effect<void, StoreError> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        db.refine(sql`UPDATE runs SET status = ${status}, finished_at = ${now}, pass_rate = ${passRate} WHERE run_id = ${runId}`))

    /** Mark a run running again (it is being resumed). */
    const reopen = (runId: string): Effect.Effect<void, StoreError> =>
      db.refine(sql`UPDATE runs SET status = 'running', finished_at = NULL WHERE run_id = ${runId}`)

    /** The stored case results of a run, in input order (a case stored twice: its latest result). */
    const results = (runId: string): Effect.Effect<ReadonlyArray<CaseResult>, StoreError> =>
      Effect.gen(function*() {
        const { batched, legacy } = yield* db.refine(db.provided(storedResults(runId)))
        const decoded = [...yield* decodeLegacy(legacy), ...yield* validate(batched)]
        const byIndex = new Map<number, CaseResult>()
        for (const result of decoded) byIndex.set(result.index, result)
        return [...byIndex.values()].sort((a, b) => a.index - b.index)
      }).pipe(Effect.catchTag("ParseError", (e) => Effect.fail(corrupt(e))))

    /** The indices of the cases a run has finished. */
    const finishedIndices = (runId: string): Effect.Effect<ReadonlySet<number>, StoreError> =>
      db.refine(db.provided(storedIndices(runId)))

    /** A run read back as a RunResult (summary recomputed; cases the run did not finish listed as unfinished). */
    const show = (runId: string): Effect.Effect<RunResult, RunNotFound | StoreError> =>
      Effect.gen(function*() {
        const info = yield* get(runId)
        const cases = yield* results(runId)
        const acc = SummaryAccumulator.empty()
        const done = new Set<number>()
        for (const c of cases) {
          acc.add(c)
          done.add(c.index)
        }
        const unfinished = []
        for (let i = 0; i < (info.caseCount ?? 0); i++) if (!done.has(i)) unfinished.push({ index: i, name: null })
        const durationMs = info.finishedAt === null ? 0 : info.finishedAt - info.startedAt
        return {
          runId: info.runId,
          identifier: info.identifier,
          status: RESULT_STATUS[info.status],
          summary: acc.summary(durationMs),
          cases,
          unfinished
        }
      })

    /**
     * The stored case results of a run in input order, streamed a few batches at a time (`run-read.ts`):
     * memory independent of the run's size.
     */
    const stream = (runId: string): Stream.Stream<CaseResult, StoreError> =>
      orderedResults(runId, validate).pipe(
        Stream.provideService(SqlClient.SqlClient, sql),
        Stream.mapError((e) => (e._tag === "ParseError" ? corrupt(e) : classify(db.path, e)))
      )

    /**
     * A stored run's outcome — status, summary recomputed in one streamed pass over its results, unfinished
     * cases — without holding its results.
     */
    const outline = (runId: string): Effect.Effect<RunOutcome, RunNotFound | StoreError> =>
      Effect.gen(function*() {
        const info = yield* get(runId)
        const acc = SummaryAccumulator.empty()
        const done = new Uint8Array(info.caseCount ?? 0)
        yield* Stream.runForEachChunk(stream(runId), (chunk) =>
          Effect.sync(() => {
            for (const c of chunk) {
              acc.add(c)
              if (c.index < done.length) done[c.index] = 1
            }
          }))
        const unfinished = []
        for (let i = 0; i < done.length; i++) if (done[i] === 0) unfinished.push({ index: i, name: null })
        const durationMs = info.finishedAt === null ? 0 : info.finishedAt - info.startedAt
        return { runId: info.runId, identifier: info.identifier, status: RESULT_STATUS[info.status], summary: acc.summary(durationMs), unfinished }
      })

    /** The stored run, if any. */
    const find = (runId: string): Effect.Effect<Option.Option<RunInfo>, StoreError> =>
      get(runId).pipe(Effect.asSome, Effect.catchTag("RunNotFound", () => Effect.succeedNone))

    return { start, get, find, list, sink, sinkMany, finish, reopen, results, finishedIndices, show, stream, outline } as const
  })
}) {}

/** Split a list into chunks of at most `size` (bounded statement size). */
const chunks = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
