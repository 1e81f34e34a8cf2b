/**
 * One process per run: a run killed with `kill -9` is resumed at once (its dead holder's lease is taken over),
 * and a second `assay resume` of a run another live process is evaluating refuses with exit 2, naming the run
 * and the holder — so no case is evaluated twice. The runs are slowed by `--throttle` (one case at a time),
 * and every signal is sent once the output shows the run under way: nothing depends on speed.
 */
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, type CliResult, fixtureDir, requireBuild, ROOT, whenStderr } from "./harness.js"

beforeAll(requireBuild)

const DATASET = join(ROOT, "examples/qa.jsonl")
const CONFIG = join(ROOT, "examples/assay.config.json")
const TOTAL = 36

describe("run leases", () => {
  it("resume right after kill -9 works; a second resume while it runs refuses with exit 2 naming the holder", async () => {
    const dir = fixtureDir()
    const killed = await assay(
      ["run", DATASET, "--config", CONFIG, "--no-cache", "--throttle", "150ms", "--concurrency", "1", "--no-progress"],
      { cwd: dir, onSpawn: whenStderr("progress ", (child) => child.kill("SIGKILL")).onSpawn }
    )
    expect(killed.signal).toBe("SIGKILL")
    const runId = (await assay(["runs", "list"], { cwd: dir })).stdout.split("\n")[1]!.split(" ")[0]! // below the header

    let second: Promise<CliResult> | undefined
    let firstPid = 0
    const first = await assay(["resume", runId, "--no-progress"], {
      cwd: dir,
      onSpawn: whenStderr("progress ", (child) => {
        firstPid = child.pid!
        second = assay(["resume", "latest", "--no-progress"], { cwd: dir })
      }).onSpawn
    })
    expect(first.code).toBe(0) // the example's minPassRate; the dead holder did not block it
    expect(second).toBeDefined()
    const refused = await second!
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(new RegExp(`run ${runId} is being evaluated by another process \\(pid ${firstPid} on host \\S+`))
    expect(refused.stderr).not.toMatch(/\bat \S+:\d+/)

    // every case stored once: 36 results, not 36 plus a second process's share
    const list = await assay(["runs", "list"], { cwd: dir })
    expect(list.stdout).toMatch(new RegExp(`^${runId} .* completed +${TOTAL}/${TOTAL} `, "m"))
  })
})
