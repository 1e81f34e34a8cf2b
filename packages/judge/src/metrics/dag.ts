/**
 * The DAG metric (deep acyclic graph): a decision tree of judge nodes (see `./dag-schema.ts`) walked from the
 * root — each judgement node asks the judge one question and follows the branch of its answer, task nodes add
 * the judge's text for the nodes below, and the leaf reached gives the score (a fixed verdict score, or a
 * G-Eval score). Given the judge's answers the result is deterministic: one path, one call per node on it.
 * The reason is that path: `root: yes (why) → "tone": formal → 0.80`.
 *
 * @example
 * ```ts
 * const format = dag({ name: "answer-format", root: {
 *   type: "binary", criteria: "Does the output start with a one-line summary?",
 *   yes: { type: "verdict", score: 1 }, no: { type: "verdict", score: 0 } } })
 * ```
 */
import { type CaseField, type Metric, MetricError, type TestCase } from "@assay/core"
import { Effect, Schema } from "effect"
import type { Judge } from "../judge.js"
import { childrenOf, type DagNode, nodeName, validateDag } from "./dag-schema.js"
import { fieldsBlock } from "./fields.js"
import { gEvalScore, templates as gEvalTemplates } from "./g-eval.js"
import { type JudgeContext, judgeMetric, type JudgeMetricOptions, type Scored } from "./judge-metric.js"

/**
 * DAG prompt templates (plus G-Eval's `steps` and `score` for G-Eval leaves).
 *
 * @since 0.1.0
 */
export const dagTemplates = {
  ...gEvalTemplates,
  task: `Carry out the following instructions on the test case below and reply with the result as text.

Instructions:
{{instructions}}

{{fields}}

Reply with JSON only: {"output": "..."}`,
  binary: `Answer the following question about the test case below with true or false.

Question:
{{criteria}}

{{fields}}

Reply with JSON only: {"verdict": true|false, "reason": "..."}`,
  choice: `Answer the following question about the test case below by choosing exactly one of the allowed verdicts.

Question:
{{criteria}}

Allowed verdicts: {{options}}

{{fields}}

Reply with JSON only: {"verdict": "<one of the allowed verdicts>", "reason": "..."}`
}

/**
 * DAG options: a name for the results and the tree's root.
 *
 * @example
 * ```ts
 * const options: DagOptions = { name: "format", root: { type: "verdict", score: 1 } }
 * ```
 * @since 0.1.0
 */
export interface DagOptions extends JudgeMetricOptions {
  readonly name: string
  readonly root: DagNode
  /** G-Eval leaves: top alternatives for the score token (default 20; 0 disables). */
  readonly topLogprobs?: number | undefined
}

const DEFAULT_FIELDS: ReadonlyArray<CaseField> = ["input", "actualOutput"]

const TaskOutput = Schema.Struct({ output: Schema.String })
const BinaryAnswer = Schema.Struct({ verdict: Schema.Boolean, reason: Schema.optional(Schema.NullOr(Schema.String)) })

/**
 * Every case field some node of the tree shows the judge (the metric's required fields).
 *
 * @since 0.1.0
 */
export const dagFields = (root: DagNode): ReadonlyArray<CaseField> => {
  const fields = new Set<CaseField>()
  const visit = (node: DagNode, depth: number): void => {
    if (depth > 64) return
    const own = "evaluationParams" in node && node.evaluationParams !== undefined ? node.evaluationParams : node.type === "verdict" ? [] : DEFAULT_FIELDS
    for (const f of own) fields.add(f)
    for (const [, next] of childrenOf(node)) visit(next, depth + 1)
  }
  visit(root, 0)
  return [...fields]
}

/** One step of the walk: where, what the judge answered, and why. */
interface Step {
  readonly name: string
  readonly answer: string
  readonly reason?: string | null | undefined
}

const describePath = (steps: ReadonlyArray<Step>, leaf: Scored): string =>
  [...steps.map((s) => `${s.name}: ${s.answer}${s.reason ? ` (${s.reason})` : ""}`), `${leaf.score.toFixed(2)}${leaf.reason ? ` (${leaf.reason})` : ""}`]
    .join(" → ")

/** The walk: see the module doc. `outputs` are the task nodes' results so far. */
const walk = (
  options: DagOptions,
  testCase: TestCase,
  ctx: JudgeContext,
  node: DagNode,
  path: ReadonlyArray<PropertyKey>,
  outputs: ReadonlyArray<string>,
  steps: ReadonlyArray<Step>
): Effect.Effect<Scored, MetricError, Judge> =>
  Effect.gen(function*() {
    const name = nodeName(node, path).replace(/^node /, "")
    const fields = [fieldsBlock(testCase, ("evaluationParams" in node ? node.evaluationParams : undefined) ?? DEFAULT_FIELDS), ...outputs]
      .join("\n\n")
    switch (node.type) {
      case "verdict": {
        const leaf = { score: node.score, reason: node.reason }
        return { score: node.score, reason: describePath(steps, leaf) }
      }
      case "g-eval": {
        const leaf = yield* gEvalScore(ctx, {
          name: options.name,
          criteria: node.criteria,
          evaluationSteps: node.evaluationSteps,
          params: (node.evaluationParams ?? DEFAULT_FIELDS).join(", "),
          fields,
          topLogprobs: options.topLogprobs ?? 20
        })
        return { score: leaf.score, reason: describePath([...steps, { name, answer: "g-eval" }], leaf) }
      }
      case "task": {
        const { output } = yield* ctx.ask(TaskOutput, "task", { instructions: node.instructions, fields })
        return yield* walk(options, testCase, ctx, node.then, [...path, "then"], [...outputs, `${node.label}:\n${output}`], [
          ...steps,
          { name, answer: `${node.label} written` }
        ])
      }
      case "binary": {
        const answer = yield* ctx.ask(BinaryAnswer, "binary", { criteria: node.criteria, fields })
        const branch = answer.verdict ? "yes" : "no"
        return yield* walk(options, testCase, ctx, node[branch], [...path, branch], outputs, [
          ...steps,
          { name, answer: branch, reason: answer.reason }
        ])
      }
      case "choice": {
        const verdicts = node.options.map((o) => o.verdict)
        const Answer = Schema.Struct({
          verdict: Schema.Literal(...(verdicts as [string, ...Array<string>])),
          reason: Schema.optional(Schema.NullOr(Schema.String))
        })
        const answer = yield* ctx.ask(Answer, "choice", { criteria: node.criteria, options: verdicts.map((v) => JSON.stringify(v)).join(", "), fields })
        const i = verdicts.indexOf(answer.verdict)
        return yield* walk(options, testCase, ctx, node.options[i]!.then, [...path, "options", i, "then"], outputs, [
          ...steps,
          { name, answer: JSON.stringify(answer.verdict), reason: answer.reason }
        ])
      }
    }
  })

/**
 * Build a DAG metric; see the module doc. A tree with problems (see `validateDag`) gives a metric whose every
 * measurement fails with a MetricError listing them — config files are checked earlier, when they are decoded.
 *
 * @example
 * ```ts
 * dag({ name: "polite", root: { type: "binary", criteria: "Is the reply polite?", yes: { type: "verdict", score: 1 }, no: { type: "verdict", score: 0 } } })
 * ```
 * @since 0.1.0
 */
export const dag = (options: DagOptions): Metric.Metric<Judge> => {
  const issues = validateDag(options.root)
  return judgeMetric({
    name: options.name,
    version: "1",
    templates: dagTemplates,
    requires: dagFields(options.root),
    options,
    config: { metric: "dag", root: issues.length === 0 ? options.root : null, topLogprobs: options.topLogprobs ?? 20 },
    score: (testCase, ctx) =>
      issues.length > 0
        ? Effect.fail(new MetricError({ metric: options.name, message: `invalid DAG: ${issues.map((i) => i.message).join("; ")}` }))
        : walk(options, testCase, ctx, options.root, ["root"], [], [])
  })
}
