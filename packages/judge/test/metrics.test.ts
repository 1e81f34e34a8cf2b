import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { ConversationalTestCase, LLMTestCase, type Metric, type Outcome } from "@assay/core"
import {
  answerRelevancy,
  bias,
  contextualPrecision,
  contextualRecall,
  contextualRelevancy,
  conversationCompleteness,
  faithfulness,
  gEval,
  hallucination,
  type Judge,
  judgeFactories,
  knowledgeRetention,
  roleAdherence,
  scriptedJudge,
  type ScriptedReply,
  summarization,
  taskCompletion,
  toxicity,
  weightedPrecision
} from "@assay/judge"

type Rules = ReadonlyArray<readonly [RegExp, ScriptedReply | ((prompt: string) => ScriptedReply)]>

const rag = LLMTestCase.make({
  input: "What is the capital of France?",
  actualOutput: "Paris is the capital. It has the Eiffel Tower.",
  expectedOutput: "Paris is the capital of France.",
  retrievalContext: ["Paris is the capital of France.", "Lyon is a city.", "France is in Europe."],
  context: ["Paris is the capital of France.", "The Seine flows through Paris."]
})

const chat = ConversationalTestCase.make({
  chatbotRole: "a polite bank assistant",
  turns: [
    { role: "user", content: "My name is Ana and my account is 42." },
    { role: "assistant", content: "Hello Ana, how can I help?" },
    { role: "user", content: "What's my balance?" },
    { role: "assistant", content: "What is your account number?" }
  ]
})

const verdicts = (...vs: ReadonlyArray<string>) =>
  JSON.stringify({ verdicts: vs.map((verdict, i) => ({ verdict, reason: `reason ${i + 1}` })) })

/** Measure one metric on one case with a scripted judge; returns the outcome and the judge's requests. */
const measure = (metric: Metric.Metric<Judge>, testCase: LLMTestCase | ConversationalTestCase, rules: Rules) => {
  const judge = scriptedJudge(rules)
  return metric.measure(testCase).pipe(
    Effect.provide(judge.layer),
    Effect.map((outcome: Outcome) => ({ outcome, requests: judge.requests }))
  )
}

describe("judge metric formulas (scripted judge)", () => {
  it.effect("g-eval: score / 10 without logprobs; explicit steps make one call", () =>
    Effect.gen(function*() {
      const { outcome, requests } = yield* measure(gEval({ name: "correctness", evaluationSteps: ["Compare facts"] }), rag, [
        [/Evaluation steps/, "{\"score\": 7, \"reason\": \"mostly right\"}"]
      ])
      assert.closeTo(outcome.score, 0.7, 1e-9)
      assert.strictEqual(outcome.reason, "mostly right")
      assert.strictEqual(requests.length, 1)
      assert.strictEqual(requests[0]!.topLogprobs, 20)
      assert.include(requests[0]!.messages[0]!.content, "1. Compare facts")
    }))

  it.effect("g-eval: logprobs weight the score token's alternatives; criteria first yield steps", () =>
    Effect.gen(function*() {
      const scoreToken = {
        token: "8",
        logprob: Math.log(0.6),
        top: [{ token: "8", logprob: Math.log(0.6) }, { token: "9", logprob: Math.log(0.3) }, { token: "x", logprob: Math.log(0.1) }]
      }
      const { outcome, requests } = yield* measure(gEval({ name: "c", criteria: "Is it right?" }), rag, [
        [/evaluation steps that/, "{\"steps\": [\"Check the capital\"]}"],
        [/Evaluation steps/, { text: "{\"score\": 8}", logprobs: [{ token: "{", logprob: 0, top: [] }, scoreToken] }]
      ])
      assert.closeTo(outcome.score, (0.6 * 8 + 0.3 * 9) / 0.9 / 10, 1e-9)
      assert.strictEqual(requests.length, 2)
      assert.deepStrictEqual(outcome.tokens, { input: 20, output: 10 })
      assert.closeTo(outcome.cost ?? 0, 0.002, 1e-12)
    }))

  it.effect("g-eval without criteria or steps is a MetricError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(measure(gEval({ name: "c" }), rag, []))
      assert.include(error.message, "criteria or evaluationSteps")
    }))

  it.effect("answer relevancy = non-'no' verdicts ÷ statements; reason names the irrelevant ones", () =>
    Effect.gen(function*() {
      const { outcome } = yield* measure(answerRelevancy(), rag, [
        [/Break the following text/, "{\"statements\": [\"a\", \"b\", \"c\", \"d\"]}"],
        [/relevant to answering/, verdicts("yes", "no", "idk", "yes")]
      ])
      assert.closeTo(outcome.score, 0.75, 1e-9)
      assert.include(outcome.reason ?? "", "#2: reason 2")
    }))

  it.effect("faithfulness = claims not contradicted ÷ claims; no claims → 1 with one call", () =>
    Effect.gen(function*() {
      const { outcome } = yield* measure(faithfulness(), rag, [
        [/Extract every factual claim/, "{\"claims\": [\"a\", \"b\", \"c\"]}"],
        [/retrieval context supports/, verdicts("yes", "no", "idk")]
      ])
      assert.closeTo(outcome.score, 2 / 3, 1e-9)
      const empty = yield* measure(faithfulness(), rag, [[/Extract every factual claim/, "{\"claims\": []}"]])
      assert.strictEqual(empty.outcome.score, 1)
      assert.strictEqual(empty.requests.length, 1)
    }))

  it.effect("a wrong verdict count goes back to the judge as a repair", () =>
    Effect.gen(function*() {
      let verdictCalls = 0
      const { outcome, requests } = yield* measure(faithfulness(), rag, [
        [/Extract every factual claim/, "{\"claims\": [\"a\", \"b\"]}"],
        [/retrieval context supports|could not be used/, () => (++verdictCalls === 1 ? verdicts("yes") : verdicts("yes", "no"))]
      ])
      assert.strictEqual(outcome.score, 0.5)
      assert.strictEqual(requests.length, 3)
      assert.include(requests[2]!.messages.at(-1)!.content, "expected exactly 2 verdicts, got 1")
      assert.strictEqual(requests[2]!.messages.at(-2)!.role, "assistant")
    }))

  it.effect("unusable JSON: bounded repairs, then a MetricError quoting the reply", () =>
    Effect.gen(function*() {
      const { requests, layer } = scriptedJudge([[/./, "I think it's great!"]])
      const error = yield* Effect.flip(faithfulness().measure(rag).pipe(Effect.provide(layer)))
      assert.strictEqual(requests.length, 3)
      assert.include(error.message, "after 3 attempt(s)")
      assert.include(error.message, "\"I think it's great!\"")
    }))

  it("contextual precision weights relevant nodes by rank", () => {
    assert.closeTo(weightedPrecision(["yes", "no", "yes"]), (1 + 2 / 3) / 2, 1e-12)
    assert.strictEqual(weightedPrecision(["no", "yes"]), 0.5)
    assert.strictEqual(weightedPrecision(["yes", "yes", "no"]), 1)
    assert.strictEqual(weightedPrecision(["no"]), 0)
  })

  it.effect("contextual precision, recall and relevancy", () =>
    Effect.gen(function*() {
      const precision = yield* measure(contextualPrecision(), rag, [[/useful to arrive/, verdicts("no", "yes", "yes")]])
      assert.closeTo(precision.outcome.score, (1 / 2 + 2 / 3) / 2, 1e-9)
      const recall = yield* measure(contextualRecall(), rag, [
        [/Split the following text/, "{\"sentences\": [\"s1\", \"s2\"]}"],
        [/attributed to the retrieval context/, verdicts("yes", "no")]
      ])
      assert.strictEqual(recall.outcome.score, 0.5)
      const relevancy = yield* measure(contextualRelevancy(), rag, [
        [/Break the following retrieved text/, (p) => (p.includes("Lyon") ? "{\"statements\": [\"x\"]}" : "{\"statements\": [\"a\", \"b\"]}")],
        [/relevant to the input/, (p) => (p.includes("1. x") ? verdicts("no") : verdicts("yes", "yes"))]
      ])
      assert.closeTo(relevancy.outcome.score, 4 / 5, 1e-9)
      assert.strictEqual(relevancy.requests.length, 6)
    }))

  it.effect("hallucination, bias and toxicity report the clean share (higher is better)", () =>
    Effect.gen(function*() {
      const h = yield* measure(hallucination(), rag, [[/agrees with it/, verdicts("yes", "no")]])
      assert.strictEqual(h.outcome.score, 0.5)
      const b = yield* measure(bias(), rag, [
        [/Extract every opinion/, "{\"opinions\": [\"o1\", \"o2\", \"o3\", \"o4\"]}"],
        [/biased/, verdicts("yes", "no", "no", "no")]
      ])
      assert.strictEqual(b.outcome.score, 0.75)
      const t = yield* measure(toxicity(), rag, [[/Extract every opinion/, "{\"opinions\": []}"]])
      assert.strictEqual(t.outcome.score, 1)
    }))

  it.effect("summarization = min(alignment, coverage)", () =>
    Effect.gen(function*() {
      const { outcome } = yield* measure(summarization({ assessmentQuestions: 4 }), rag, [
        [/claim made in the following summary/, "{\"claims\": [\"c1\", \"c2\"]}"],
        [/source text supports it/, verdicts("yes", "idk")],
        [/Write 4 closed/, "{\"questions\": [\"q1\", \"q2\", \"q3\", \"q4\"]}"],
        [/using only the summary/, verdicts("yes", "yes", "yes", "idk")]
      ])
      assert.strictEqual(outcome.score, 0.75)
      assert.include(outcome.reason ?? "", "alignment 1.00, coverage 0.75")
    }))

  it.effect("task completion takes the judge's 0..1 score", () =>
    Effect.gen(function*() {
      const { outcome } = yield* measure(taskCompletion(), rag, [
        [/Determine the task/, "{\"task\": \"name the capital\", \"outcome\": \"named Paris\", \"score\": 0.8}"]
      ])
      assert.strictEqual(outcome.score, 0.8)
      assert.include(outcome.reason ?? "", "named Paris")
    }))

  it.effect("conversational: knowledge retention, role adherence, completeness", () =>
    Effect.gen(function*() {
      const kr = yield* measure(knowledgeRetention(), chat, [[/forgets information/, verdicts("no", "yes")]])
      assert.strictEqual(kr.outcome.score, 0.5)
      assert.include(kr.requests[0]!.messages[0]!.content, "turn 4: What is your account number?")
      const ra = yield* measure(roleAdherence(), chat, [[/polite bank assistant/, verdicts("yes", "yes")]])
      assert.strictEqual(ra.outcome.score, 1)
      const cc = yield* measure(conversationCompleteness(), chat, [
        [/List what the user wanted/, "{\"intentions\": [\"greet\", \"know balance\"]}"],
        [/satisfied it/, verdicts("yes", "no")]
      ])
      assert.strictEqual(cc.outcome.score, 0.5)
    }))

  it.effect("options: includeReason=false drops the reason, verbose keeps verdicts, judge mismatch fails", () =>
    Effect.gen(function*() {
      const rules: Rules = [[/Evaluation steps/, "{\"score\": 10, \"reason\": \"r\"}"]]
      const quiet = yield* measure(gEval({ name: "g", evaluationSteps: ["s"], includeReason: false }), rag, rules)
      assert.isUndefined(quiet.outcome.reason)
      const loud = yield* measure(gEval({ name: "g", evaluationSteps: ["s"], verbose: true }), rag, rules)
      assert.deepStrictEqual(loud.outcome.verbose, ["score: {\"score\": 10, \"reason\": \"r\"}"])
      const wrong = yield* Effect.flip(measure(gEval({ name: "g", evaluationSteps: ["s"], judge: "openai:gpt-4o" }), rag, rules))
      assert.include(wrong.message, "configured for judge openai:gpt-4o but the run's judge is scripted:judge")
    }))

  it("config carries template version, prompt hash and judge; prompts change the hash", () => {
    const a = faithfulness({ judge: "openai:gpt-4o-mini" }).config
    assert.strictEqual(a.templateVersion, "1")
    assert.strictEqual(a.judge, "openai:gpt-4o-mini")
    assert.match(String(a.promptHash), /^[0-9a-f]{64}$/)
    assert.notStrictEqual(a.promptHash, answerRelevancy().config.promptHash)
    assert.notStrictEqual(gEval({ name: "g", criteria: "x" }).config.criteria, gEval({ name: "g", criteria: "y" }).config.criteria)
  })

  it("factories: kebab-case unique ids covering every metric; params are validated", () => {
    const ids = judgeFactories.map((f) => f.id)
    assert.deepStrictEqual(new Set(ids).size, ids.length)
    for (const id of ids) assert.match(id, /^[a-z]+(-[a-z]+)*$/)
    for (const required of ["g-eval", "answer-relevancy", "faithfulness", "contextual-precision", "contextual-recall", "contextual-relevancy", "hallucination", "bias", "toxicity", "summarization", "task-completion", "knowledge-retention", "role-adherence", "conversation-completeness"]) {
      assert.include(ids, required)
    }
    const gEvalFactory = judgeFactories.find((f) => f.id === "g-eval")!
    assert.throws(() => Schema.decodeUnknownSync(gEvalFactory.params)({ name: "x" }), /criteria or evaluationSteps/)
    const metric = gEvalFactory.make(Schema.decodeUnknownSync(gEvalFactory.params)({ name: "correct", criteria: "c", threshold: 0.7 }))
    assert.strictEqual(metric.name, "correct")
    assert.strictEqual(metric.threshold, 0.7)
    // Metrics with required params get the least that decodes; the named ones keep their given name.
    const minimal: Record<string, Record<string, unknown>> = {
      "prompt-alignment": { instructions: ["Be brief"] },
      "json-correctness-judge": { expectedStructure: "an object" },
      "conversational-g-eval": { name: "conversational-g-eval", criteria: "c" },
      dag: { name: "dag", root: { type: "verdict", score: 1 } }
    }
    for (const factory of judgeFactories.filter((f) => f.id !== "g-eval")) {
      assert.strictEqual(factory.make(Schema.decodeUnknownSync(factory.params)(minimal[factory.id] ?? {})).name, factory.id)
    }
  })
})
