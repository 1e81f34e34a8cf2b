import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { jsonSchema, jsonValid } from "@assay/core"
import { scorePair } from "./helpers.js"

const person = {
  type: "object",
  properties: {
    name: { type: "string" },
    age: { type: "integer", minimum: 0 },
    tags: { type: "array", items: { enum: ["a", "b"] } }
  },
  required: ["name", "age"],
  additionalProperties: false
}

describe("jsonValid", () => {
  it.effect("1 for JSON of any type, 0 with the parser's message otherwise", () =>
    Effect.gen(function*() {
      const m = jsonValid()
      for (const ok of [`{"a": [1, 2]}`, "3", `"s"`, "null", " [ ] "]) expect((yield* scorePair(m, ok)).score).toBe(1)
      const bad = yield* scorePair(m, `{"a": 1,}`)
      expect(bad.score).toBe(0)
      expect(bad.reason).toMatch(/^not valid JSON: .*position 8/)
      expect((yield* scorePair(m, "")).score).toBe(0)
    }))

  it.effect("stripCodeFence accepts Markdown-fenced JSON", () =>
    Effect.gen(function*() {
      const fenced = "```json\n{\"a\": 1}\n```"
      expect((yield* scorePair(jsonValid(), fenced)).score).toBe(0)
      expect((yield* scorePair(jsonValid({ stripCodeFence: true }), fenced)).score).toBe(1)
      expect((yield* scorePair(jsonValid({ stripCodeFence: true }), "```\n[1]\n```\n")).score).toBe(1)
    }))
})

describe("jsonSchema", () => {
  it.effect("1 when the output conforms", () =>
    Effect.gen(function*() {
      const o = yield* scorePair(jsonSchema({ schema: person }), `{"name": "Ada", "age": 36, "tags": ["a"]}`)
      expect(o).toEqual({ score: 1, reason: "conforms to the schema" })
    }))

  it.effect("lists every violation with its JSON pointer", () =>
    Effect.gen(function*() {
      const o = yield* scorePair(jsonSchema({ schema: person }), `{"age": -1, "tags": ["a", "c"], "extra": true}`)
      expect(o.score).toBe(0)
      expect(o.verbose).toEqual([
        `"": must have required property 'name'`,
        `"": must NOT have additional properties`,
        `"/age": must be >= 0`,
        `"/tags/1": must be equal to one of the allowed values ["a","b"]`
      ])
      expect(o.reason).toMatch(/^4 schema violations: "": must have required property 'name'; /)
    }))

  it.effect("output that is not JSON scores 0 with the parse error", () =>
    Effect.gen(function*() {
      const o = yield* scorePair(jsonSchema({ schema: person }), "Sure! Here is the JSON:")
      expect(o.score).toBe(0)
      expect(o.reason).toMatch(/^not valid JSON/)
    }))

  it.effect("boolean schemas", () =>
    Effect.gen(function*() {
      expect((yield* scorePair(jsonSchema({ schema: true }), "1")).score).toBe(1)
      expect((yield* scorePair(jsonSchema({ schema: false }), "1")).score).toBe(0)
    }))

  it("an invalid schema throws a RangeError at construction, unknown keywords included", () => {
    expect(() => jsonSchema({ schema: { type: "strin" } })).toThrow(RangeError)
    expect(() => jsonSchema({ schema: { type: "strin" } })).toThrow(/json-schema: option "schema" schema is invalid/)
    expect(() => jsonSchema({ schema: { type: "string", minLenght: 3 } })).toThrow(/unknown keyword: "minLenght"/)
    expect(() => jsonSchema({ schema: { $ref: "#/definitions/missing" } })).toThrow(/can't resolve reference/)
  })

  it("config carries the schema (the cache identity) and requires actualOutput only", () => {
    const m = jsonSchema({ schema: person })
    expect(m.config).toEqual({ metric: "json-schema", version: 2, schema: person, stripCodeFence: false, draft: "07" })
    expect(m.requires).toEqual(["actualOutput"])
  })
})

describe("jsonSchema patterns run on RE2 (linear time)", () => {
  it.effect("pattern and patternProperties: a catastrophic pattern answers at once, each pattern its own", () =>
    Effect.gen(function*() {
      const m = jsonSchema({
        schema: { type: "object", properties: { s: { type: "string", pattern: "^(a+)+$" } }, patternProperties: { "^x-": { type: "number" } } }
      })
      const o = yield* scorePair(m, JSON.stringify({ s: "a".repeat(40) + "!", "x-y": "no", other: "yes" }))
      expect(o.verbose).toEqual([`"/s": must match pattern "^(a+)+$"`, `"/x-y": must be number`])
      expect((yield* scorePair(m, JSON.stringify({ s: "aaa", "x-y": 1 }))).score).toBe(1)
    }))

  it("a pattern RE2 cannot run makes the schema invalid, naming the pattern", () => {
    expect(() => jsonSchema({ schema: { type: "string", pattern: "^(?!tmp)" } })).toThrow(
      `json-schema: option "schema" pattern "^(?!tmp)" uses a lookahead (?!…), which the linear-time regex engine (RE2) does not support`
    )
  })
})
