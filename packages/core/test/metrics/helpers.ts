/** Test helpers for the deterministic metrics. */
import { Effect } from "effect"
import { ConversationalTestCase, LLMTestCase, type Metric, type Outcome } from "@assay/core"

type LLMFields = Partial<Omit<LLMTestCase, "_tag">>

/** A single-turn case; `input` defaults to "q". */
export const llmCase = (fields: LLMFields): LLMTestCase => LLMTestCase.make({ input: "q", ...fields })

/** Score actual vs expected output with a metric. */
export const scorePair = (metric: Metric.Metric, actualOutput: string, expectedOutput?: string): Effect.Effect<Outcome, Metric.MetricError> =>
  metric.measure(llmCase(expectedOutput === undefined ? { actualOutput } : { actualOutput, expectedOutput }))

/** A two-turn conversation, which the deterministic metrics refuse. */
export const conversation = ConversationalTestCase.make({
  turns: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }]
})
