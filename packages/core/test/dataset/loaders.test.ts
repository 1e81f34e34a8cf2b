import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { caseLine } from "../../src/dataset/json.js"
import { loadDataset } from "../../src/dataset/index.js"
import { rowToRaw } from "../../src/dataset/csv.js"

const file = (name: string, content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "assay-ds-")), name)
  writeFileSync(path, content)
  return path
}

const collect = (path: string) => Stream.runCollect(loadDataset(path)).pipe(Effect.map(Chunk.toArray), Effect.provide(NodeFileSystem.layer))

describe("JSONL loader", () => {
  it.effect("keeps multi-byte text and line numbers intact across 1 MiB read chunks", () =>
    Effect.gen(function*() {
      // ~1.3 MB of lines whose 3-byte characters straddle the chunk boundary somewhere
      const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ input: `${i} ` + "€".repeat(150), actual_output: "ok" }))
      const path = file("big.jsonl", lines.join("\r\n") + "\n\n")
      const cases = yield* collect(path)
      expect(cases).toHaveLength(3000)
      expect(cases.every((c, i) => c._tag === "LLMTestCase" && c.input === `${i} ` + "€".repeat(150))).toBe(true)
      const bad = file("bad.jsonl", lines.slice(0, 2999).join("\n") + '\n{"input": 1}\n')
      const error = yield* Effect.flip(collect(bad))
      expect(error.message).toMatch(/bad\.jsonl:3000: input: Expected string, actual 1$/)
    }))

  it.effect("a run of the stream is independent of the previous one (line numbers restart)", () =>
    Effect.gen(function*() {
      const path = file("twice.jsonl", '{"input":"a"}\n{"input":"b"}\n{"oops"}\n')
      const first = yield* Effect.flip(collect(path))
      const second = yield* Effect.flip(collect(path))
      expect(first.message).toContain("twice.jsonl:3: invalid JSON")
      expect(second.message).toBe(first.message)
    }))
})

describe("JSON and CSV helpers", () => {
  it("finds the line of a case's field in pretty-printed JSON", () => {
    const text = '{\n  "goldens": [\n    {"input": "a"},\n    {\n      "input": "b",\n      "expected_output": 3\n    }\n  ]\n}'
    expect(caseLine(text, "goldens", 1, "expectedOutput")).toBe(6)
    expect(caseLine(text, "goldens", 1, undefined)).toBe(4)
    expect(caseLine(text, "goldens", 5, undefined)).toBeUndefined()
    expect(caseLine("[{\"input\": 1} oops", undefined, 0, "input")).toBeUndefined() // unparseable: no line
  })

  it("splits list columns on |, parses JSON columns, drops empty cells", () => {
    expect(rowToRaw({ input: "q", context: " a | b ||c", tools_called: '[{"name":"search"}]', expected_output: "" }, "c.csv", 2))
      .toEqual(Either.right({ input: "q", context: ["a", "b", "c"], tools_called: [{ name: "search" }] }))
    const bad = rowToRaw({ input: "q", metadata: "{nope" }, "c.csv", 7)
    expect(Either.isLeft(bad) && bad.left.message).toMatch(/^c\.csv:7: column metadata: invalid JSON/)
  })
})
