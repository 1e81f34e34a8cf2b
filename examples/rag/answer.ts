/**
 * The "app" under test, part 2: the answer step — the retrieved passages and the question in one prompt to a
 * chat model through @assay/judge's client (retries, rate limits, cost; recordable like every model call).
 */
import { judgeLayer, Judge } from "@assay/judge"
import { Context, Effect, Layer } from "effect"
import type { Passage } from "./retriever.js"

/** Answers a question from passages. */
export class Answerer extends Context.Tag("rag/Answerer")<Answerer, {
  readonly answer: (question: string, passages: ReadonlyArray<Passage>) => Effect.Effect<{ readonly text: string; readonly cost: number; readonly tokens: { readonly input: number; readonly output: number } }, unknown>
}>() {}

/** The prompt: the context block, then the question (the fake server's `--answer-from-prompt` reads it). */
export const prompt = (question: string, passages: ReadonlyArray<Passage>): string =>
  ["Answer the question in one sentence, using only the context.", "Context:", ...passages.map((p) => `[${p.source}] ${p.text}`), `Question: ${question}`].join("\n")

/** The answer step on any OpenAI-compatible server (OPENAI_BASE_URL; `model` is the model name). */
export const AnswererLive = (model: string) =>
  Layer.effect(
    Answerer,
    Effect.map(Judge, (client) => ({
      answer: (question, passages) =>
        Effect.map(client.chat({ messages: [{ role: "user", content: prompt(question, passages) }], temperature: 0 }), (reply) => ({
          text: reply.text.trim(),
          cost: reply.cost,
          tokens: reply.usage
        }))
    }))
  ).pipe(Layer.provide(judgeLayer({ provider: "openai-compatible", model })))
