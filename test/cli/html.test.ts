/**
 * The `--html` report's file, read as text (its rendering in Chromium is tested in viewer-browser.test.ts):
 * one self-contained page — stylesheet and script inlined, nothing loaded from elsewhere — whose embedded run
 * data cannot end its `<script>` element whatever the dataset or the model wrote, and whose Content Security
 * Policy lets only the inlined script run. `runs export <id> --html` writes the same page from the store.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { assay, fixtureDir, requireBuild } from "./harness.js"

beforeAll(requireBuild)

const HOSTILE = "</script><script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"><!--"

describe("the --html report file", () => {
  it("inlines the viewer, embeds the run as escaped JSON, and allows only its own script", async () => {
    const cases = [
      { name: "ok", input: "2+2?", actual_output: "4", expected_output: "4" },
      { name: "hostile", input: `Say ${HOSTILE}`, actual_output: HOSTILE, expected_output: "nothing", context: [HOSTILE] }
    ]
    const dir = fixtureDir({ "cases.jsonl": cases.map((c) => JSON.stringify(c)).join("\n") })
    const r = await assay(["run", "cases.jsonl", "--metric", "exact-match", "--cache", "assay.db", "--html", "report.html"], { cwd: dir })
    expect(r.code).toBe(1)
    const html = readFileSync(join(dir, "report.html"), "utf8")
    // Exactly three script elements end: the run, its cases, and the viewer — the data ended none of them.
    expect(html.match(/<\/script>/gi)).toHaveLength(3)
    expect(html).not.toContain("<img")
    expect(html).not.toMatch(/<script[^>]*\bsrc=|<link\b/) // nothing loaded from elsewhere
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'/)
    const embedded = /<script type="application\/json" id="assay-cases">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? ""
    const decoded = JSON.parse(embedded) as Array<{ testCase: { actualOutput: string; context: Array<string> } }>
    expect(decoded[1]!.testCase.actualOutput).toBe(HOSTILE) // the text survives intact
    expect(decoded[1]!.testCase.context).toEqual([HOSTILE])

    const exported = await assay(["runs", "export", "latest", "--html", "again.html", "--cache", "assay.db"], { cwd: dir })
    expect(exported.code).toBe(0)
    const again = readFileSync(join(dir, "again.html"), "utf8")
    const timeless = (text: string) => text.replace(/"durationMs":[\d.]+/g, '"durationMs":0')
    expect(timeless(again)).toBe(timeless(html))
  })
})
