/**
 * Conversational metrics over a `ConversationalTestCase`'s turns.
 *
 * - **knowledge-retention** = assistant turns that do not forget what the user already said ÷ assistant turns.
 *   The judge flags (`yes`) an assistant turn that asks again for, or contradicts, information the user gave
 *   earlier. No assistant turns → 1.
 * - **role-adherence** = assistant turns in character with `chatbotRole` ÷ assistant turns (`no` = out of role).
 * - **conversation-completeness** = user intentions satisfied by the conversation ÷ intentions. The judge lists
 *   the user's intentions, then marks each satisfied (`yes`) or not. No intentions → 1.
 *
 * @example
 * ```ts
 * const chat = [knowledgeRetention({}), roleAdherence({}), conversationCompleteness({})]
 * ```
 */
import { contentText, type Metric, type TestCase } from "@assay/core"
import type { Judge } from "../judge.js"
import type { JudgeMetricOptions } from "./judge-metric.js"
import { extractedVerdicts, judgeEach, ratioMetric } from "./steps.js"

const turnsOf = (testCase: TestCase) => (testCase._tag === "ConversationalTestCase" ? testCase.turns : [])

/**
 * The conversation as numbered lines `n. [role] text`.
 *
 * @example
 * ```ts
 * transcript(conversation) // "1. [user] hi\n2. [assistant] hello"
 * ```
 * @since 0.1.0
 */
export const transcript = (testCase: TestCase): string =>
  turnsOf(testCase).map((t, i) => `${i + 1}. [${t.role}] ${contentText(t.content)}`).join("\n")

const assistantTurns = (testCase: TestCase): ReadonlyArray<string> =>
  turnsOf(testCase).flatMap((t, i) => (t.role === "assistant" ? [`turn ${i + 1}: ${contentText(t.content)}`] : []))

/**
 * Knowledge-retention prompt templates.
 *
 * @since 0.1.0
 */
export const knowledgeRetentionTemplates = {
  verdicts: `Here is a conversation:
{{transcript}}

For each assistant turn listed below, decide whether it forgets information the user already gave earlier in the conversation — asking for it again or contradicting it ("yes") — or not ("no"). Give a short reason for each "yes".

Assistant turns:
{{turns}}

Reply with JSON only, one verdict per listed turn in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

/**
 * Knowledge retention; see the module doc.
 *
 * @example
 * ```ts
 * knowledgeRetention({ threshold: 0.8 })
 * ```
 * @since 0.1.0
 */
export const knowledgeRetention = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  ratioMetric({
    name: "knowledge-retention",
    templates: knowledgeRetentionTemplates,
    appliesTo: "ConversationalTestCase",
    requires: ["turns"],
    options,
    bad: "yes",
    empty: 1,
    describe: "assistant turns forget earlier information",
    verdicts: (testCase, ctx) =>
      judgeEach(ctx, assistantTurns(testCase), "verdicts", (turns) => ({ transcript: transcript(testCase), turns }))
  })

/**
 * Role-adherence prompt templates.
 *
 * @since 0.1.0
 */
export const roleAdherenceTemplates = {
  verdicts: `The assistant must play this role:
{{role}}

Conversation:
{{transcript}}

For each assistant turn listed below, decide whether it stays in that role ("yes") or breaks character ("no"). Give a short reason for each "no".

Assistant turns:
{{turns}}

Reply with JSON only, one verdict per listed turn in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

/**
 * Role adherence; see the module doc.
 *
 * @example
 * ```ts
 * roleAdherence({})
 * ```
 * @since 0.1.0
 */
export const roleAdherence = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  ratioMetric({
    name: "role-adherence",
    templates: roleAdherenceTemplates,
    appliesTo: "ConversationalTestCase",
    requires: ["turns", "chatbotRole"],
    options,
    bad: "no",
    empty: 1,
    describe: "assistant turns break character",
    verdicts: (testCase, ctx) =>
      judgeEach(ctx, assistantTurns(testCase), "verdicts", (turns) => ({
        role: testCase._tag === "ConversationalTestCase" ? testCase.chatbotRole ?? "" : "",
        transcript: transcript(testCase),
        turns
      }))
  })

/**
 * Conversation-completeness prompt templates.
 *
 * @since 0.1.0
 */
export const conversationCompletenessTemplates = {
  intentions: `List what the user wanted to achieve in this conversation (their intentions), one short phrase each.

Conversation:
{{transcript}}

Reply with JSON only: {"intentions": ["...", ...]}`,
  verdicts: `Conversation:
{{transcript}}

For each user intention, decide whether the conversation satisfied it ("yes") or not ("no"). Give a short reason for each "no".

Intentions:
{{intentions}}

Reply with JSON only, one verdict per intention in order: {"verdicts": [{"verdict": "yes"|"no", "reason": "..."}]}`
}

/**
 * Conversation completeness; see the module doc.
 *
 * @example
 * ```ts
 * conversationCompleteness({ threshold: 0.7 })
 * ```
 * @since 0.1.0
 */
export const conversationCompleteness = (options: JudgeMetricOptions = {}): Metric.Metric<Judge> =>
  ratioMetric({
    name: "conversation-completeness",
    templates: conversationCompletenessTemplates,
    appliesTo: "ConversationalTestCase",
    requires: ["turns"],
    options,
    bad: "no",
    empty: 1,
    describe: "user intentions are not satisfied",
    verdicts: (testCase, ctx) =>
      extractedVerdicts(ctx, {
        extract: { step: "intentions", key: "intentions", vars: { transcript: transcript(testCase) } },
        judge: { step: "verdicts", vars: (intentions) => ({ transcript: transcript(testCase), intentions }) }
      })
  })
