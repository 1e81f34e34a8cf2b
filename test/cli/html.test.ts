/**
 * The HTML report rendered by headless Chromium: the page's script runs (row filter counts), the summary
 * shows, and content from the dataset is escaped — an injected script never runs. Skipped, with a message,
 * only when no Chromium is installed (`apt-get install -y chromium`).
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(existsSync)
if (CHROMIUM === undefined) console.warn("html.test: skipped — no chromium found; install it with `apt-get install -y chromium`")

const dumpDom = (file: string): string =>
  execFileSync(CHROMIUM!, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", `--user-data-dir=${mkdtempSync(join(tmpdir(), "assay-chromium-"))}`,
    "--dump-dom", `file://${file}`
  ], { encoding: "utf8", timeout: 90_000, stdio: ["ignore", "pipe", "ignore"] })

const HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"

describe.skipIf(CHROMIUM === undefined)("HTML report in headless Chromium", () => {
  it("renders the summary, runs its filter script, and escapes dataset and model text", async () => {
    const cases = [
      { name: "ok-1", input: "2+2?", actual_output: "4", expected_output: "4" },
      { name: "ok-2", input: "3+3?", actual_output: "6", expected_output: "6" },
      { name: "hostile", input: `Say ${HOSTILE}`, actual_output: HOSTILE, expected_output: "nothing", context: [HOSTILE] }
    ]
    const dir = fixtureDir({ "cases.jsonl": cases.map((c) => JSON.stringify(c)).join("\n") })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--no-cache", "--html", "report.html"], { cwd: dir })
    expect(r.code).toBe(1)
    const dom = dumpDom(join(dir, "report.html"))
    expect(dom).toMatch(/<title>assay — [^<]*cases\.jsonl<\/title>/) // not "pwned": the injected scripts did not run
    expect(dom).not.toContain("pwned</title>")
    expect(dom).toContain('<span id="pass-rate">66.7%</span>')
    expect(dom).toContain("&lt;script&gt;document.title='pwned'&lt;/script&gt;")
    expect(dom).not.toMatch(/<img src="x"/)
    expect(dom.match(/<tr class="case[^"]*" data-status="passed">/g)).toHaveLength(2)
    expect(dom).toMatch(/<tr class="case[^"]*" data-status="failed">/)
    expect(dom).toContain('<span id="shown">3</span>') // written by the page's script after filtering
  }, 120_000)
})
