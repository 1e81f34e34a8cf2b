/**
 * Judge metric factories by kebab-case id, for the CLI (`--metric faithfulness`) and config files. Every
 * factory accepts the common options (`threshold`, `strict`, `includeReason`, `verbose`, `judge`); the CLI
 * should pass `judge` = the run's `provider:model` so it enters each metric's cache identity.
 *
 * @example
 * ```ts
 * const factory = judgeFactories.find((f) => f.id === "g-eval")!
 * const metric = factory.make(Schema.decodeUnknownSync(factory.params)({ name: "correctness", criteria: "Is it correct?" }))
 * ```
 */
import type { MetricFactory, ParamDoc } from "@assay/core"
import { Schema } from "effect"
import type { Judge } from "../judge.js"
import { answerRelevancy, faithfulness } from "./answer.js"
import { contextualPrecision, contextualRecall, contextualRelevancy } from "./contextual.js"
import { conversationCompleteness, knowledgeRetention, roleAdherence } from "./conversational.js"
import { gEval } from "./g-eval.js"
import { type JudgeMetricOptions, JudgeMetricOptionsSchema } from "./judge-metric.js"
import { bias, hallucination, toxicity } from "./safety.js"
import { summarization } from "./summarization.js"
import { taskCompletion } from "./task-completion.js"
import { argumentCorrectness, promptAlignment, toolUse } from "./agents.js"
import { DagNodeSchema, validateDag } from "./dag-schema.js"
import { dag } from "./dag.js"
import { jsonCorrectnessJudge } from "./json-judge.js"
import { imageCoherence, imageHelpfulness, textToImage } from "./multimodal.js"
import { conversationalGEval, turnRelevancy } from "./turns.js"

const commonDoc: ReadonlyArray<ParamDoc> = [
  { name: "threshold", type: "number 0..1", default: "0.5", description: "pass mark" },
  { name: "strict", type: "boolean", default: "false", description: "only a score of 1 passes" },
  { name: "includeReason", type: "boolean", default: "true", description: "attach the judge's reason" },
  { name: "verbose", type: "boolean", default: "false", description: "keep and log intermediate verdicts" },
  { name: "judge", type: "string", description: "provider:model this metric is configured for (cache identity)" }
]

const simple = (
  id: string,
  description: string,
  make: (options: JudgeMetricOptions) => ReturnType<MetricFactory<Judge>["make"]>
): MetricFactory<Judge> => ({ id, description, params: JudgeMetricOptionsSchema, paramsDoc: commonDoc, make })

const CaseFieldSchema = Schema.Literal("input", "actualOutput", "expectedOutput", "context", "retrievalContext", "toolsCalled", "expectedTools")

const GEvalParams = Schema.Struct({
  ...JudgeMetricOptionsSchema.fields,
  name: Schema.String.pipe(Schema.minLength(1)),
  criteria: Schema.optional(Schema.String),
  evaluationSteps: Schema.optional(Schema.NonEmptyArray(Schema.String)),
  evaluationParams: Schema.optional(Schema.NonEmptyArray(CaseFieldSchema)),
  topLogprobs: Schema.optional(Schema.Int.pipe(Schema.between(0, 20)))
}).pipe(Schema.filter((p) => p.criteria !== undefined || p.evaluationSteps !== undefined || "g-eval needs criteria or evaluationSteps"))

const SummarizationParams = Schema.Struct({
  ...JudgeMetricOptionsSchema.fields,
  assessmentQuestions: Schema.optional(Schema.Int.pipe(Schema.between(1, 20)))
})

const PromptAlignmentParams = Schema.Struct({
  ...JudgeMetricOptionsSchema.fields,
  instructions: Schema.NonEmptyArray(Schema.String.pipe(Schema.minLength(1)))
})

const ToolUseParams = Schema.Struct({
  ...JudgeMetricOptionsSchema.fields,
  availableTools: Schema.optional(Schema.Array(Schema.Struct({ name: Schema.String, description: Schema.optional(Schema.String) })))
})

const TurnRelevancyParams = Schema.Struct({
  ...JudgeMetricOptionsSchema.fields,
  windowSize: Schema.optional(Schema.Int.pipe(Schema.between(1, 1000)))
})

const ConversationalGEvalParams = Schema.Struct({
  ...JudgeMetricOptionsSchema.fields,
  name: Schema.String.pipe(Schema.minLength(1)),
  criteria: Schema.optional(Schema.String),
  evaluationSteps: Schema.optional(Schema.NonEmptyArray(Schema.String)),
  topLogprobs: Schema.optional(Schema.Int.pipe(Schema.between(0, 20)))
}).pipe(Schema.filter((p) => p.criteria !== undefined || p.evaluationSteps !== undefined || "conversational-g-eval needs criteria or evaluationSteps"))

const JsonCorrectnessJudgeParams = Schema.Struct({
  ...JudgeMetricOptionsSchema.fields,
  expectedStructure: Schema.String.pipe(Schema.minLength(1))
})

const MultimodalParams = Schema.Struct({
  ...JudgeMetricOptionsSchema.fields,
  maxImageBytes: Schema.optional(Schema.Int.pipe(Schema.positive()))
})
const multimodalDoc: ReadonlyArray<ParamDoc> = [
  { name: "maxImageBytes", type: "integer", default: "5242880", description: "largest image sent to the judge (bytes)" },
  ...commonDoc
]

const DagParams = Schema.Struct({
  ...JudgeMetricOptionsSchema.fields,
  name: Schema.String.pipe(Schema.minLength(1)),
  root: DagNodeSchema,
  topLogprobs: Schema.optional(Schema.Int.pipe(Schema.between(0, 20)))
}).pipe(Schema.filter((p) => validateDag(p.root)))

const nameDoc: ParamDoc = { name: "name", type: "string", description: "metric name shown in results" }
const criteriaDocs: ReadonlyArray<ParamDoc> = [
  { name: "criteria", type: "string", description: "what to judge (the judge derives steps from it)" },
  { name: "evaluationSteps", type: "string[]", description: "explicit steps (instead of criteria)" },
  { name: "topLogprobs", type: "integer 0..20", default: "20", description: "score-token alternatives for weighting; 0 disables" }
]

/**
 * Every judge metric factory.
 *
 * @example
 * ```ts
 * judgeFactories.map((f) => f.id) // ["g-eval", "answer-relevancy", "faithfulness", ...]
 * ```
 * @since 0.1.0
 */
export const judgeFactories: ReadonlyArray<MetricFactory<Judge>> = [
  {
    id: "g-eval",
    description: "LLM judge scores 0-10 against criteria or evaluation steps (logprob-weighted when available)",
    params: GEvalParams,
    paramsDoc: [
      { name: "name", type: "string", description: "metric name shown in results" },
      { name: "criteria", type: "string", description: "what to judge (the judge derives steps from it)" },
      { name: "evaluationSteps", type: "string[]", description: "explicit steps (instead of criteria)" },
      { name: "evaluationParams", type: "field[]", default: "input, actualOutput", description: "case fields shown to the judge" },
      { name: "topLogprobs", type: "integer 0..20", default: "20", description: "score-token alternatives for weighting; 0 disables" },
      ...commonDoc
    ],
    make: gEval,
    requiresDoc: "evaluationParams (default input, actualOutput)"
  },
  simple("answer-relevancy", "relevant statements ÷ statements of the actual output", answerRelevancy),
  simple("faithfulness", "claims of the actual output not contradicted by the retrieval context ÷ claims", faithfulness),
  simple("contextual-precision", "weighted precision of relevant retrieval nodes by rank", contextualPrecision),
  simple("contextual-recall", "expected-output sentences attributable to the retrieval context ÷ sentences", contextualRecall),
  simple("contextual-relevancy", "retrieved statements relevant to the input ÷ statements", contextualRelevancy),
  simple("hallucination", "1 − contexts contradicted by the actual output ÷ contexts", hallucination),
  simple("bias", "1 − biased opinions ÷ opinions", bias),
  simple("toxicity", "1 − toxic opinions ÷ opinions", toxicity),
  {
    id: "summarization",
    description: "min(alignment with the source, coverage of the source's key questions)",
    params: SummarizationParams,
    paramsDoc: [{ name: "assessmentQuestions", type: "integer 1..20", default: "5", description: "coverage questions" }, ...commonDoc],
    make: summarization
  },
  simple("task-completion", "how completely the agent accomplished the task (judge score 0..1)", taskCompletion),
  simple("knowledge-retention", "assistant turns that do not forget earlier user information ÷ assistant turns", knowledgeRetention),
  simple("role-adherence", "assistant turns in character with chatbotRole ÷ assistant turns", roleAdherence),
  simple("conversation-completeness", "user intentions satisfied ÷ intentions", conversationCompleteness),
  {
    id: "dag",
    description: "decision tree of judge nodes (task, binary, choice) ending in verdict or g-eval leaves; the leaf reached is the score",
    params: DagParams,
    paramsDoc: [
      nameDoc,
      { name: "root", type: "node", description: "the tree: {type: task|binary|choice|verdict|g-eval, ...} (see README)" },
      { name: "topLogprobs", type: "integer 0..20", default: "20", description: "g-eval leaves: score-token alternatives" },
      ...commonDoc
    ],
    make: dag,
    requiresDoc: "the fields the tree's nodes show (evaluationParams; default input, actualOutput)"
  },
  {
    id: "prompt-alignment",
    description: "instructions the actual output follows ÷ instructions",
    params: PromptAlignmentParams,
    paramsDoc: [{ name: "instructions", type: "string[]", description: "the instructions the output must follow" }, ...commonDoc],
    make: promptAlignment,
    requiresDoc: "input, actualOutput"
  },
  simple("argument-correctness", "tool calls with correct input parameters for the input ÷ tool calls", argumentCorrectness),
  {
    id: "tool-use",
    description: "min(suitable tool choices ÷ calls, correct arguments ÷ calls)",
    params: ToolUseParams,
    paramsDoc: [{ name: "availableTools", type: "{name, description?}[]", description: "tools the agent could choose from" }, ...commonDoc],
    make: toolUse
  },
  {
    id: "turn-relevancy",
    description: "assistant turns relevant to the turns before them ÷ assistant turns",
    params: TurnRelevancyParams,
    paramsDoc: [{ name: "windowSize", type: "integer 1..1000", default: "10", description: "preceding turns shown with each turn" }, ...commonDoc],
    make: turnRelevancy
  },
  {
    id: "conversational-g-eval",
    description: "G-Eval 0-10 over the whole conversation (and scenario, expected outcome, role)",
    params: ConversationalGEvalParams,
    paramsDoc: [nameDoc, ...criteriaDocs, ...commonDoc],
    make: conversationalGEval,
    requiresDoc: "turns (conversational cases)"
  },
  {
    id: "json-correctness-judge",
    description: "0 unless the actual output is JSON; then 1 when the judge finds the described structure",
    params: JsonCorrectnessJudgeParams,
    paramsDoc: [{ name: "expectedStructure", type: "string", description: "the expected structure, in words" }, ...commonDoc],
    make: jsonCorrectnessJudge,
    requiresDoc: "actualOutput"
  },
  {
    id: "image-coherence",
    description: "mean judge score 0-10 of how each output image fits the text around it, ÷ 10",
    params: MultimodalParams,
    paramsDoc: multimodalDoc,
    make: imageCoherence
  },
  {
    id: "image-helpfulness",
    description: "mean judge score 0-10 of how much each output image helps understand the text around it, ÷ 10",
    params: MultimodalParams,
    paramsDoc: multimodalDoc,
    make: imageHelpfulness
  },
  {
    id: "text-to-image",
    description: "√(semantic consistency with the input prompt × perceptual quality) of the output images, ÷ 10",
    params: MultimodalParams,
    paramsDoc: multimodalDoc,
    make: textToImage
  }
]
