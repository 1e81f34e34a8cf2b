#!/usr/bin/env node
// Bundle the `assay` CLI into an ES module, dist/assay.mjs (plus lazily loaded chunks), from tsc's output (run after `tsc -b`; the root
// `build`, `prepare` and `test` scripts do both). Why: unbundled, every start resolved, read and compiled ~1,000
// ESM files (effect, @effect/*, undici, …) — about 1.5 s of a 2.2 s `assay run` on ten cases, measured with
// --cpu-prof; bundled, the same run takes 0.7 s. esbuild does the work; this file only holds its settings.
// The json-schema metric's worker thread is a second entry point, dist/json-worker.js: @assay/core starts it
// from the file beside the running module (`new URL("./json-worker.js", import.meta.url)`), here the bundle.
//   node apps/cli/bundle.mjs
import { build } from "esbuild"
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

// Imports of a package index in assay's compiled modules (`import { Effect, Stream } from "effect"`,
// `import { Judge } from "@assay/judge"`) are rewritten to the modules that define the names
// (`import * as Effect from ".../effect/dist/esm/Effect.js"`). Why: with code splitting, esbuild puts a module in
// a chunk shared by every entry that reaches it statically, even through an index whose other exports that
// entry never uses. Through the indexes the start path reached every module of effect, @effect/* and assay's
// packages, so whatever a lazily loaded chunk used (the viewer's HTTP server, the judge's providers, …) was
// loaded at start-up too.
const INDEXED = [
  "effect", "@effect/platform", "@effect/platform-node", "@effect/cli", "@effect/sql", "@effect/sql-pg", "@effect/sql-sqlite-node",
  "@effect/cluster", "@effect/rpc", "@effect/ai", "@effect/experimental", "@effect/opentelemetry",
  "@assay/core", "@assay/judge", "@assay/store"
]

/**
 * The names a compiled ES module exports: name → the file that defines it, the name there, and whether it is a
 * namespace (`export * as X`). Follows `export *` and `export { … } from`; reads the `export` statements tsc
 * and the Effect packages emit, one per line.
 */
const exportsOf = new Map()
const moduleExports = (file) => {
  const known = exportsOf.get(file)
  if (known !== undefined) return known
  const names = new Map()
  exportsOf.set(file, names) // an import cycle sees the names found so far
  const text = readFileSync(file, "utf8")
  const near = (spec) => fileURLToPath(new URL(spec, pathToFileURL(file)))
  for (const m of text.matchAll(/^export (?:declare )?(?:const|let|var|class|function\*?|async function\*?) ?\*? ?([\w$]+)/gm)) names.set(m[1], { file, name: m[1] })
  for (const m of text.matchAll(/^export \* as ([\w$]+) from "(\.[^"]+)";?$/gm)) names.set(m[1], { file: near(m[2]), namespace: true })
  for (const m of text.matchAll(/^export \{([^}]*)\}(?: from "(\.[^"]+)")?;?$/gm)) {
    const list = m[1].replace(/\/\*[\s\S]*?\*\//g, "")
    for (const item of list.split(",").map((n) => n.trim()).filter((n) => n !== "" && !n.startsWith("type "))) {
      const [name, alias = name] = item.split(/\s+as\s+/)
      const found = m[2] === undefined ? { file, name } : moduleExports(near(m[2])).get(name)
      if (found !== undefined) names.set(alias, found)
    }
  }
  for (const m of text.matchAll(/^export \* from "(\.[^"]+)";?$/gm)) {
    for (const [name, found] of moduleExports(near(m[1]))) if (!names.has(name) && name !== "default") names.set(name, found)
  }
  return names
}
const indexes = new Map(INDEXED.map((pkg) => [pkg, moduleExports(fileURLToPath(import.meta.resolve(pkg)))]))

/**
 * One `import { … } from "<package>"` (or `export { … } from`) as statements naming the modules that define
 * the names; unchanged when one of them is not found.
 */
const directImports = (statement, keyword, list, pkg) => {
  const names = indexes.get(pkg)
  if (names === undefined) return statement
  const lines = []
  for (const item of list.split(",").map((n) => n.trim()).filter(Boolean)) {
    const [name, alias = name] = item.split(/\s+as\s+/)
    const found = names.get(name)
    if (found === undefined) return statement
    const from = JSON.stringify(found.file)
    lines.push(found.namespace ? `${keyword} * as ${alias} from ${from};` : `${keyword} { ${found.name} as ${alias} } from ${from};`)
  }
  return lines.join("\n")
}

const directIndexImports = {
  name: "direct-index-imports",
  setup(b) {
    b.onLoad({ filter: /[\\/](apps[\\/]cli|packages[\\/][\w-]+)[\\/]dist[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replace(/^(import|export) \{([^}]*)\} from "([^"]+)";?$/gm, directImports),
      loader: "js"
    }))
  }
}

const worker = fileURLToPath(new URL("./metrics/json-worker.js", import.meta.resolve("@assay/core")))

const settings = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Native addons and drivers with optional native parts stay installed packages, loaded at run time. So does
  // tiktoken (required by Anthropic's tokenizer when @effect/ai-anthropic loads): it finds its .wasm file
  // next to its own module through `__dirname`, which a bundled copy has no meaningful value for.
  external: ["better-sqlite3", "pg", "pg-native", "tiktoken"],
  // Not bundled either, nor listed: ajv and re2js, which @assay/core loads with `createRequire` when a schema
  // or pattern is first compiled (the CLI lists them as dependencies so that they resolve from dist/).
  // Bundled CommonJS dependencies (yaml, csv-parse, …) call `require` for Node built-ins: give the module one.
  banner: { js: "import { createRequire as __assayCreateRequire } from \"node:module\"; const require = __assayCreateRequire(import.meta.url);" },
  // Unminified: stack traces of unexpected failures stay readable (minifying saved no measurable start-up time).
  sourcemap: false,
  plugins: [directIndexImports],
  logLevel: "warning"
}

// Code splitting: what is only reached through a dynamic `import()` (the @effect/ai providers, …) goes to
// chunks beside the entry, dist/assay-*.mjs, loaded when first used, so a run that does not need them does not
// parse them at start-up. The chunks sit in dist/ itself, not a subfolder: bundled code finds the json worker
// beside `import.meta.url`, which in a chunk is the chunk's own URL.
const chunk = /^assay-.+\.mjs$/
for (const name of readdirSync(here("./dist"))) if (chunk.test(name)) rmSync(here(`./dist/${name}`))

// The viewer's front end (apps/cli/viewer, Preact): one minified browser script and one stylesheet in
// dist/viewer, which `assay view` serves and `--html` inlines. No source map: the self-contained page must
// stay one file.
const viewer = { bundle: true, minify: true, logLevel: "warning", legalComments: "none" }
await build({ ...viewer, entryPoints: [here("./viewer/src/main.tsx")], outfile: here("./dist/viewer/app.js"), platform: "browser", format: "esm", target: "es2022", jsx: "automatic", jsxImportSource: "preact" })
await build({ ...viewer, entryPoints: [here("./viewer/src/app.css")], outfile: here("./dist/viewer/app.css") })

// The worker and the viewer first: test/cli/harness.ts checks that assay.mjs is newer than every compiled module.
await build({ ...settings, entryPoints: [worker], outfile: here("./dist/json-worker.js") })
const cli = await build({
  ...settings,
  entryPoints: { assay: here("./dist/main.js") },
  outdir: here("./dist"),
  outExtension: { ".js": ".mjs" },
  splitting: true,
  chunkNames: "assay-[name]-[hash]",
  metafile: process.env.ASSAY_BUNDLE_METAFILE !== undefined
})
// ASSAY_BUNDLE_METAFILE=<file>: esbuild's metafile of the CLI bundle (which module went to which chunk, and who
// imports it), for finding what lands on the start path.
if (cli.metafile !== undefined) writeFileSync(process.env.ASSAY_BUNDLE_METAFILE, JSON.stringify(cli.metafile))
