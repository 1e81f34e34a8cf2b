/**
 * The bundle's start path: the modules `assay` loads before running any command (dist/assay.mjs and the chunks
 * it imports statically) hold no undici — it is loaded when a model or HTTP client is first built — and do not
 * import node-postgres, which only a run on Postgres (ASSAY_DATABASE_URL) loads. Nor does it hold @effect/cluster:
 * only `assay runner` and `assay run --cluster` load it; nor the viewer's HTTP server, which `assay view` loads;
 * nor the judge's providers (with @effect/ai) or yaml, which a run loads when it uses a judge or a YAML config;
 * nor Ajv and re2js, required from node_modules when a json-schema or regex metric is built.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { requireBuild, ROOT } from "./harness.js"

beforeAll(requireBuild)

const DIST = join(ROOT, "apps/cli/dist")

/** Every module reached from `entry` through static imports of sibling files. */
const staticGraph = (entry: string, seen = new Set<string>()): Set<string> => {
  if (seen.has(entry)) return seen
  seen.add(entry)
  const text = readFileSync(join(DIST, entry), "utf8")
  for (const m of text.matchAll(/^(?:import\s+"\.\/([^"]+)"|\}\s+from\s+"\.\/([^"]+)"|import\s+[^"(]*from\s+"\.\/([^"]+)");?$/gm)) {
    staticGraph(m[1] ?? m[2] ?? m[3]!, seen)
  }
  return seen
}

/** The start-path files and the lazily loaded chunks that hold the bundled modules under `marker` (a path as esbuild notes it). */
const holders = (marker: string) => {
  const graph = [...staticGraph("assay.mjs")]
  const holds = (file: string) => readFileSync(join(DIST, file), "utf8").includes(`// ${marker}`)
  const chunks = readdirSync(DIST).filter((file) => /^assay-.+\.mjs$/.test(file) && !graph.includes(file))
  return { onStartPath: graph.filter(holds), inChunks: chunks.filter(holds) }
}

describe("the bundle's start path", () => {
  it("does not include undici or import pg; undici sits in a chunk loaded by dynamic import", () => {
    const graph = [...staticGraph("assay.mjs")]
    expect(graph.length).toBeGreaterThan(1)
    const withUndici = graph.filter((file) => readFileSync(join(DIST, file), "utf8").includes("// node_modules/undici/"))
    expect(withUndici).toEqual([])
    const withPg = graph.filter((file) => /^import .* from "pg";$/m.test(readFileSync(join(DIST, file), "utf8")))
    expect(withPg).toEqual([])
    // Still bundled, in a chunk outside the start path that a dynamic import() reaches.
    const chunks = readdirSync(DIST).filter((file) => /^assay-.+\.mjs$/.test(file) && !graph.includes(file))
    expect(chunks.some((file) => readFileSync(join(DIST, file), "utf8").includes("// node_modules/undici/"))).toBe(true)
  })

  it("does not include @effect/cluster, which a chunk loaded by `runner` and `run --cluster` holds", () => {
    const graph = [...staticGraph("assay.mjs")]
    const withCluster = graph.filter((file) => readFileSync(join(DIST, file), "utf8").includes("// node_modules/@effect/cluster/"))
    expect(withCluster).toEqual([])
    const chunks = readdirSync(DIST).filter((file) => /^assay-.+\.mjs$/.test(file) && !graph.includes(file))
    expect(chunks.some((file) => readFileSync(join(DIST, file), "utf8").includes("// node_modules/@effect/cluster/"))).toBe(true)
  })

  it("does not hold @effect/platform's HTTP server and HttpApi, which the chunk `assay view` loads holds", () => {
    // Imports of a package index are rewritten to the modules they name (bundle.mjs): through the index, every
    // module a lazy chunk uses was reachable, so shared, from the start path.
    for (const marker of ["node_modules/@effect/platform/dist/esm/HttpServer.js", "node_modules/@effect/platform/dist/esm/HttpApiBuilder.js", "node_modules/find-my-way-ts/"]) {
      const { onStartPath, inChunks } = holders(marker)
      expect(onStartPath, marker).toEqual([])
      expect(inChunks.length, marker).toBeGreaterThan(0)
    }
  })

  it("does not hold the judge's providers, @effect/ai or yaml: a run imports them when it uses them", () => {
    for (const marker of ["packages/judge/dist/providers/openai.js", "packages/judge/dist/providers/anthropic.js", "packages/judge/dist/providers/gemini.js", "packages/judge/dist/providers/bedrock.js", "node_modules/@effect/ai/", "node_modules/yaml/"]) {
      const { onStartPath, inChunks } = holders(marker)
      expect(onStartPath, marker).toEqual([])
      expect(inChunks.length, marker).toBeGreaterThan(0)
    }
  })

  it("does not bundle Ajv or re2js: @assay/core requires them when a schema or pattern is first compiled", () => {
    for (const marker of ["node_modules/ajv/", "node_modules/re2js/"]) {
      const { onStartPath, inChunks } = holders(marker)
      expect([...onStartPath, ...inChunks], marker).toEqual([])
    }
  })
})
