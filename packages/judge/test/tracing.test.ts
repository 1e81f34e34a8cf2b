import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Tracer } from "effect"
import { LLMTestCase } from "@assay/core"
import { CallPolicy, ChatProvider, gEval, Judge, layerJudge, traced } from "@assay/judge"

/** A tracer that records every span it starts (name, parent name, attributes) on top of Effect's own. */
const recording = Effect.map(Effect.tracer, (builtin) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = builtin.span(...args)
      spans.push(span)
      return span
    },
    context: builtin.context
  })
  return { spans, tracer }
})

const provider = ChatProvider.of({
  provider: "stub",
  model: "m",
  complete: () => Effect.succeed({ text: "{\"score\": 8, \"reason\": \"ok\"}", usage: { input: 3, output: 2 } })
})

const judgeLayer = layerJudge().pipe(
  Layer.provide(Layer.succeed(ChatProvider, provider)),
  Layer.provide(CallPolicy.layer({ maxConnections: 2 }))
)

describe("traced", () => {
  it.effect("adds no span under Effect's built-in tracer", () =>
    Effect.gen(function*() {
      const inner = yield* Effect.currentSpan.pipe(Effect.option, traced("inner"), Effect.withSpan("outer"))
      assert.strictEqual(Option.getOrThrow(inner).name, "outer")
    }))

  it.effect("adds the span, with its attributes, under a tracer that records spans", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recording
      const inner = yield* Effect.currentSpan.pipe(traced("inner", { attributes: { model: "m" } }), Effect.withTracer(tracer))
      assert.strictEqual(inner.name, "inner")
      assert.deepStrictEqual(spans.map((s) => s.name), ["inner"])
      assert.strictEqual(spans[0]!.attributes.get("model"), "m")
    }))

  it.effect("a judge metric's call is an assay.judge.chat span inside its metric span", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recording
      const metric = gEval({ name: "correct", evaluationSteps: ["Compare"], topLogprobs: 0 })
      const testCase = LLMTestCase.make({ input: "2+2?", actualOutput: "4" })
      const outcome = yield* metric.measure(testCase).pipe(Effect.provide(judgeLayer), Effect.withTracer(tracer))
      assert.strictEqual(outcome.score, 0.8)
      const [metricSpan, chatSpan] = spans
      assert.deepStrictEqual(spans.map((s) => s.name), ["metric.correct", "assay.judge.chat"])
      assert.strictEqual(chatSpan!.attributes.get("gen_ai.request.model"), "m")
      assert.strictEqual(chatSpan!.attributes.get("gen_ai.system"), "stub")
      assert.strictEqual(Option.getOrThrow(chatSpan!.parent).spanId, metricSpan!.spanId)
      assert.deepStrictEqual(spans.map((s) => s.status._tag), ["Ended", "Ended"])
    }))

  it.effect("a judge call adds no span under the built-in tracer", () =>
    Effect.gen(function*() {
      const judge = yield* Judge
      const seen = yield* judge.chat({ messages: [{ role: "user", content: "hi" }] }).pipe(
        Effect.zipRight(Effect.currentSpan),
        Effect.withSpan("caller")
      )
      assert.strictEqual(seen.name, "caller")
    }).pipe(Effect.provide(judgeLayer)))
})
