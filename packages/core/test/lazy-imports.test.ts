/**
 * What importing `@assay/core` loads: the parsers of the dataset readers (csv-parse, @streamparser/json, yaml,
 * @effect/platform-node's streams) are reached only through dynamic `import()`, when a file of their format is
 * first read, and Ajv and re2js are required when a schema or pattern is first compiled, so a program that
 * never reads a file nor builds a json-schema or regex metric does not load them.
 */
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const SRC = join(dirname(fileURLToPath(import.meta.url)), "../src")

/** The packages imported statically by `entry` and the sources it reaches through static relative imports. */
const staticPackages = (entry: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> => {
  if (seen.has(entry)) return packages
  seen.add(entry)
  const text = readFileSync(entry, "utf8")
  for (const m of text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+"([^"]+)"/gm)) {
    const spec = m[1]!
    if (spec.startsWith(".")) staticPackages(resolve(dirname(entry), spec.replace(/\.js$/, ".ts")), seen, packages)
    else packages.add(spec)
  }
  return packages
}

describe("the main entry of @assay/core", () => {
  it("does not import the dataset parsers statically; the readers import them", () => {
    const main = [...staticPackages(join(SRC, "index.ts"))]
    for (const parser of ["csv-parse", "@streamparser/json", "yaml", "@effect/platform-node/NodeStream"]) expect(main).not.toContain(parser)
    expect([...staticPackages(join(SRC, "dataset/csv.ts"))]).toContain("csv-parse")
    expect([...staticPackages(join(SRC, "dataset/json.ts"))]).toEqual(expect.arrayContaining(["@streamparser/json", "yaml"]))
  })
})

describe("Ajv and re2js", () => {
  it("are not imported statically by any module of @assay/core", () => {
    const all = [...staticPackages(join(SRC, "index.ts")), ...staticPackages(join(SRC, "metrics/json-worker.ts"))]
    expect(all).not.toContain("ajv")
    expect(all).not.toContain("re2js")
  })
})
