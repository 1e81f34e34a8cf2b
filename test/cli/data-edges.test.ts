/**
 * Hard edges of datasets, report files and the cache location, through the built CLI: each bad input or
 * hostile path ends in a clear result (a data error naming file:line, a warning, or a refusal) — never a
 * stack trace, a silent change, a replaced symlink or a temporary file left behind.
 *
 * The read-only and disk-full cases need real mounts (a read-only bind mount, a 16 KiB tmpfs): they run when
 * this process may mount (root) and say they were skipped otherwise. Root ignores file modes, so chmod would
 * not make anything read-only here.
 */
import { execFileSync, spawn } from "node:child_process"
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, qaJsonl, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const exact = ["--metric", "exact-match", "--no-progress"]
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /)

/** Mount with `args`; false (nothing mounted) when this process may not mount. */
const tryMount = (args: ReadonlyArray<string>): boolean => {
  try {
    execFileSync("mount", args, { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}
const canMount = (() => {
  const dir = fixtureDir()
  const ok = tryMount(["-t", "tmpfs", "-o", "size=16k", "tmpfs", dir])
  if (ok) execFileSync("umount", [dir])
  else console.warn("cannot mount here (not root?): the read-only and disk-full tests are skipped")
  return ok
})()

/** Run `body` with `target` mounted by `args`, unmounting afterwards whatever happens. */
const mounted = async <A>(args: ReadonlyArray<string>, target: string, body: () => Promise<A>): Promise<A> => {
  if (!tryMount([...args, target])) throw new Error(`mount ${args.join(" ")} ${target} failed`)
  try {
    return await body()
  } finally {
    execFileSync("umount", [target])
  }
}

describe("datasets", () => {
  it("item 12: JSON nested 5,000 levels deep is a data error naming file:line, exit 2", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000)
    const dir = fixtureDir({
      "deep.jsonl": `{"input":"q","actual_output":"a"}\n{"input":"q","actual_output":"a","metadata":${deep}}\n`,
      "deep.csv": `input,actual_output,metadata\nq,a,"${deep}"\n`,
      "deep.json": `{"goldens": [\n  {"input":"q","actual_output":"a"},\n  {"input":"q","actual_output":"a","metadata":${deep}}\n]}`
    })
    for (const [file, line] of [["deep.jsonl", 2], ["deep.csv", 2], ["deep.json", 3]] as const) {
      const r = await assay(["run", file, ...exact, "--no-cache", "--out", "out.json"], { cwd: dir })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`${file}:${line}: metadata: nested deeper than 256 levels`)
      noStack(r.stderr)
    }
    expect(existsSync(join(dir, "out.json"))).toBe(false)
  })

  it.each([
    ["empty.jsonl", ""],
    ["blank.jsonl", "\n  \n\n"],
    ["header.csv", "input,actual_output,expected_output\n"],
    ["empty.json", "[]"]
  ])("item 13: %s fails a --min-pass-rate gate (exit 1), passes without one with a warning", async (file, content) => {
    const dir = fixtureDir({ [file]: content })
    const gated = await assay(["run", file, ...exact, "--no-cache", "--min-pass-rate", "90%"], { cwd: dir })
    expect(gated.code).toBe(1)
    expect(gated.stderr).toContain("--min-pass-rate 90%: nothing was scored, so the gate fails")
    const plain = await assay(["run", file, ...exact, "--no-cache"], { cwd: dir })
    expect(plain.code).toBe(0)
    expect(plain.stderr).toContain("warning: the dataset has no cases")
  })

  it("item 14: a missing actual_output without --target is a data error up front, nothing run or stored", async () => {
    const lines = ['{"input":"a","actual_output":"x","expected_output":"x"}', '{"input":"b","expected_output":"y"}']
    const dir = fixtureDir({
      "cases.jsonl": lines.join("\n") + "\n",
      "cases.json": `[\n  ${lines.join(",\n  ")}\n]\n`,
      "cases.csv": "input,actual_output,expected_output\na,x,x\nb,,y\n"
    })
    for (const [file, line] of [["cases.jsonl", 2], ["cases.json", 3], ["cases.csv", 3]] as const) {
      const r = await assay(["run", file, ...exact, "--out", "out.json", "--jsonl", "out.jsonl"], { cwd: dir })
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toContain(`${file}:${line}: actual_output: is missing, and exact-match needs it`)
      noStack(r.stderr)
    }
    expect(existsSync(join(dir, "out.json"))).toBe(false)
    const runs = await assay(["runs", "list"], { cwd: dir })
    expect(runs.stdout).not.toMatch(/\d{8}-\d{6}/) // no run recorded

    const skipped = await assay(["run", "cases.jsonl", ...exact, "--no-cache", "--skip-on-missing-params", "--out", "out.json"], { cwd: dir })
    expect(skipped.code).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")).summary).toMatchObject({ passed: 1, skipped: 1 })
    // A metric that does not need actualOutput does not count.
    const other = await assay(["run", "cases.jsonl", "--metric", "json-schema", "--no-cache", "--no-progress"], { cwd: dir })
    expect(other.stderr).not.toContain("actual_output: is missing")
  })

  it("item 14: an empty actual_output is a real output: scored (a failure for exact match), not an error", async () => {
    const dir = fixtureDir({ "empty-output.jsonl": '{"input":"q","actual_output":"","expected_output":"Paris"}\n' })
    const r = await assay(["run", "empty-output.jsonl", ...exact, "--no-cache", "--out", "out.json"], { cwd: dir })
    expect(r.code).toBe(1)
    const out = JSON.parse(readFileSync(join(dir, "out.json"), "utf8"))
    expect(out.summary).toMatchObject({ failed: 1, errored: 0, skipped: 0 })
    expect(out.cases[0].metrics[0]).toMatchObject({ score: 0, error: null, skipped: false })
  })

  it("item 21: bytes that are not UTF-8 get a warning naming file:line, or exit 2 with --strict-input", async () => {
    const good = (i: number) => Buffer.from(JSON.stringify({ input: `q${i}`, actual_output: "a", expected_output: "a" }) + "\n")
    const bad = Buffer.concat([Buffer.from('{"input":"caf'), Buffer.from([0xe9]), Buffer.from('","actual_output":"a","expected_output":"a"}\n')])
    // ~1.5 MiB before the bad line: it sits in the second read chunk.
    const before = Array.from({ length: 20_000 }, (_, i) => good(i))
    const dir = fixtureDir()
    writeFileSync(join(dir, "latin1.jsonl"), Buffer.concat([...before, bad, good(0)]))
    writeFileSync(join(dir, "latin1.csv"), Buffer.concat([Buffer.from("input,actual_output,expected_output\nq,a,a\n"), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(",a,a\n")]))
    writeFileSync(join(dir, "latin1.json"), Buffer.concat([Buffer.from('[\n{"input":"q","actual_output":"a","expected_output":"a"},\n'), bad.subarray(0, -1), Buffer.from("\n]")]))
    for (const [file, line] of [["latin1.jsonl", 20_001], ["latin1.csv", 3], ["latin1.json", 3]] as const) {
      const warned = await assay(["run", file, ...exact, "--no-cache"], { cwd: dir })
      expect(warned.code, warned.stderr).toBe(0)
      expect(warned.stderr).toContain(`warning: ${join(dir, file)}:${line}: bytes that are not valid UTF-8`)
      expect(warned.stderr.match(/not valid UTF-8/g)).toHaveLength(1) // once, not once per read of the file
      const strict = await assay(["run", file, ...exact, "--no-cache", "--strict-input"], { cwd: dir })
      expect(strict.code).toBe(2)
      expect(strict.stderr).toContain(`${file}:${line}: bytes that are not valid UTF-8 (--strict-input)`)
    }
    const clean = await assay(["run", "ok.jsonl", ...exact, "--no-cache"], { cwd: fixtureDir({ "ok.jsonl": qaJsonl() }) })
    expect(clean.stderr).not.toContain("UTF-8")
  })
})

describe("report paths", () => {
  it("item 19: a symlink is written through, a FIFO and /dev/stdout are written to, a directory is refused", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    mkdirSync(join(dir, "reports"))
    symlinkSync("reports/real.json", join(dir, "link.json"))
    symlinkSync("reports/new.xml", join(dir, "dangling.xml"))
    const r = await assay(["run", "cases.jsonl", ...exact, "--no-cache", "--out", "link.json", "--junit", "dangling.xml"], { cwd: dir })
    expect(r.code).toBe(1)
    expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true)
    expect(readlinkSync(join(dir, "link.json"))).toBe("reports/real.json")
    expect(JSON.parse(readFileSync(join(dir, "reports/real.json"), "utf8")).summary.total).toBe(10)
    expect(lstatSync(join(dir, "dangling.xml")).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(dir, "reports/new.xml"), "utf8")).toContain("<testsuite")

    execFileSync("mkfifo", [join(dir, "pipe.json")])
    const reader = new Promise<string>((resolve) => {
      const cat = spawn("cat", [join(dir, "pipe.json")], { stdio: ["ignore", "pipe", "inherit"] })
      let text = ""
      cat.stdout.setEncoding("utf8").on("data", (d: string) => (text += d))
      cat.on("close", () => resolve(text))
    })
    const toFifo = await assay(["run", "cases.jsonl", ...exact, "--no-cache", "--out", "pipe.json"], { cwd: dir })
    expect(toFifo.code).toBe(1)
    expect(JSON.parse(await reader).summary.total).toBe(10)
    expect(lstatSync(join(dir, "pipe.json")).isFIFO()).toBe(true)

    const toStdout = await assay(["run", "cases.jsonl", ...exact, "--no-cache", "--out", "/dev/stdout"], { cwd: dir })
    expect(toStdout.code).toBe(1)
    expect(toStdout.stdout).toContain('"runId"')
    const toNull = await assay(["run", "cases.jsonl", ...exact, "--no-cache", "--html", "/dev/null"], { cwd: dir })
    expect(toNull.code).toBe(1)

    const toDir = await assay(["run", "cases.jsonl", ...exact, "--no-cache", "--out", "reports"], { cwd: dir })
    expect(toDir.code).toBe(3)
    expect(toDir.stderr).toContain("cannot write reports: it is a directory, not a file")
    noStack(toDir.stderr)
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([])
  })

  it.skipIf(!canMount)("item 18: a full disk (a 16 KiB tmpfs) is a clear error naming the path; no temporary file is left", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const disk = join(dir, "disk")
    mkdirSync(disk)
    await mounted(["-t", "tmpfs", "-o", "size=16k", "tmpfs"], disk, async () => {
      writeFileSync(join(disk, "filler"), Buffer.alloc(12 * 1024))
      const r = await assay(["run", "cases.jsonl", ...exact, "--no-cache", "--html", "disk/report.html"], { cwd: dir })
      expect(r.code).toBe(3)
      expect(r.stderr).toContain("cannot write disk/report.html: ENOSPC: no space left on device")
      noStack(r.stderr)
      expect(readdirSync(disk)).toEqual(["filler"])
    })
  })
})

describe("cache location", () => {
  it("item 17: a file where .assay should be: the run goes ahead uncached with a warning (with and without --no-cache)", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl(), ".assay": "not a directory" })
    for (const flags of [[], ["--no-cache"]]) {
      const r = await assay(["run", "cases.jsonl", ...exact, ...flags, "--out", "out.json"], { cwd: dir })
      expect(r.code, r.stderr).toBe(1) // the three wrong answers, not a failure to run
      expect(r.stderr).toContain(`cannot create the directory of ${join(dir, ".assay/assay.db")}`)
      expect(r.stderr).toContain("running without the cache; this run is not recorded and cannot be resumed")
      expect(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")).summary.total).toBe(10)
    }
  })

  it.skipIf(!existsSync("/proc/self"))("a cache or report under a directory that refuses new entries (/proc) fails at once, never hangs", async () => {
    // Node's recursive mkdir retries such a parent forever; the directories are made one level at a time.
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const cache = await assay(["run", "cases.jsonl", ...exact, "--cache", "/proc/assay-nope/x.db"], { cwd: dir })
    expect(cache.code, cache.stderr).toBe(1)
    expect(cache.stderr).toContain("cannot create the directory of /proc/assay-nope/x.db")
    const out = await assay(["run", "cases.jsonl", ...exact, "--no-cache", "--out", "/proc/assay-nope/out.json"], { cwd: dir })
    expect(out.code).toBe(3)
    expect(out.stderr).toContain("cannot write /proc/assay-nope/out.json")
    noStack(out.stderr)
  })

  it.skipIf(!canMount)("item 17: a read-only .assay (a read-only bind mount) runs uncached with a warning", async () => {
    const dir = fixtureDir({ "cases.jsonl": qaJsonl() })
    const first = await assay(["run", "cases.jsonl", ...exact], { cwd: dir }) // creates .assay/assay.db
    expect(first.code).toBe(1)
    const assayDir = join(dir, ".assay")
    await mounted(["-o", "bind,ro", assayDir], assayDir, async () => {
      for (const flags of [[], ["--no-cache"]]) {
        const r = await assay(["run", "cases.jsonl", ...exact, ...flags], { cwd: dir })
        expect(r.code, r.stderr).toBe(1)
        expect(r.stderr).toContain(join(dir, ".assay/assay.db"))
        expect(r.stderr).toContain("running without the cache")
      }
      // Commands that read the store do not fall back to an empty stand-in: they fail, clearly.
      const resume = await assay(["resume", "latest"], { cwd: dir })
      expect(resume.code).toBe(3)
      expect(resume.stderr).toContain(join(dir, ".assay/assay.db"))
      noStack(resume.stderr)
    })
  })
})
