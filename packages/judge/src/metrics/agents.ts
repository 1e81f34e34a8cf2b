/**
 * Metrics for instructions and agents' tool calls.
 *
 * - **prompt-alignment** = instructions the actual output follows ÷ instructions. The judge gets the input, the
 *   output and the numbered instructions and answers one yes/no verdict per instruction.
 * - **argument-correctness** = tool calls whose input parameters are right for the input ÷ tool calls. No tool
 *   calls → 1 (nothing was passed wrongly).
 * - **tool-use** = min(selection, arguments): `selection` = calls of a tool that suits the input (given the
 *   available tools, when listed) ÷ calls; `arguments` as in argument-correctness. No tool calls → 1.
 *
 * @example
 * ```ts
 * const agent = [promptAlignment({ instructions: ["Answer in French"] }), argumentCorrectness(), toolUse()]
 * ```
 */
import type { Metric, MetricError, TestCase, ToolCall } from "@assay/core"
import { Effect } from "effect"
import type { Judge } from "../judge.js"
import { fieldText } from "./fields.js"
import { type JudgeContext, judgeMetric, type JudgeMetricOptions, ratio, reasonFrom, type Verdict } from "./judge-metric.js"
import { judgeEach, ratioMetric } from "./steps.js"
import { numbered } from "./template.js"

/**
 * Prompt-alignment prompt templates.
 *
 * @since 0.1.0
 */
export const promptAlignmentTemplates = {
  verdicts: `Check whether a response follows each of the instructions it was given.

Input:
{{input}}

Response:
{{output}}

For each instruction below, answer "yes" when the response follows it and "no" when it does not, with a short reason for each "no".

Instructions:
{{instructions}}

Reply with JSON only, one verdict per instruction in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

/**
 * Prompt-alignment options: the instructions the output must follow.
 *
 * @example
 * ```ts
 * const options: PromptAlignmentOptions = { instructions: ["Reply in one sentence"] }
 * ```
 * @since 0.1.0
 */
export interface PromptAlignmentOptions extends JudgeMetricOptions {
  readonly instructions: ReadonlyArray<string>
}

/**
 * Prompt alignment; see the module doc.
 *
 * @example
 * ```ts
 * promptAlignment({ instructions: ["Answer in French", "No more than 20 words"] })
 * ```
 * @since 0.1.0
 */
export const promptAlignment = (options: PromptAlignmentOptions): Metric.Metric<Judge> =>
  ratioMetric({
    name: "prompt-alignment",
    templates: promptAlignmentTemplates,
    requires: ["input", "actualOutput"],
    options,
    config: { instructions: options.instructions },
    bad: "no",
    empty: 1,
    describe: "instructions are not followed",
    verdicts: (testCase, ctx) =>
      judgeEach(ctx, options.instructions, "verdicts", (instructions) => ({
        input: fieldText(testCase, "input"),
        output: fieldText(testCase, "actualOutput"),
        instructions
      }))
  })

const toolsOf = (testCase: TestCase): ReadonlyArray<ToolCall> => (testCase._tag === "LLMTestCase" ? testCase.toolsCalled ?? [] : [])

/** A tool call as one line for prompts: its name and input parameters. */
const callLine = (call: ToolCall): string => `${call.name}(${JSON.stringify(call.inputParameters ?? {})})`

/**
 * Argument-correctness (and tool-use arguments) prompt templates.
 *
 * @since 0.1.0
 */
export const argumentTemplates = {
  arguments: `An AI agent answered a request by calling tools. For each tool call below, decide whether the input parameters it passed are correct and sufficient for the request ("yes") or wrong, missing or made up ("no"). Give a short reason for each "no".

Request:
{{input}}

Tool calls:
{{calls}}

Reply with JSON only, one verdict per tool call in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

const argumentVerdicts = (testCase: TestCase, ctx: JudgeContext) =>
  judgeEach(ctx, toolsOf(testCase).map(callLine), "arguments", (calls) => ({ input: fieldText(testCase, "input"), calls }))

/**
 * Argument correctness; see the module doc.
 *
 * @example
 * ```ts
 * argumentCorrectness({ threshold: 0.8 })
 * ```
 * @since 0.1.0
 */
export const argumentCorrectness = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  ratioMetric({
    name: "argument-correctness",
    templates: argumentTemplates,
    requires: ["input", "toolsCalled"],
    options,
    bad: "no",
    empty: 1,
    describe: "tool calls have wrong arguments",
    verdicts: argumentVerdicts
  })

/**
 * Tool-use prompt templates: tool selection, then the arguments.
 *
 * @since 0.1.0
 */
export const toolUseTemplates = {
  ...argumentTemplates,
  selection: `An AI agent answered a request by calling tools. For each tool call below, decide whether calling that tool was a suitable choice for the request ("yes") or not — unneeded, or a better-suited tool was available ("no"). Give a short reason for each "no".

Request:
{{input}}

Available tools:
{{available}}

Tool calls:
{{calls}}

Reply with JSON only, one verdict per tool call in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

/**
 * Tool-use options: the tools the agent could choose from (name and what it does).
 *
 * @example
 * ```ts
 * const options: ToolUseOptions = { availableTools: [{ name: "search", description: "web search" }] }
 * ```
 * @since 0.1.0
 */
export interface ToolUseOptions extends JudgeMetricOptions {
  readonly availableTools?: ReadonlyArray<{ readonly name: string; readonly description?: string | undefined }> | undefined
}

const selectionVerdicts = (testCase: TestCase, ctx: JudgeContext, options: ToolUseOptions): Effect.Effect<ReadonlyArray<Verdict>, MetricError, Judge> => {
  const available = options.availableTools === undefined
    ? "(not listed: judge from the request alone)"
    : numbered(options.availableTools.map((t) => `${t.name}${t.description ? `: ${t.description}` : ""}`))
  return judgeEach(ctx, toolsOf(testCase).map(callLine), "selection", (calls) => ({ input: fieldText(testCase, "input"), available, calls }))
}

/**
 * Tool use; see the module doc.
 *
 * @example
 * ```ts
 * toolUse({ availableTools: [{ name: "weather" }, { name: "search" }] })
 * ```
 * @since 0.1.0
 */
export const toolUse = (options: ToolUseOptions = {}): Metric.Metric<Judge> =>
  judgeMetric({
    name: "tool-use",
    version: "1",
    templates: toolUseTemplates,
    requires: ["input", "toolsCalled"],
    options,
    config: { availableTools: options.availableTools ?? null },
    score: (testCase, ctx) =>
      Effect.gen(function*() {
        const selection = yield* selectionVerdicts(testCase, ctx, options)
        const args = yield* argumentVerdicts(testCase, ctx)
        const selectionScore = ratio(selection, "no", 1)
        const argumentScore = ratio(args, "no", 1)
        const score = Math.min(selectionScore, argumentScore)
        const why = [
          reasonFrom(selectionScore, "tool selection", selection, "no"),
          reasonFrom(argumentScore, "arguments", args, "no")
        ]
        return { score, reason: `${score.toFixed(2)} = min(selection, arguments); ${why.join("; ")}` }
      })
  })
