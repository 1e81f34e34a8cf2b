/**
 * The viewer's front end — one script and one stylesheet that `npm run build` bundles from apps/cli/viewer
 * into apps/cli/dist/viewer — and the two pages that load it: the served page (`assay view`, which fetches
 * the JSON API) and the self-contained page (`--html`), which inlines both assets and embeds the run's data
 * as JSON. The data is escaped so that no text can close its `<script>` element, and the page's Content
 * Security Policy lets only the inlined script (by its hash) run.
 *
 * @example
 * ```ts
 * const assets = yield* ViewerAssets.load
 * servedPage() // the HTML of every page route
 * ```
 */
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { fileURLToPath } from "node:url"
import { ReportError } from "../errors.js"

/**
 * The bundled front end.
 *
 * @example
 * ```ts
 * const { css, script } = yield* loadViewerAssets
 * ```
 */
export interface ViewerAssets {
  readonly script: string
  readonly css: string
}

// The bundle (dist/assay*.mjs) sits beside dist/viewer; tsc's modules (dist/view/*.js, run for eval files)
// one level deeper: look in both places.
const candidates = [new URL("./viewer/", import.meta.url), new URL("../viewer/", import.meta.url)].map((u) => fileURLToPath(u))

/**
 * Read the front end's files (a missing build says so).
 *
 * @example
 * ```ts
 * const assets = yield* loadViewerAssets
 * ```
 */
export const loadViewerAssets: Effect.Effect<ViewerAssets, ReportError, FileSystem.FileSystem> = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  for (const dir of candidates) {
    if (!(yield* fs.exists(`${dir}app.js`).pipe(Effect.orElseSucceed(() => false)))) continue
    const read = (name: string) =>
      Effect.mapError(fs.readFileString(`${dir}${name}`), (e) => new ReportError({ file: `${dir}${name}`, message: `cannot read the viewer's ${name}: ${e.message}` }))
    return { script: yield* read("app.js"), css: yield* read("app.css") }
  }
  return yield* new ReportError({ file: candidates[0]!, message: `the viewer's front end is missing (${candidates[0]}app.js): run \`npm run build\`` })
})

const HEAD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">`

/**
 * The page every route of `assay view` answers with; the script routes on the URL.
 *
 * @example
 * ```ts
 * HttpServerResponse.html(servedPage())
 * ```
 */
export const servedPage = (): string =>
  `${HEAD}<title>assay</title><link rel="stylesheet" href="/assets/app.css"></head>
<body><div id="app"></div><script type="module" src="/assets/app.js"></script></body></html>
`

/**
 * JSON that is safe inside a `<script type="application/json">` element: `<`, `>` and `&` (so no
 * `</script>` or `<!--` can appear) and the line separators U+2028/U+2029 as \u escapes.
 *
 * @example
 * ```ts
 * embedJson({ text: "</script>" }) // '{"text":"\\u003c/script\\u003e"}'
 * ```
 */
export const embedJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/**
 * A script's text made safe to inline: `</script` cannot end its element (`<\/` means the same in strings,
 * templates, regular expressions and comments).
 */
const inlineScript = (script: string): string => script.replace(/<\/(script)/gi, "<\\/$1")

/**
 * The self-contained page around embedded data: `head` up to where the data goes, `tail` after it. The data
 * sits in `<script type="application/json" id="assay-data">` elements written between them.
 *
 * @example
 * ```ts
 * const { head, tail } = standalonePage(assets, "assay — nightly")
 * ```
 */
export const standalonePage = (assets: ViewerAssets, title: string): { readonly head: string; readonly tail: string } => {
  const script = inlineScript(assets.script)
  const hash = createHash("sha256").update(script).digest("base64")
  const policy = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:`
  const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  return {
    head: `${HEAD}<meta http-equiv="Content-Security-Policy" content="${policy}"><title>${escaped}</title>
<style>${assets.css.replace(/<\/(style)/gi, "<\\/$1")}</style></head>
<body><div id="app"></div>
`,
    tail: `<script type="module">${script}</script></body></html>
`
  }
}
