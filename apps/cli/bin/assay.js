#!/usr/bin/env node
// The bundled CLI (`npm run build`: tsc, then apps/cli/bundle.mjs): one module to load instead of ~1,000.
// Eval files are the exception: they import effect and @assay/* from node_modules, and a Tag, Schema or
// Eval from those copies must be the very module the engine runs with — the bundle embeds its own copies —
// so `assay run <eval file | folder | glob>` starts the unbundled CLI (dist/main.js), which imports the same
// node_modules. So does `assay runner`, which may be asked to evaluate an eval file's cases. The test below
// only looks at argv (and stats at most one path).
import { statSync } from "node:fs"
import module from "node:module"

// Node 22.1 and later keep V8's compiled code of every module loaded here in an on-disk cache, so a start
// after the first skips compiling the bundle (or, for eval files, effect and @assay/* module by module).
// Node 20 has no such cache: the call is skipped.
module.enableCompileCache?.()

const args = process.argv.slice(2)
const run = args.indexOf("run")
const evalTarget = (arg) => {
  if (arg.startsWith("-")) return false
  if (/\.(?:ts|mts|cts|js|mjs|cjs)$/i.test(arg) || /[*?[\]{}]/.test(arg)) return true
  try {
    return statSync(arg).isDirectory()
  } catch {
    return false
  }
}
const evals = run >= 0 && args.slice(0, run).every((a) => a.startsWith("-")) && args.slice(run + 1).some(evalTarget)
// A cluster runner may be asked to evaluate an eval file's cases, so it runs unbundled too (it starts once).
const runner = args[0] === "runner"

if (evals || runner) await import("../dist/main.js")
else await import("../dist/assay.mjs")
