/**
 * LLM-as-judge metrics and their factories.
 *
 * @example
 * ```ts
 * import { faithfulness, judgeFactories } from "@assay/judge"
 * ```
 */
export * from "./judge-metric.js"
export * from "./template.js"
export { fieldsBlock, fieldText } from "./fields.js"
export { extractedVerdicts, extractThenJudge, judgeEach, ratioMetric, type RatioMetricSpec } from "./steps.js"
export { gEval, type GEvalOptions, gEvalScore, type GEvalScoring, weightedScore } from "./g-eval.js"
export { answerRelevancy, faithfulness } from "./answer.js"
export { contextualPrecision, contextualRecall, contextualRelevancy, weightedPrecision } from "./contextual.js"
export { bias, hallucination, toxicity } from "./safety.js"
export { summarization, type SummarizationOptions } from "./summarization.js"
export { taskCompletion } from "./task-completion.js"
export { conversationCompleteness, knowledgeRetention, roleAdherence, transcript } from "./conversational.js"
export {
  argumentCorrectness,
  promptAlignment,
  type PromptAlignmentOptions,
  toolUse,
  type ToolUseOptions
} from "./agents.js"
export { conversationalGEval, type ConversationalGEvalOptions, turnRelevancy, type TurnRelevancyOptions } from "./turns.js"
export { jsonCorrectnessJudge, type JsonCorrectnessJudgeOptions } from "./json-judge.js"
export { imageCoherence, imageHelpfulness, type MultimodalOptions, textToImage } from "./multimodal.js"
export * from "./dag-schema.js"
export { dag, dagFields, type DagOptions } from "./dag.js"
export { judgeFactories } from "./factories.js"
export { semanticSimilarity, semanticSimilarityFactory, type SemanticSimilarityOptions } from "./semantic-similarity.js"
