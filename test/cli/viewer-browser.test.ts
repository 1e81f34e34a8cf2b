/**
 * The viewer in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): runs list →
 * run page → filter failed → case detail (keyboard) → compare naming the regressed case, with the per-metric
 * table (difference and its interval, a significant regression marked, a balanced change not); a run whose dataset
 * and model output carry `<script>` and `onerror` payloads shows them as text and runs nothing, served and
 * as a self-contained `--html` file; a running run updates in place and a finished run's page keeps no
 * connection open. Skipped, saying so, only when Chromium is not installed (`.ci/run` installs it).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { assay, BIN, fixtureDir, QA_CASES, requireBuild } from "./harness.js"
import { getJson, startView, type ViewServer } from "./view-server.js"

const CHROMIUM = "/usr/bin/chromium"
const present = existsSync(CHROMIUM)
if (!present) console.warn(`viewer-browser.test: SKIPPED — ${CHROMIUM} is missing; install it with \`apt-get install -y chromium\``)

/** Payloads that set window.__pwned if the page ever treated data as HTML. */
const SCRIPT = "<script>window.__pwned = 1</script>"
const IMG = `<img src=x onerror="window.__pwned = 2">`
const CLOSE = "</script><script>window.__pwned = 3</script>"

const jsonl = (cases: ReadonlyArray<object>) => cases.map((c) => JSON.stringify(c)).join("\n") + "\n"
const SECOND = QA_CASES.map((c) =>
  c.name === "paris" ? { ...c, actual_output: "Lyon" } : c.name === "canberra" ? { ...c, actual_output: "Canberra" } : c)
/** Every case now fails: seven pass→fail flips, none back — a significant drop (McNemar p = 2/128). */
const WORSE = QA_CASES.map((c) => ({ ...c, actual_output: "no idea" }))
const HOSTILE = [
  { name: `evil ${SCRIPT}`, input: `Say ${IMG}`, actual_output: `${SCRIPT}${IMG}${CLOSE}`, expected_output: "nothing", context: [CLOSE] },
  { name: "fine", input: "2+2?", actual_output: "4", expected_output: "4" }
]
/** An exec target that answers a case only once the file named by its input exists (the test creates it). */
const GATE = `const fs = require("node:fs"); const f = process.argv[2];
const wait = () => fs.existsSync(f) ? console.log("answer " + f) : setTimeout(wait, 25); wait()`

let dir = ""
let view: ViewServer
let browser: Browser
const ids: Record<string, string> = {}

const newPage = async (): Promise<Page> => {
  const page = await browser.newPage()
  page.on("dialog", (d) => void d.dismiss())
  return page
}
const pwned = (page: Page) => page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)

describe.skipIf(!present)("the viewer in headless Chromium", () => {
  beforeAll(async () => {
    requireBuild()
    dir = fixtureDir({ "a.jsonl": jsonl(QA_CASES), "b.jsonl": jsonl(SECOND), "hostile.jsonl": jsonl(HOSTILE), "worse.jsonl": jsonl(WORSE), "gate.cjs": GATE })
    const run = (file: string, identifier: string, extra: ReadonlyArray<string> = []) =>
      assay(["run", file, "--metric", "exact-match", "--identifier", identifier, "--cache", "assay.db", "--no-progress", ...extra], { cwd: dir })
    expect((await run("a.jsonl", "baseline")).code).toBe(1)
    expect((await run("b.jsonl", "candidate")).code).toBe(1)
    expect((await run("hostile.jsonl", "hostile", ["--html", "hostile.html"])).code).toBe(1)
    expect((await run("worse.jsonl", "worse")).code).toBe(1)
    view = await startView(join(dir, "assay.db"))
    for (const r of (await getJson(`${view.url}api/runs`)).body) ids[r.identifier] = r.id
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
    })
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    view?.stop()
  })

  it("runs list → run page → failed cases → case detail by keyboard → compare naming the regressed case", async () => {
    const page = await newPage()
    await page.goto(view.url)
    await expect.poll(() => page.locator("#runs tbody tr").count()).toBe(4)
    await page.getByRole("link", { name: ids["baseline"]! }).click()
    await expect.poll(() => page.locator("#pass-rate").textContent()).toBe("70.0%")
    await page.getByRole("checkbox", { name: "failed" }).check()
    await expect.poll(() => page.locator("#shown").textContent()).toBe("1–3 of 3")
    expect(await page.locator("#cases tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status")))).toEqual(["failed", "failed", "failed"])
    await page.keyboard.press("j")
    await page.keyboard.press("Enter")
    await expect.poll(() => page.locator("#case-title").textContent()).toContain("brasilia")
    expect(await page.locator("main").textContent()).toContain("Capital of Brazil?")
    await page.keyboard.press("Escape")
    await expect.poll(() => page.locator("#shown").textContent()).toBe("1–3 of 3") // the filter is kept
    await page.keyboard.press("/")
    await page.keyboard.type("istanbul")
    await expect.poll(() => page.locator("#cases tbody tr").count()).toBe(1)

    await page.goto(view.url)
    await page.getByRole("checkbox", { name: `tick ${ids["baseline"]}` }).check()
    await page.getByRole("checkbox", { name: `tick ${ids["candidate"]}` }).check()
    await page.keyboard.press("c")
    await expect.poll(() => page.locator("#section-regressed").textContent()).toContain("paris")
    expect(await page.locator("#section-improved").textContent()).toContain("canberra")
    // One flip each way: the metric's row shows no change and no marker.
    const balanced = page.locator('#compare-metrics tr[data-metric="exact-match"]')
    expect(await balanced.locator("td.diff").textContent()).toMatch(/^\+0\.000 \[/)
    expect(await balanced.locator("td").evaluateAll((tds) => tds.slice(4, 6).map((td) => td.textContent))).toEqual(["1", "1"])
    expect(await balanced.textContent()).not.toContain("significant")
    await page.close()
  })

  it("the compare page's metric table shows the difference with its interval and marks a significant regression", async () => {
    const page = await newPage()
    await page.goto(`${view.url}compare/${ids["baseline"]}/${ids["worse"]}`)
    const row = page.locator('#compare-metrics tr[data-metric="exact-match"]')
    await expect.poll(() => row.count()).toBe(1)
    const cells = await row.locator("td").evaluateAll((tds) => tds.map((td) => td.textContent))
    expect(cells.slice(0, 8)).toEqual(["exact-match", "0.700", "0.000", expect.stringMatching(/^-0\.700 \[-\d\.\d{3}, -\d\.\d{3}\]$/), "7", "0", "0.0156", "0.0156"])
    expect(cells[8]).toBe("significant regression")
    expect(await row.getAttribute("class")).toContain("significant-drop")
    // The table comes before the case sections.
    const order = await page.locator("#compare-metrics, #section-regressed").evaluateAll((els) => els.map((e) => e.id))
    expect(order).toEqual(["compare-metrics", "section-regressed"])
    await page.close()
  })

  it("shows <script> and onerror payloads from the dataset and the model as text, and runs nothing (served)", async () => {
    const page = await newPage()
    await page.goto(`${view.url}runs/${ids["hostile"]}`)
    await expect.poll(() => page.locator("#cases tbody tr").count()).toBe(2)
    expect(await page.locator("#cases").textContent()).toContain(SCRIPT)
    await page.goto(`${view.url}runs/${ids["hostile"]}/cases/0`)
    await expect.poll(() => page.locator("#case-title").textContent()).toContain(SCRIPT)
    const text = await page.locator("main").textContent()
    for (const payload of [SCRIPT, IMG, CLOSE]) expect(text).toContain(payload)
    expect(await page.locator("#app img, #app script").count()).toBe(0)
    expect(await pwned(page)).toBeUndefined()
    await page.close()
  })

  it("the self-contained --html file is the same viewer, works from disk, and runs no payload", async () => {
    const page = await newPage()
    const blocked: Array<string> = []
    page.on("request", (r) => !r.url().startsWith("file:") && blocked.push(r.url()))
    await page.goto(`file://${join(dir, "hostile.html")}`)
    await expect.poll(() => page.locator("#pass-rate").textContent()).toBe("50.0%")
    expect(await page.locator("#cases").textContent()).toContain(CLOSE)
    await page.getByRole("checkbox", { name: "passed" }).check()
    await expect.poll(() => page.locator("#cases tbody tr").count()).toBe(1)
    await page.getByRole("checkbox", { name: "passed" }).uncheck()
    await page.getByRole("link", { name: "0", exact: true }).click()
    await expect.poll(() => page.locator("#case-title").textContent()).toContain(SCRIPT)
    expect(await page.locator("main").textContent()).toContain(IMG)
    expect(await page.locator("#app img, #app script").count()).toBe(0)
    expect(await pwned(page)).toBeUndefined()
    expect(blocked).toEqual([]) // nothing fetched from anywhere: everything is in the file
    await page.close()
  })

  it("a running run updates in place and its stream closes when it ends; a finished run's page settles", async () => {
    const live = ["go-1", "go-2", "go-3"].map((input) => ({ input, expected_output: "answer" }))
    writeFileSync(join(dir, "live.jsonl"), jsonl(live))
    writeFileSync(join(dir, "go-1"), "")
    const child: ChildProcess = spawn(process.execPath, [
      BIN, "run", "live.jsonl", "--target", "exec:node gate.cjs {{input}}", "--metric", "contains", "--concurrency", "1",
      "--identifier", "live", "--cache", "assay.db", "--no-progress"
    ], { cwd: dir, stdio: "ignore", timeout: 170_000 })
    const exited = new Promise((done) => child.on("close", done))
    const liveRun = async () => ((await getJson(`${view.url}api/runs`)).body as Array<any>).find((r) => r.identifier === "live")
    await expect.poll(async () => (await liveRun())?.finished, { timeout: 60_000 }).toBe(1)
    const id = (await liveRun()).id as string

    const page = await newPage()
    await page.goto(`${view.url}runs/${id}`)
    await expect.poll(() => page.locator("#finished").textContent()).toBe("1/3")
    expect(await page.locator("#progress").count()).toBe(1)
    writeFileSync(join(dir, "go-2"), "")
    await expect.poll(() => page.locator("#finished").textContent(), { timeout: 60_000 }).toBe("2/3")
    writeFileSync(join(dir, "go-3"), "")
    await expect.poll(() => page.locator("#finished").textContent(), { timeout: 60_000 }).toBe("3/3")
    await expect.poll(() => page.locator("h1 .status").textContent(), { timeout: 60_000 }).toBe("completed")
    await exited
    // The finished run's page: nothing stays open, so the page reaches network idle.
    await page.reload()
    await page.waitForLoadState("networkidle", { timeout: 30_000 })
    expect(await page.locator("#cases tbody tr").count()).toBe(3)
    await page.close()
  })
})
