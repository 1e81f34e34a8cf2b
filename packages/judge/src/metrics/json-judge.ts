/**
 * JSON correctness, judged: for outputs whose expected structure is only described in words (the judge-free
 * `json-schema` metric needs a JSON Schema). The actual output must first parse as JSON — otherwise the score
 * is 0 and the judge is not called; then the judge decides whether the value matches the described structure:
 * 1 when it does, 0 when it does not.
 *
 * @example
 * ```ts
 * jsonCorrectnessJudge({ expectedStructure: "an object with a string `name` and a list of integer `scores`" })
 * ```
 */
import type { Metric } from "@assay/core"
import { Effect, Either, Schema } from "effect"
import type { Judge } from "../judge.js"
import { fieldText } from "./fields.js"
import { judgeMetric, type JudgeMetricOptions, Verdict } from "./judge-metric.js"

/**
 * JSON-correctness-judge prompt templates.
 *
 * @since 0.1.0
 */
export const jsonCorrectnessTemplates = {
  verdict: `Decide whether a JSON value has the expected structure.

Expected structure:
{{structure}}

JSON value:
{{json}}

Answer "yes" when the value has that structure (required keys present, types and nesting as described) and "no" otherwise, with a short reason naming what differs.

Reply with JSON only: {"verdict": "yes"|"no", "reason": "..."}`
}

/**
 * JSON-correctness-judge options.
 *
 * @example
 * ```ts
 * const options: JsonCorrectnessJudgeOptions = { expectedStructure: "a list of {id, title} objects" }
 * ```
 * @since 0.1.0
 */
export interface JsonCorrectnessJudgeOptions extends JudgeMetricOptions {
  /** The expected structure in words. */
  readonly expectedStructure: string
}

const parseJson = Schema.decodeUnknownEither(Schema.parseJson())

/**
 * JSON correctness (judged); see the module doc.
 *
 * @example
 * ```ts
 * jsonCorrectnessJudge({ expectedStructure: "an object with `answer` (string) and `confidence` (0..1)" })
 * ```
 * @since 0.1.0
 */
export const jsonCorrectnessJudge = (options: JsonCorrectnessJudgeOptions): Metric.Metric<Judge> =>
  judgeMetric({
    name: "json-correctness-judge",
    version: "1",
    templates: jsonCorrectnessTemplates,
    requires: ["actualOutput"],
    options,
    config: { expectedStructure: options.expectedStructure },
    score: (testCase, ctx) => {
      const text = fieldText(testCase, "actualOutput")
      const parsed = parseJson(text)
      if (Either.isLeft(parsed)) return Effect.succeed({ score: 0, reason: "the actual output is not valid JSON" })
      return Effect.map(
        ctx.ask(Verdict, "verdict", { structure: options.expectedStructure, json: JSON.stringify(parsed.right, null, 2) }),
        (v) => ({ score: v.verdict === "yes" ? 1 : 0, reason: v.reason ?? `structure ${v.verdict === "yes" ? "matches" : "differs"}` })
      )
    }
  })
