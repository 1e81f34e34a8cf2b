/**
 * Eval files end to end: `assay run` on `*.eval.ts` files (loaded through tsx, sharing effect and @assay/core
 * with the engine), folders and globs, TypeScript configs, error policies and load errors.
 */
import { RunResult } from "@assay/core"
import { Schema } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fakeLog, fixtureDir, requireBuild, ROOT, startFake } from "./harness.js"

beforeAll(requireBuild)

const FIXTURES = join(ROOT, "test/cli/fixtures/evals")
const readOut = (file: string) => Schema.decodeUnknownSync(RunResult)(JSON.parse(readFileSync(file, "utf8")))

describe("assay run <file.eval.ts>", () => {
  it("runs a task that needs a Layer-provided service, scored by a built-in and a service-backed custom metric", async () => {
    const dir = fixtureDir()
    const r = await assay(["run", join(FIXTURES, "capitals.eval.ts"), "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.code).toBe(1) // the Japan case expects Kyoto; the Atlas says Tokyo
    const out = readOut(join(dir, "out.json"))
    expect(out.summary.total).toBe(4)
    expect(out.summary.passed).toBe(3)
    const failed = out.cases.find((c) => !c.success)!
    expect(failed.name).toBe("jp-wrong")
    const byMetric = Object.fromEntries(failed.metrics.map((m) => [m.name, m]))
    expect(byMetric["exact-match"]!.reason).toContain("got \"Tokyo\"")
    expect(byMetric["concise"]!.score).toBe(1) // the custom metric read Style.maxLength from the layer
    expect(byMetric["concise"]!.reason).toBe("5 characters (limit 6)")
  })

  it("a failing task stops the run under fail-fast (exit 3) and is one errored case under --ignore-errors", async () => {
    const dir = fixtureDir()
    const file = join(FIXTURES, "unknown.eval.ts")
    const fast = await assay(["run", file, "--no-cache"], { cwd: dir })
    expect(fast.code).toBe(3)
    expect(fast.stderr).toContain("task failed on case #1 (atlantis): no capital known for Atlantis")
    const ignoring = await assay(["run", file, "--no-cache", "--ignore-errors", "--out", "out.json"], { cwd: dir })
    expect(ignoring.code).toBe(1)
    const out = readOut(join(dir, "out.json"))
    expect(out.summary.errored).toBe(1)
    expect(out.summary.passed).toBe(2)
    expect(out.cases.find((c) => c.name === "atlantis")!.error).toContain("no capital known for Atlantis")
  })

  it("a file with two evals gives two runs, two summaries, per-eval reports and the worst exit code", async () => {
    const dir = fixtureDir()
    const r = await assay(["run", join(FIXTURES, "suite/passing.eval.ts"), "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stdout.match(/^pass rate /gm)).toHaveLength(2)
    expect(r.stderr).toContain("── eval passing")
    expect(r.stderr).toContain("── eval failing")
    expect(readOut(join(dir, "out.passing.json")).summary.passed).toBe(1)
    expect(readOut(join(dir, "out.failing.json")).summary.failed).toBe(1)
  })

  it("a folder runs every *.eval.ts under it; a glob runs the files it matches", async () => {
    const dir = fixtureDir()
    const folder = await assay(["run", join(FIXTURES, "suite"), "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(folder.code).toBe(1)
    expect(folder.stdout.match(/^pass rate /gm)).toHaveLength(3)
    const upper = readOut(join(dir, "out.upper.json"))
    expect(upper.summary.cost).toBe(0.25) // the task's reported cost counts in the totals
    const glob = await assay(["run", join(FIXTURES, "suite/**/upper.eval.ts"), "--no-cache", "--min-pass-rate", "1"], { cwd: dir })
    expect(glob.code).toBe(0)
    expect(glob.stdout.match(/^pass rate /gm)).toHaveLength(1)
    const none = await assay(["run", join(dir, "*.eval.ts")], { cwd: dir })
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("no eval files found")
    const absent = await assay(["run", "absent.eval.ts"], { cwd: dir })
    expect(absent.code).toBe(2)
    expect(absent.stderr).toContain("absent.eval.ts: no such file")
  })

  it("data from a dataset file beside the eval; an invalid item names the file and line, or the eval and index", async () => {
    const dir = fixtureDir()
    const good = await assay(["run", join(FIXTURES, "data/from-file.eval.ts"), "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(good.code).toBe(0)
    expect(readOut(join(dir, "out.json")).summary.passed).toBe(2)
    const bad = await assay(["run", join(FIXTURES, "data/bad-item.eval.ts"), "--no-cache"], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/bad\.jsonl:2: .*expectedOutput/)
    expect(bad.stderr).toContain("bad-item.eval.ts: case #1: input: is missing")
    expect(bad.stderr).not.toMatch(/\n\s+at /)
  })

  it("a file that fails to load exits 2 naming the file and line, with no stack trace", async () => {
    const dir = fixtureDir({
      "package.json": JSON.stringify({ type: "module" }),
      "syntax.eval.ts": "import { Eval } from \"@assay/core\"\n\nexport default Eval.make({ name: \"x\",, })\n",
      "throws.eval.ts": "const a = 1\n\nthrow new Error(\"boom at import\")\n",
      "missing.eval.ts": "import { Effect } from \"effect\"\nimport { nothing } from \"./not-there.ts\"\nexport default nothing\n",
      "empty.eval.ts": "export const notAnEval = 1\n"
    })
    const expectations: Record<string, string> = {
      "syntax.eval.ts": "syntax.eval.ts:3: cannot load:",
      "throws.eval.ts": "throws.eval.ts:3: cannot load: boom at import",
      "missing.eval.ts": "missing.eval.ts:2: cannot load: Cannot find module",
      "empty.eval.ts": "empty.eval.ts: exports no Eval"
    }
    for (const [file, expected] of Object.entries(expectations)) {
      const r = await assay(["run", file, "--no-cache"], { cwd: dir })
      expect(r.code, file).toBe(2)
      expect(r.stderr, file).toContain(expected)
      expect(r.stderr, file).not.toMatch(/\n\s+at /)
    }
  })

  it("assay.config.ts in the working directory is picked up (its minPassRate turns exit 1 into 0)", async () => {
    const cwd = join(FIXTURES, "configured")
    const r = await assay(["run", "half.eval.ts", "--no-cache"], { cwd })
    expect(r.stderr).toContain("using assay.config.ts")
    expect(r.code).toBe(0)
    const flagged = await assay(["run", "half.eval.ts", "--no-cache", "--min-pass-rate", "0.9"], { cwd })
    expect(flagged.code).toBe(1)
  })

  it("examples/rag: retrieval, an answer through the judge client from the fake server, built-in and custom metrics", async () => {
    const fake = await startFake(["--answer-from-prompt"])
    try {
      const dir = fixtureDir()
      const r = await assay(["run", join(ROOT, "examples/rag/rag.eval.ts"), "--no-cache", "--out", "out.json"], {
        cwd: dir,
        env: { OPENAI_BASE_URL: fake.baseUrl }
      })
      expect(r.code).toBe(1) // the out-of-scope question is answered anyway: the one failure the eval exists to catch
      const out = readOut(join(dir, "out.json"))
      expect(out.summary.total).toBe(10)
      expect(out.summary.passed).toBe(9)
      expect(out.cases.find((c) => !c.success)!.name).toBe("out-of-scope")
      const grounded = out.cases.flatMap((c) => c.metrics.filter((m) => m.name === "grounded"))
      expect(grounded.every((m) => m.score === 1 && m.reason?.startsWith("found in "))).toBe(true)
    } finally {
      fake.stop()
    }
  })

  it("examples/rag replays offline from its committed recording: same results, no server", async () => {
    const dir = fixtureDir()
    const r = await assay(["run", join(ROOT, "examples/rag/rag.eval.ts"), "--no-cache", "--replay", join(ROOT, "examples/rag/rag.recording.jsonl"), "--out", "out.json"], {
      cwd: dir,
      env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" } // nothing listens there: any live call would fail
    })
    expect(r.code).toBe(1)
    const out = readOut(join(dir, "out.json"))
    expect(out.summary.passed).toBe(9)
    expect(out.summary.errored).toBe(0)
    expect(out.cases.find((c) => !c.success)!.name).toBe("out-of-scope")
  })
})

describe("--offline reaches an Eval's own judge", () => {
  it("no request leaves the process: the judge call fails naming --offline and the case; a replay still answers", async () => {
    const fake = await startFake(["--reply", '{"score": 9, "reason": "right"}'])
    try {
      const dir = fixtureDir()
      const file = join(FIXTURES, "judged/judged.eval.ts")
      const env = { OPENAI_BASE_URL: fake.baseUrl }
      const recorded = await assay(["run", file, "--no-cache", "--record", "calls.jsonl"], { cwd: dir, env })
      expect(recorded.code).toBe(0)
      const made = (await fakeLog(fake)).length
      expect(made).toBe(2)
      const offline = await assay(["run", file, "--offline", "--ignore-errors", "--out", "out.json"], { cwd: dir, env })
      expect(offline.stderr).not.toMatch(/\n\s+at /)
      expect(offline.code).toBe(1)
      const out = readOut(join(dir, "out.json"))
      expect(out.summary.errored).toBe(2)
      expect(out.cases[0]!.metrics[0]!.error).toContain("--offline: case #0 \"fr\" would call openai-compatible:eval-judge")
      const failFast = await assay(["run", file, "--offline"], { cwd: dir, env })
      expect(failFast.code).toBe(3)
      expect(failFast.stderr).toContain("--offline")
      const replayed = await assay(["run", file, "--offline", "--replay", "calls.jsonl"], { cwd: dir, env })
      expect(replayed.code).toBe(0)
      expect((await fakeLog(fake)).length).toBe(made) // nothing reached the server after the recording
    } finally {
      fake.stop()
    }
  })
})

describe("an Eval's versioned task is cached", () => {
  it("a rerun skips the task for unchanged cases; --fresh-task and a new version call it again; --no-cache never reads", async () => {
    const dir = fixtureDir()
    const file = join(FIXTURES, "cached/versioned.eval.ts")
    const calls = () => (existsSync(join(dir, "calls.log")) ? readFileSync(join(dir, "calls.log"), "utf8").split("\n").filter((l) => l !== "").length : 0)
    const first = await assay(["run", file, "--out", "a.json"], { cwd: dir })
    expect(first.code).toBe(0)
    expect(calls()).toBe(2)
    const again = await assay(["run", file, "--out", "b.json"], { cwd: dir })
    expect(again.code).toBe(0)
    expect(calls()).toBe(2) // both outputs came from the task cache
    expect(readOut(join(dir, "b.json")).cases.map((c) => c.testCase?.actualOutput)).toEqual(["PARIS", "ROME"])
    expect((await assay(["run", file, "--fresh-task"], { cwd: dir })).code).toBe(0)
    expect(calls()).toBe(4)
    expect((await assay(["run", file], { cwd: dir, env: { TASK_VERSION: "2" } })).code).toBe(0)
    expect(calls()).toBe(6)
    expect((await assay(["run", file, "--no-cache"], { cwd: dir })).code).toBe(0)
    expect(calls()).toBe(8)
  })
})

describe("assay resume of an eval file's run", () => {
  it("after SIGKILL, continues without running the finished cases' tasks again; the reports cover the whole run", async () => {
    const dir = fixtureDir()
    const file = join(FIXTURES, "resumable/hangs.eval.ts")
    const jsonl = join(dir, "cases.jsonl")
    const killed = await assay(["run", file, "--no-progress", "--jsonl", "cases.jsonl"], {
      cwd: dir,
      onSpawn: (child) => {
        // The two cases before "hang" are committed to the run store before they reach the --jsonl file.
        const poll = setInterval(() => {
          if (existsSync(jsonl) && readFileSync(jsonl, "utf8").split("\n").filter((l) => l !== "").length >= 2) child.kill("SIGKILL")
        }, 20)
        child.on("close", () => clearInterval(poll))
      }
    })
    expect(killed.signal).toBe("SIGKILL")
    const resumed = await assay(["resume", "latest", "--no-progress", "--out", "out.json"], { cwd: dir, env: { RELEASE: "1" } })
    expect(resumed.stderr).not.toMatch(/\n\s+at /)
    expect(resumed.code).toBe(0)
    const out = readOut(join(dir, "out.json"))
    expect(out.summary.total).toBe(4)
    expect(out.summary.passed).toBe(4)
    const calls = readFileSync(join(dir, "calls.log"), "utf8").split("\n").filter((l) => l !== "")
    expect(calls.filter((c) => c === "fr")).toHaveLength(1)
    expect(calls.filter((c) => c === "it")).toHaveLength(1)
    expect(calls.filter((c) => c === "hang")).toHaveLength(2) // started before the kill, and again
    expect(calls.filter((c) => c === "es")).toHaveLength(1)
  })
})
