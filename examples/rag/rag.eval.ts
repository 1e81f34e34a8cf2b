/**
 * A retrieval-augmented QA app evaluated end to end: BM25 retrieval over ./corpus, an answer from a chat model,
 * scored by built-in metrics and a custom metric backed by the app's own Corpus service.
 *
 *   node packages/fake-openai/dist/main.js --answer-from-prompt --port 8787 &   # or any OpenAI-compatible server
 *   OPENAI_BASE_URL=http://127.0.0.1:8787/v1 npx assay run examples/rag/rag.eval.ts
 */
import { containsAll, Eval, Metric, rouge } from "@assay/core"
import { NodeContext } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { fileURLToPath } from "node:url"
import { Answerer, AnswererLive } from "./answer.js"
import { Corpus, CorpusFromDir, Retriever, RetrieverBm25 } from "./retriever.js"

/** Grounded: the answer is a sentence of some corpus document (the app must not make things up). */
const grounded = Metric.make({
  name: "grounded",
  threshold: 1,
  requires: ["actualOutput"],
  config: { version: 1 },
  measure: (testCase) =>
    Effect.map(Corpus, ({ passages }) => {
      const answer = testCase._tag === "LLMTestCase" ? String(testCase.actualOutput ?? "").trim() : ""
      const source = passages.find((p) => answer !== "" && p.text.includes(answer))
      return source === undefined
        ? { score: 0, reason: "the answer is in no corpus document" }
        : { score: 1, reason: `found in ${source.source}` }
    })
})

const corpus = CorpusFromDir(fileURLToPath(new URL("./corpus", import.meta.url))).pipe(Layer.provide(NodeContext.layer))

export default Eval.make({
  name: "rag",
  data: [
    { name: "refund-window", input: "How many days after delivery can an order be refunded?", expected_output: "30 days" },
    { name: "refund-delay", input: "How long does a refund take to appear on a card statement?", expected_output: "5 business days" },
    { name: "gift-cards", input: "Are gift cards refundable?", expected_output: "not refundable" },
    { name: "express", input: "When does express shipping arrive?", expected_output: "next business day" },
    { name: "international", input: "Which warehouse do international orders ship from?", expected_output: "Rotterdam" },
    { name: "password", input: "How long must passwords be?", expected_output: "12 characters" },
    { name: "lockout", input: "How long is an account locked after failed sign-in attempts?", expected_output: "15 minutes" },
    { name: "rate-limit", input: "How many API requests per minute are allowed per key?", expected_output: "600 requests" },
    { name: "webhooks", input: "How many times are webhooks retried?", expected_output: "8 times" },
    // Not in the corpus: the app should say it does not know, but answers with the closest sentence (a real
    // weakness this eval catches: the one failing case).
    { name: "out-of-scope", input: "What is the CEO's favourite colour?", expected_output: "I don't know" }
  ],
  task: (testCase) =>
    Effect.gen(function*() {
      const question = String(testCase.input)
      const passages = yield* Effect.flatMap(Retriever, (r) => r.retrieve(question, 3))
      const reply = yield* Effect.flatMap(Answerer, (a) => a.answer(question, passages))
      return {
        actualOutput: reply.text,
        retrievalContext: passages.map((p) => p.text),
        cost: reply.cost,
        tokens: reply.tokens,
        metadata: { sources: passages.map((p) => p.source) }
      }
    }),
  metrics: [containsAll({ caseSensitive: false }), rouge({ variant: "rougeL", threshold: 0.1 }), grounded],
  layer: Layer.mergeAll(RetrieverBm25.pipe(Layer.provideMerge(corpus)), AnswererLive("rag-answerer")),
  options: { concurrency: 4 }
})
