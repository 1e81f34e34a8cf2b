import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import { createHash } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { caseLine } from "../../src/dataset/json.js"
import { datasetDigest, loadDataset } from "../../src/dataset/index.js"
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

describe("datasetDigest", () => {
  const digestOf = (bytes: Buffer) => {
    const path = join(mkdtempSync(join(tmpdir(), "assay-ds-")), "d.jsonl")
    writeFileSync(path, bytes)
    return datasetDigest(path).pipe(Effect.provide(NodeFileSystem.layer))
  }
  const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex")
  const MiB = 1 << 20

  it.effect("hashes UTF-8 whose characters straddle the 1 MiB read chunks, and refuses bytes that are not UTF-8", () =>
    Effect.gen(function*() {
      // A 4-byte, a 3-byte and a 2-byte character cut by the first, second and third chunk boundaries.
      const straddling = Buffer.concat([
        Buffer.alloc(MiB - 2, "a"), Buffer.from("😀"), Buffer.alloc(MiB - 5, "b"), Buffer.from("€"), Buffer.alloc(MiB - 4, "c"), Buffer.from("é\n")
      ])
      expect(yield* digestOf(straddling)).toEqual(Option.some(sha(straddling)))
      // A lone continuation byte right after a boundary, a character cut short by the end of the file, and a
      // lead byte left dangling at a boundary are each not UTF-8.
      const lone = Buffer.concat([Buffer.alloc(MiB, "a"), Buffer.from([0x80]), Buffer.from("ok\n")])
      expect(yield* digestOf(lone)).toEqual(Option.none())
      expect(yield* digestOf(Buffer.concat([Buffer.alloc(MiB + 10, "a"), Buffer.from("€").subarray(0, 2)]))).toEqual(Option.none())
      expect(yield* digestOf(Buffer.concat([Buffer.alloc(MiB - 1, "a"), Buffer.from([0xe2]), Buffer.from("ok\n")]))).toEqual(Option.none())
    }))
})
