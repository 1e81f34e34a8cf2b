import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema, SchemaAST } from "effect"
import { deterministicFactories, type MetricFactory } from "@assay/core"
import { scorePair } from "./helpers.js"

const byId = (id: string): MetricFactory => deterministicFactories.find((f) => f.id === id)!
const decode = (id: string, params: unknown) => Schema.decodeUnknownEither(byId(id).params)(params)
const errorOf = (id: string, params: unknown): string => {
  const r = decode(id, params)
  if (Either.isRight(r)) throw new Error(`expected ${id} to reject ${JSON.stringify(params)}`)
  return r.left.message
}
/** The property names of a params Schema (through a refinement, if any). */
const fieldNames = (schema: Schema.Schema.Any): ReadonlyArray<string> => {
  const ast = SchemaAST.isRefinement(schema.ast) ? schema.ast.from : schema.ast
  return SchemaAST.getPropertySignatures(ast).map((p) => String(p.name))
}
const required = new Map<string, unknown>([["regex", { pattern: "x" }], ["json-schema", { schema: { type: "object" } }]])

describe("deterministicFactories", () => {
  it("has the eleven kebab-case ids", () => {
    expect(deterministicFactories.map((f) => f.id)).toEqual([
      "exact-match", "contains", "contains-all", "contains-any", "regex", "json-valid", "json-schema", "levenshtein", "bleu", "rouge", "tool-correctness"
    ])
  })

  it("each documents exactly its params, including threshold, strict and name", () => {
    for (const f of deterministicFactories) {
      const names = fieldNames(f.params)
      expect(names, f.id).toEqual(expect.arrayContaining(["threshold", "strict", "name"]))
      expect([...f.paramsDoc.map((d) => d.name)].sort(), f.id).toEqual([...names].sort())
    }
  })

  it("each builds a metric named by its id from minimal params, with version and options in the config", () => {
    for (const f of deterministicFactories) {
      const params = Either.getOrThrow(decode(f.id, required.get(f.id) ?? {}))
      const metric = f.make(params)
      expect(metric.name).toBe(f.id)
      // regex and json-schema are at version 2 since user patterns run on RE2
      expect(metric.config).toMatchObject({ metric: f.id, version: f.id === "regex" || f.id === "json-schema" ? 2 : 1 })
    }
  })

  it.effect("decoded params reach the metric", () =>
    Effect.gen(function*() {
      const params = Either.getOrThrow(decode("exact-match", { caseSensitive: false, threshold: 0.5, strict: true, name: "ci" }))
      const metric = byId("exact-match").make(params)
      expect(metric).toMatchObject({ name: "ci", threshold: 0.5, strict: true })
      expect((yield* scorePair(metric, "PARIS", "paris")).score).toBe(1)
      const rouge = byId("rouge").make(Either.getOrThrow(decode("rouge", { variant: "rougeL" })))
      expect(rouge.config).toMatchObject({ variant: "rougeL" })
    }))

  it("rejects unknown keys, so typos are not silently ignored", () => {
    expect(errorOf("bleu", { treshold: 0.3 })).toContain(`["treshold"]\n   └─ is unexpected`)
  })

  it("rejects bad values with the field and the constraint", () => {
    expect(errorOf("levenshtein", { threshold: 2 })).toMatch(/\["threshold"\][\s\S]*Expected a number between 0 and 1, actual 2/)
    expect(errorOf("rouge", { variant: "rougeN" })).toMatch(/\["variant"\]\n\s+└─ "rouge1" \| "rouge2" \| "rougeL"[\s\S]*actual "rougeN"/)
    expect(errorOf("bleu", { maxN: 2.5 })).toMatch(/\["maxN"\][\s\S]*Expected an integer, actual 2\.5/)
    expect(errorOf("contains-all", { values: [] })).toMatch(/\["values"\]/)
  })

  it("a missing required parameter is named", () => {
    expect(errorOf("regex", {})).toMatch(/\["pattern"\]\n\s+└─ is missing/)
    expect(errorOf("json-schema", {})).toMatch(/\["schema"\]\n\s+└─ is missing/)
  })

  it("an invalid pattern or schema is a decode error, not a thrown exception", () => {
    expect(errorOf("regex", { pattern: "(" })).toMatch(/\["pattern"\][\s\S]*invalid pattern "\(": .*Unterminated group/)
    expect(errorOf("regex", { pattern: "a", flags: "gx" })).toContain(`flags "gx" are not allowed`)
    expect(errorOf("json-schema", { schema: { type: "strin" } })).toMatch(/\["schema"\][\s\S]*schema is invalid/)
  })
})
