/**
 * A report written in pieces (`openReport`) is put in place only when complete: interrupted or failed before
 * its commit, it leaves the previous file as it was and no temporary file.
 */
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openReport } from "../../apps/cli/src/report/atomic.js"

const freshDir = () => mkdtempSync(join(tmpdir(), "assay-atomic-"))

describe("openReport", () => {
  it.live("an interrupted report leaves the previous file and no temporary file", () =>
    Effect.gen(function*() {
      const dir = freshDir()
      const file = join(dir, "out.json")
      writeFileSync(file, "previous\n")
      const started = yield* Deferred.make<void>()
      const writer = yield* Effect.scoped(Effect.gen(function*() {
        const report = yield* openReport(file)
        yield* report.write("{\"cases\": [")
        yield* report.write("x".repeat(2 << 20)) // past the buffer: part of it is on disk already
        yield* Deferred.succeed(started, undefined)
        return yield* Effect.never
      })).pipe(Effect.fork)
      yield* Deferred.await(started)
      yield* Fiber.interrupt(writer)
      assert.strictEqual(readFileSync(file, "utf8"), "previous\n")
      assert.deepStrictEqual(readdirSync(dir), ["out.json"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a failure before the commit leaves no file; a commit puts the whole text in place", () =>
    Effect.gen(function*() {
      const dir = freshDir()
      const file = join(dir, "report.xml")
      const failed = yield* Effect.scoped(Effect.gen(function*() {
        const report = yield* openReport(file)
        yield* report.write("<testsuites>")
        return yield* Effect.fail("the run's results could not be read")
      })).pipe(Effect.flip)
      assert.strictEqual(failed, "the run's results could not be read")
      assert.isFalse(existsSync(file))
      assert.deepStrictEqual(readdirSync(dir), [])
      yield* Effect.scoped(Effect.gen(function*() {
        const report = yield* openReport(file)
        yield* report.write("<testsuites>")
        yield* report.write("</testsuites>\n")
        yield* report.commit
      }))
      assert.strictEqual(readFileSync(file, "utf8"), "<testsuites></testsuites>\n")
      assert.deepStrictEqual(readdirSync(dir), ["report.xml"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live.skipIf(!existsSync("/dev/full"))("a block that fails to write fails the report, however many blocks follow it", () =>
    Effect.gen(function*() {
      // /dev/full refuses every write (ENOSPC); blocks are written in the background while the next is gathered.
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const report = yield* openReport("/dev/full")
        for (let i = 0; i < 4; i++) yield* report.write([Buffer.alloc(1 << 20, 0x61)])
        yield* report.commit
      })).pipe(Effect.flip)
      assert.strictEqual(error._tag, "ReportError")
      assert.include(error.message, "cannot write /dev/full: ENOSPC")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a report written in many blocks holds every byte in order", () =>
    Effect.gen(function*() {
      const file = join(freshDir(), "big.jsonl")
      const lines = Array.from({ length: 60_000 }, (_, i) => `{"index":${i},"text":"${"é".repeat(i % 100)}"}\n`)
      yield* Effect.scoped(Effect.gen(function*() {
        const report = yield* openReport(file)
        for (const line of lines) yield* report.write(line)
        yield* report.commit
      }))
      assert.strictEqual(readFileSync(file, "utf8"), lines.join(""))
    }).pipe(Effect.provide(NodeContext.layer)))
})
