/**
 * The run viewer's index (migration v7): a row per case and per case × metric, derived from a run's stored
 * batches, so the viewer pages, filters, sorts and searches a 100k-case run in SQL instead of decoding it.
 *
 * The index is brought up to date on demand, a few batches per transaction: every batch of the run not yet
 * listed in `view_batches` is decoded, its rows upserted, and the batch listed — so a run still being written
 * (or resumed) gains rows as its batches arrive, and batches that commit out of sequence order (Postgres) are
 * still picked up. A case stored twice keeps the row of its latest batch (the upsert only replaces a row
 * with one from a later or the same batch). Results stored by versions before batches (`run_cases`) are
 * indexed once, as batch 0.
 *
 * @example
 * ```ts
 * yield* indexRun("20261123-214501-k3f9") // SqlClient required
 * ```
 */
import { type CaseResult, contentText, type MetricResult } from "@assay/core"
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"
import { batchEntries } from "./batch-codec.js"
import type { CaseStatus } from "./view-schema.js"

/** Batches decoded per transaction: bounds memory (a batch holds up to 2,000 results). */
const BATCHES_PER_STEP = 1
/** Characters of input and actual output kept for the case table. */
const PREVIEW = 240
/** Characters of name, input, actual and expected output searched (each). */
const SEARCHED = 2000
/** Rows per INSERT statement (SQLite binds at most 32,766 values). */
const ROWS_PER_INSERT = 400

/**
 * The status of a case result.
 *
 * @example
 * ```ts
 * caseStatus(result) // "failed"
 * ```
 */
export const caseStatus = (c: Pick<CaseResult, "skipped" | "errored" | "success">): CaseStatus =>
  c.skipped ? "skipped" : c.errored ? "errored" : c.success ? "passed" : "failed"

const metricOutcome = (m: MetricResult): CaseStatus =>
  m.skipped ? "skipped" : m.error !== null ? "errored" : m.success ? "passed" : "failed"

/** The case's input and outputs as text; a conversation shows as `role: text` lines. */
const texts = (c: CaseResult) => {
  const t = c.testCase
  if (t === undefined) return { input: "", actual: null, expected: "" }
  if (t.turns !== undefined) {
    return { input: t.turns.map((turn) => `${turn.role}: ${contentText(turn.content)}`).join("\n"), actual: null, expected: t.expectedOutcome ?? "" }
  }
  return { input: contentText(t.input), actual: t.actualOutput === undefined ? null : contentText(t.actualOutput), expected: contentText(t.expectedOutput) }
}

const bucketOf = (score: number | null): number | null => score === null ? null : Math.min(9, Math.max(0, Math.floor(score * 10)))

/** The index rows of one result. */
const rowsOf = (runId: string, seq: number, c: CaseResult) => {
  const { actual, expected, input } = texts(c)
  const search = [c.name ?? "", input, actual ?? "", expected].map((s) => s.slice(0, SEARCHED)).join("\n").toLowerCase()
  const kase = {
    run_id: runId,
    case_index: c.index,
    batch_seq: seq,
    name: c.name,
    status: caseStatus(c),
    input: input.slice(0, PREVIEW),
    actual: actual === null ? null : actual.slice(0, PREVIEW),
    search,
    cost: c.cost,
    duration_ms: c.durationMs
  }
  const metrics = c.metrics.map((m) => ({
    run_id: runId,
    case_index: c.index,
    metric: m.name,
    batch_seq: seq,
    score: m.score,
    outcome: metricOutcome(m),
    bucket: bucketOf(m.score)
  }))
  return { kase, metrics }
}

/** Upsert the rows of some results of one batch (a later batch's row wins). */
const writeRows = (runId: string, seq: number, results: ReadonlyArray<CaseResult>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const cases = []
    const metrics = []
    for (const c of results) {
      const rows = rowsOf(runId, seq, c)
      cases.push(rows.kase)
      for (const m of rows.metrics) metrics.push(m)
    }
    for (let i = 0; i < cases.length; i += ROWS_PER_INSERT) {
      yield* sql`INSERT INTO view_cases ${sql.insert(cases.slice(i, i + ROWS_PER_INSERT))}
        ON CONFLICT (run_id, case_index) DO UPDATE SET batch_seq = excluded.batch_seq, name = excluded.name,
          status = excluded.status, input = excluded.input, actual = excluded.actual, search = excluded.search,
          cost = excluded.cost, duration_ms = excluded.duration_ms
        WHERE excluded.batch_seq >= view_cases.batch_seq`
    }
    for (let i = 0; i < metrics.length; i += ROWS_PER_INSERT) {
      yield* sql`INSERT INTO view_case_metrics ${sql.insert(metrics.slice(i, i + ROWS_PER_INSERT))}
        ON CONFLICT (run_id, case_index, metric) DO UPDATE SET batch_seq = excluded.batch_seq, score = excluded.score,
          outcome = excluded.outcome, bucket = excluded.bucket
        WHERE excluded.batch_seq >= view_case_metrics.batch_seq`
    }
    yield* sql`INSERT INTO view_batches ${sql.insert({ run_id: runId, seq })} ON CONFLICT (run_id, seq) DO NOTHING`
  })

/**
 * Bring the view index of `runId` up to date; see the module doc. `check` validates each batch's decoded
 * values (the run store's validation).
 *
 * @example
 * ```ts
 * yield* indexRun(runId, (values) => Effect.succeed(values as ReadonlyArray<CaseResult>))
 * ```
 */
export const indexRun = <E>(
  runId: string,
  check: (values: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<CaseResult>, E>
): Effect.Effect<void, E | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const legacyDone = yield* sql`SELECT 1 FROM view_batches WHERE run_id = ${runId} AND seq = 0`
    if (legacyDone.length === 0) {
      const legacy = yield* sql<{ readonly result: string }>`SELECT result FROM run_cases WHERE run_id = ${runId} ORDER BY case_index`
      const results = yield* check(legacy.map((row) => JSON.parse(row.result) as unknown))
      yield* sql.withTransaction(writeRows(runId, 0, results))
    }
    while (true) {
      const rows = yield* sql<{ readonly seq: number; readonly batch: string | Uint8Array }>`SELECT b.seq, b.batch FROM run_batches b
        WHERE b.run_id = ${runId} AND NOT EXISTS (SELECT 1 FROM view_batches v WHERE v.run_id = b.run_id AND v.seq = b.seq)
        ORDER BY b.seq LIMIT ${BATCHES_PER_STEP}`
      if (rows.length === 0) return
      yield* sql.withTransaction(Effect.forEach(rows, (row) =>
        Effect.flatMap(Effect.flatMap(batchEntries<unknown>(row, "run_batches"), check), (results) => writeRows(runId, Number(row.seq), results)), { discard: true }))
    }
  })
