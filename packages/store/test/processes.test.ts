/**
 * Real processes on one database file: a child SIGKILLed mid-run and then resumed, and two children writing
 * concurrently. The children import the built dist (`npx tsc -b` first).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { evaluate, type RunResult } from "@assay/core"
import { Database, datasetFingerprint, Maintenance, metricsFingerprint, resumeRun, RunStore, SqliteStore } from "@assay/store"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { makeCases, makeMetrics } from "./fixtures/dataset.mjs"
import { tempDb } from "./helpers.js"

const fixture = fileURLToPath(new URL("./fixtures/run-child.mjs", import.meta.url))
const built = fileURLToPath(new URL("../dist/index.js", import.meta.url))

/** A child running the fixture; SIGKILLed when the scope closes if still alive. */
const child = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.suspend(() =>
      existsSync(built)
        ? Effect.sync(() => spawn(process.execPath, [fixture, ...args], { stdio: ["ignore", "pipe", "pipe"] }))
        : Effect.dieMessage(`build @assay/store first (npx tsc -b): ${built} is missing`)
    ),
    (proc) => Effect.sync(() => void (proc.exitCode === null && proc.signalCode === null && proc.kill("SIGKILL")))
  )

/** Resolves after the child printed `n` "done" lines; fails if it exits first. */
const awaitDone = (proc: ChildProcess, n: number) =>
  Effect.async<void, Error>((resume) => {
    let seen = 0
    let stderr = ""
    const onData = (data: Buffer) => {
      seen += data.toString().split("\n").filter((l) => l.startsWith("done ")).length
      if (seen >= n) resume(Effect.void)
    }
    const onErr = (data: Buffer) => void (stderr += data.toString())
    const onExit = (code: number | null) => resume(Effect.fail(new Error(`child exited (${code}) after ${seen} results: ${stderr}`)))
    proc.stdout!.on("data", onData)
    proc.stderr!.on("data", onErr)
    proc.once("exit", onExit)
    return Effect.sync(() => {
      proc.stdout!.off("data", onData)
      proc.stderr!.off("data", onErr)
      proc.off("exit", onExit)
    })
  })

/** The child's exit code (null when killed by a signal). */
const awaitExit = (proc: ChildProcess) =>
  Effect.async<number | null>((resume) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resume(Effect.succeed(proc.exitCode))
    else proc.once("exit", (code) => resume(Effect.succeed(code)))
  })

const comparable = (r: RunResult) =>
  r.cases.map((c) => ({ ...c, durationMs: 0, metrics: c.metrics.map((m) => ({ ...m, durationMs: 0, cached: false })) }))

describe("processes sharing a database file", () => {
  it.scopedLive("a run SIGKILLed mid-way resumes to the result of an uninterrupted run", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      const cases = makeCases(120)
      const metrics = makeMetrics()
      const proc = yield* child([path, "killed-run", "120"])
      yield* awaitDone(proc, 30)
      proc.kill("SIGKILL")
      assert.isNull(yield* awaitExit(proc), "killed by the signal, not finished")

      const context = yield* Layer.build(SqliteStore.layer({ path }))
      const ds = yield* datasetFingerprint(cases)
      const handle = yield* Effect.provide(
        resumeRun("killed-run", { datasetFingerprint: ds.fingerprint, metricsFingerprint: metricsFingerprint(metrics) }),
        context
      )
      assert.isAtLeast(handle.finished.size, 30, "every result the child reported is stored")
      assert.isBelow(handle.finished.size, 120, "the child was killed before the end")
      const resumedIndices: Array<number> = []
      const final = yield* handle.track(evaluate(cases, metrics, {
        concurrency: 4,
        skipIndex: handle.skipIndex,
        onResult: (r) => Effect.zipRight(Effect.sync(() => resumedIndices.push(r.index)), handle.onResult(r))
      })).pipe(Effect.provide(context))
      assert.strictEqual(resumedIndices.length + handle.finished.size, 120)
      assert.isTrue(resumedIndices.every((i) => !handle.finished.has(i)), "nothing measured twice")

      const reference = yield* evaluate(cases, metrics, { concurrency: 4 })
      assert.deepStrictEqual(final.cases.map((c) => c.index), Array.from({ length: 120 }, (_, i) => i), "0 lost, 0 duplicated")
      assert.deepStrictEqual(comparable(final), comparable(reference))
      assert.deepStrictEqual({ ...final.summary, durationMs: 0 }, { ...reference.summary, durationMs: 0 })
      const info = yield* Effect.provide(Effect.flatMap(RunStore, (s) => s.get("killed-run")), context)
      assert.strictEqual(info.status, "completed")
      assert.strictEqual(info.finishedCases, 120)
    }), 60_000)

  it.scopedLive("two processes writing one file concurrently leave it intact and complete", () =>
    Effect.gen(function*() {
      const path = yield* tempDb
      // Create the schema first so both children start on an existing database.
      yield* Effect.scoped(Layer.build(SqliteStore.layer({ path })))
      const a = yield* child([path, "run-a", "400", "0"])
      const b = yield* child([path, "run-b", "400", "200"])
      const [codeA, codeB] = yield* Effect.all([awaitExit(a), awaitExit(b)], { concurrency: 2 })
      assert.deepStrictEqual([codeA, codeB], [0, 0])

      const context = yield* Layer.build(SqliteStore.layer({ path }))
      const { sql } = yield* Effect.provide(Database, context)
      assert.deepStrictEqual(yield* sql`PRAGMA integrity_check`, [{ integrity_check: "ok" }])
      const stats = yield* Effect.provide(Effect.flatMap(Maintenance, (m) => m.stats), context)
      assert.strictEqual(stats.cacheRows, 600 * 2, "cases 0–599 × 2 metrics, the overlap stored once")
      assert.strictEqual(stats.runs, 2)
      assert.strictEqual(stats.caseResults, 800)
      const runs = yield* Effect.provide(Effect.flatMap(RunStore, (s) => s.list()), context)
      assert.deepStrictEqual(runs.map((r) => [r.status, r.finishedCases]), [["completed", 400], ["completed", 400]])
    }), 60_000)
})
