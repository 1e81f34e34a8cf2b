import { LLMTestCase } from "@assay/core"
import { describe, expect, it } from "@effect/vitest"
import { Either, Option, Schema } from "effect"
import { TargetConfig } from "../src/config/schema.js"
import { StoredTarget } from "../src/run/plan.js"
import { parseOutputPath, pick } from "../src/run/targets/json-path.js"
import { renderJson, renderText, templateProblems } from "../src/run/targets/placeholders.js"

const testCase = LLMTestCase.make({
  name: "fr",
  input: "Paris \"quoted\" {{name}}",
  context: ["a", "b"],
  metadata: { lang: "fr", nested: { k: 2 } }
})

describe("placeholders", () => {
  it("a whole-string placeholder becomes the field's JSON value; inside text it is spliced in; keys are untouched", () => {
    expect(renderJson({ q: "{{input}}", ctx: "{{ context }}", n: "{{metadata.nested.k}}", miss: "{{metadata.none}}", label: "case {{name}} #{{index}}", "{{input}}": 1, k: [true, "{{name}}"] }, testCase, 4))
      .toEqual({ q: "Paris \"quoted\" {{name}}", ctx: ["a", "b"], n: 2, miss: null, label: "case fr #4", "{{input}}": 1, k: [true, "fr"] })
  })

  it("substituted values are never substituted again", () => {
    expect(renderText("--q={{input}}", testCase, 0)).toBe("--q=Paris \"quoted\" {{name}}")
  })

  it("unknown placeholders and env references outside headers are reported with their path", () => {
    expect(templateProblems({ a: ["{{inptu}}"], b: "{{env.KEY}}", c: "{{metadata.x}}" }, false)).toEqual([
      expect.stringMatching(/^a\.0: unknown placeholder \{\{inptu\}\}/),
      "b: {{env.KEY}}: environment variables may be referenced in target.headers only"
    ])
  })
})

describe("output path", () => {
  const reply = { choices: [{ message: { content: "hi" } }], "odd key": { v: 1 }, answer: null }
  it.each([
    ["choices.0.message.content", "hi"],
    ["$.choices[0].message.content", "hi"],
    ["$[\"odd key\"].v", 1],
    ["$", reply],
    ["answer", null]
  ])("%s", (path, expected) => {
    expect(pick(reply, Either.getOrThrow(parseOutputPath(path)))).toEqual(Option.some(expected))
  })

  it("a missing step is none; a malformed path is refused", () => {
    expect(pick(reply, ["choices", "1"])).toEqual(Option.none())
    expect(pick(reply, ["choices", "length"])).toEqual(Option.none())
    for (const bad of ["a..b", ".a", "a[x]", "a]"]) expect(Either.isLeft(parseOutputPath(bad))).toBe(true)
  })
})

describe("stored target", () => {
  it("keeps headers as [name, template] pairs and reads them back", () => {
    const target = Schema.decodeUnknownSync(TargetConfig)({ model: "http://h/ask", headers: { Authorization: "Bearer {{env.T}}" }, output: "$.a" })
    const stored = Schema.encodeSync(StoredTarget)(target)
    expect(stored.headers).toEqual([["Authorization", "Bearer {{env.T}}"]])
    expect(Schema.decodeUnknownSync(StoredTarget)(stored)).toEqual(target)
  })

  it("refuses a credential header written in the config", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(TargetConfig)({ model: "http://h", headers: { "X-Api-Key": "abc123" } }))).toBe(true)
    expect(Either.isRight(Schema.decodeUnknownEither(TargetConfig)({ model: "http://h", headers: { "X-Client": "assay" } }))).toBe(true)
  })
})
