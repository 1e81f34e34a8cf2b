import { describe, expect, it } from "vitest"
import { Either, ParseResult, Schema } from "effect"
import { type DagNode, judgeFactories, validateDag } from "@assay/judge"

const factory = judgeFactories.find((f) => f.id === "dag")!

/** The decode issues of a `dag` config entry, as `path: message` lines. */
const problems = (params: unknown): ReadonlyArray<string> => {
  const decoded = Schema.decodeUnknownEither(factory.params, { errors: "all", onExcessProperty: "error" })(params)
  if (Either.isRight(decoded)) return []
  return ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((i) => `${i.path.join(".")}: ${i.message}`)
}

const yes = { type: "verdict", score: 1 }
const no = { type: "verdict", score: 0 }

describe("DAG config validation", () => {
  it("a good tree decodes", () => {
    expect(problems({ name: "ok", root: { type: "binary", criteria: "c", yes, no } })).toEqual([])
  })

  it("schema errors carry the node's path", () => {
    const issues = problems({ name: "x", root: { type: "binary", criteria: "c", yes: { type: "verdict", score: 2 }, no } })
    expect(issues.join("\n")).toMatch(/^root\.yes\.score: Expected a number between 0 and 1, actual 2/m)
    expect(problems({ name: "x", root: { type: "binary", criteria: "c", yes } }).join("\n")).toMatch(/root\.no: is missing/)
    expect(problems({ name: "x", root: { type: "verdict", score: 1, colour: "red" } }).join("\n")).toMatch(/root\.colour: is unexpected/)
    expect(problems({ name: "x", root: { type: "loop" } }).join("\n")).toMatch(/root\.type: Expected "task" \| "binary" \| "choice" \| "verdict" \| "g-eval", actual "loop"/)
  })

  it("tree rules name the node by id and path", () => {
    const root = {
      type: "choice",
      id: "tone",
      criteria: "tone?",
      options: [
        { verdict: "formal", then: { type: "choice", criteria: "c", options: [{ verdict: "a", then: yes }] } },
        { verdict: "formal", then: { type: "g-eval", id: "tone" } }
      ]
    }
    expect(problems({ name: "x", root })).toEqual([
      "root.options.1.verdict: node \"tone\" (root): the verdict \"formal\" is listed twice",
      "root.options.0.then.options: node root.options[0].then: a choice needs at least 2 options, it has 1",
      "root.options.1.then: node \"tone\" (root.options[1].then): a g-eval leaf needs criteria or evaluationSteps",
      "root.options.1.then.id: node \"tone\" (root.options[1].then): the id \"tone\" is already used by the node at root"
    ])
  })

  it("a tree built in code that contains itself is a cycle, not a stack overflow", () => {
    const loop: { type: "binary"; criteria: string; yes: DagNode; no: DagNode } = { type: "binary", criteria: "c", yes: { type: "verdict", score: 1 }, no: { type: "verdict", score: 0 } }
    loop.no = loop
    expect(validateDag(loop).map((i) => i.message)).toEqual(["node root.no: the node contains itself (a cycle)"])
  })
})
