#!/usr/bin/env node
// Bundle the `assay` CLI into one ES module, dist/assay.mjs, from tsc's output (run after `tsc -b`; the root
// `build`, `prepare` and `test` scripts do both). Why: unbundled, every start resolved, read and compiled ~1,000
// ESM files (effect, @effect/*, undici, …) — about 1.5 s of a 2.2 s `assay run` on ten cases, measured with
// --cpu-prof; bundled, the same run takes 0.7 s. esbuild does the work; this file only holds its settings.
// The json-schema metric's worker thread is a second entry point, dist/json-worker.js: @assay/core starts it
// from the file beside the running module (`new URL("./json-worker.js", import.meta.url)`), here the bundle.
//   node apps/cli/bundle.mjs
import { build } from "esbuild"
import { fileURLToPath } from "node:url"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

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
  // Bundled CommonJS dependencies (yaml, csv-parse, …) call `require` for Node built-ins: give the module one.
  banner: { js: "import { createRequire as __assayCreateRequire } from \"node:module\"; const require = __assayCreateRequire(import.meta.url);" },
  // Unminified: stack traces of unexpected failures stay readable (minifying saved no measurable start-up time).
  sourcemap: false,
  logLevel: "warning"
}

// The worker first: test/cli/harness.ts checks that assay.mjs is newer than every compiled module.
await build({ ...settings, entryPoints: [worker], outfile: here("./dist/json-worker.js") })
await build({ ...settings, entryPoints: [here("./dist/main.js")], outfile: here("./dist/assay.mjs") })
