import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { ConversationalTestCase, evaluate, LLMTestCase, type Metric, type TestCase } from "@assay/core"
import { FakeOpenAi, type FakeOpenAiConfig } from "@assay/fake-openai"
import {
  Anthropic,
  argumentCorrectness,
  conversationalGEval,
  dag,
  type DagNode,
  imageCoherence,
  imageHelpfulness,
  type Judge,
  jsonCorrectnessJudge,
  promptAlignment,
  taskCompletion,
  textToImage,
  toolUse,
  turnRelevancy
} from "@assay/judge"
import { judgeAt, judgeOver, quick } from "./helpers.js"

/** A 1×1 PNG (70 bytes). */
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
const PNG_BYTES = 70

/**
 * Evaluate `cases` with `metrics` against a fake server answering with its built-in judge scripts (plus
 * `config`), over real HTTP; returns the run and the server's request log.
 */
const judged = (
  cases: ReadonlyArray<TestCase>,
  metrics: ReadonlyArray<Metric.Metric<Judge>>,
  config: FakeOpenAiConfig = {},
  options: { readonly skipOnMissingParams?: boolean; readonly judge?: (baseUrl: string) => Layer.Layer<Judge> } = {}
) =>
  Effect.gen(function*() {
    const server = yield* FakeOpenAi.make({ judgeScripts: true, ...config })
    const layer = options.judge?.(server.baseUrl) ?? judgeAt(server.baseUrl, quick)
    const run = yield* evaluate(cases, metrics, { ignoreErrors: true, skipOnMissingParams: options.skipOnMissingParams ?? false }).pipe(
      Effect.provide(layer)
    )
    return { run, log: yield* server.log }
  }).pipe(Effect.scoped)

const result = (run: Effect.Effect.Success<ReturnType<typeof judged>>["run"], c: number, m = 0) => run.cases[c]!.metrics[m]!

const ask = (input: string, actualOutput: string, extra: Partial<Parameters<typeof LLMTestCase.make>[0]> = {}) =>
  LLMTestCase.make({ input, actualOutput, ...extra })

describe("agent metrics over HTTP (fake judge scripts)", () => {
  it.live("prompt-alignment = followed instructions ÷ instructions; strict passes only 1", () =>
    Effect.gen(function*() {
      const instructions = ["Answer in French", "Do not FAIL to cite a source"]
      const { log, run } = yield* judged([ask("Capital?", "Paris")], [promptAlignment({ instructions }), promptAlignment({ instructions: ["Be brief"], strict: true })])
      assert.closeTo(result(run, 0, 0).score!, 0.5, 1e-9)
      assert.isTrue(result(run, 0, 0).success) // 0.5 ≥ default threshold 0.5
      assert.include(result(run, 0, 0).reason!, "marked FAIL")
      assert.strictEqual(result(run, 0, 1).score, 1)
      assert.isTrue(result(run, 0, 1).success)
      assert.include(log[0]!.lastUserMessage!, "1. Answer in French\n2. Do not FAIL to cite a source")
      const strict = yield* judged([ask("Capital?", "Paris")], [promptAlignment({ instructions, strict: true })])
      assert.isFalse(result(strict.run, 0).success)
    }))

  it.live("argument-correctness and tool-use judge each tool call; no toolsCalled skips under skipOnMissingParams", () =>
    Effect.gen(function*() {
      const agent = ask("Weather in Paris and Rome?", "Sunny in both.", {
        toolsCalled: [
          { name: "weather", inputParameters: { city: "Paris" } },
          { name: "weather", inputParameters: { city: "FAIL" } },
          { name: "weather", inputParameters: { city: "Rome" } }
        ]
      })
      const bare = ask("Hi", "Hello")
      const { log, run } = yield* judged(
        [agent, bare],
        [argumentCorrectness(), toolUse({ availableTools: [{ name: "weather", description: "forecast by city" }] })],
        {},
        { skipOnMissingParams: true }
      )
      assert.closeTo(result(run, 0, 0).score!, 2 / 3, 1e-9)
      assert.closeTo(result(run, 0, 1).score!, 2 / 3, 1e-9)
      assert.include(result(run, 0, 1).reason!, "min(selection, arguments)")
      assert.isTrue(result(run, 1, 0).skipped)
      assert.isTrue(result(run, 1, 1).skipped)
      assert.strictEqual(log.length, 3) // argument-correctness 1 call, tool-use 2 (selection, arguments)
      assert.isTrue(log.some((e) => e.lastUserMessage?.includes("1. weather: forecast by city")))
    }))

  it.live("task-completion shows the trace from metadata.trace to the judge", () =>
    Effect.gen(function*() {
      const trace = [{ step: "plan", output: "search flights" }, { step: "book", output: "booked AF123" }]
      const { log, run } = yield* judged([ask("Book me a flight", "Booked AF123", { metadata: { trace } })], [taskCompletion()])
      assert.closeTo(result(run, 0).score!, 0.8, 1e-9)
      assert.include(result(run, 0).reason!, "task: the user's task")
      assert.include(log[0]!.lastUserMessage!, "booked AF123")
    }))

  it.live("json-correctness-judge: not JSON → 0 without a call; otherwise the judge's yes/no", () =>
    Effect.gen(function*() {
      const metric = jsonCorrectnessJudge({ expectedStructure: "an object with a string `name`" })
      const { log, run } = yield* judged([ask("q", "not json"), ask("q", "{\"name\": \"Ana\"}"), ask("q", "{\"name\": \"FAIL\"}")], [metric])
      assert.deepStrictEqual(run.cases.map((c) => c.metrics[0]!.score), [0, 1, 0])
      assert.include(result(run, 0).reason!, "not valid JSON")
      assert.strictEqual(log.length, 2)
    }))
})

describe("conversational metrics over HTTP", () => {
  const chat = ConversationalTestCase.make({
    scenario: "A customer asks about a refund",
    turns: [
      { role: "user", content: "I want a refund for order 7." },
      { role: "assistant", content: "Sure, refund for order 7 is on its way." },
      { role: "user", content: "When will it arrive?" },
      { role: "assistant", content: "FAIL: here is a cake recipe." }
    ]
  })

  it.live("turn-relevancy = relevant assistant turns ÷ assistant turns, each judged with its window", () =>
    Effect.gen(function*() {
      const { log, run } = yield* judged([chat], [turnRelevancy({ windowSize: 1 })])
      assert.closeTo(result(run, 0).score!, 0.5, 1e-9)
      const prompt = log[0]!.lastUserMessage!
      assert.include(prompt, "Assistant turn 4, after:\n  3. [user] When will it arrive?")
      assert.notInclude(prompt.slice(prompt.indexOf("Assistant turn 4, after")), "[user] I want a refund")
    }))

  it.live("conversational-g-eval scores the whole conversation (steps from criteria, then 7/10)", () =>
    Effect.gen(function*() {
      const { log, run } = yield* judged([chat], [conversationalGEval({ name: "helpful", criteria: "Is the assistant helpful?" })])
      assert.closeTo(result(run, 0).score!, 0.7, 1e-9)
      assert.strictEqual(result(run, 0).name, "helpful")
      assert.strictEqual(log.length, 2)
      assert.include(log[1]!.lastUserMessage!, "Scenario:\nA customer asks about a refund")
      assert.include(log[1]!.lastUserMessage!, "4. [assistant] FAIL: here is a cake recipe.")
    }))

  it.live("a single-turn case is not scored by a conversational metric (skipped)", () =>
    Effect.gen(function*() {
      const { log, run } = yield* judged([ask("q", "a")], [turnRelevancy()], {}, { skipOnMissingParams: true })
      assert.isTrue(result(run, 0).skipped)
      assert.strictEqual(log.length, 0)
    }))
})

const leaf = (score: number, reason?: string): DagNode => ({ type: "verdict", score, ...(reason ? { reason } : {}) })

/** Summarise, then: is it on topic? yes → tone (formal → 1, casual → g-eval), no → 0. */
const tree: DagNode = {
  type: "task",
  id: "summary",
  instructions: "Summarise the actual output in one line",
  label: "Summary",
  then: {
    type: "binary",
    id: "on-topic",
    criteria: "Does the summary stay on the question's topic?",
    yes: {
      type: "choice",
      id: "tone",
      criteria: "What is the tone of the actual output?",
      options: [
        { verdict: "formal", then: leaf(1, "formal and on topic") },
        { verdict: "casual", then: { type: "g-eval", criteria: "How acceptable is a casual tone here?" } }
      ]
    },
    no: leaf(0, "off topic")
  }
}

describe("DAG metric over HTTP", () => {
  it.live("walks one path per case: verdict leaves, a g-eval leaf, and the no branch", () =>
    Effect.gen(function*() {
      const cases = [ask("Explain tides", "A formal account of tides."), ask("Explain tides", "a casual chat about tides"), ask("Explain tides", "FAIL")]
      const { log, run } = yield* judged(cases, [dag({ name: "tides", root: tree, verbose: true })])
      assert.deepStrictEqual(run.cases.map((c) => c.metrics[0]!.score), [1, 0.7, 0])
      assert.include(result(run, 0).reason!, "\"summary\" (root): Summary written → \"on-topic\" (root.then): yes (holds) → \"tone\" (root.then.yes): \"formal\"")
      assert.include(result(run, 0).reason!, "1.00 (formal and on topic)")
      assert.include(result(run, 2).reason!, "no (marked FAIL) → 0.00 (off topic)")
      // task + binary + choice = 3; + g-eval steps and score = 5; task + binary = 2
      assert.strictEqual(log.length, 10)
      // the task's output is shown to the nodes below it
      assert.isTrue(log.some((e) => e.lastUserMessage?.includes("Summary:\nTASK(A formal account of tides.)")))
      assert.isAtLeast(result(run, 0).verbose?.length ?? 0, 3)
    }))

  it.live("a reply outside a choice node's verdicts is repaired, then a MetricError quoting it", () =>
    Effect.gen(function*() {
      const { log, run } = yield* judged([ask("Explain tides", "formal")], [dag({ name: "tides", root: tree })], {
        scripts: [{ pattern: /choosing exactly one|could not be used/, content: "{\"verdict\": \"sarcastic\"}" }]
      })
      assert.include(result(run, 0).error!, "after 3 attempt(s)")
      assert.include(result(run, 0).error!, "sarcastic")
      assert.match(result(run, 0).error!, /after 3 attempt\(s\): verdict: Expected .*, actual "sarcastic"; last reply: /)
      assert.include(log[3]!.lastUserMessage!, "Your reply could not be used")
      assert.strictEqual(log.length, 2 + 3)
    }))

  it.live("a tree with problems fails each measurement naming the node, without a judge call", () =>
    Effect.gen(function*() {
      const bad: DagNode = { type: "choice", id: "only", criteria: "c", options: [{ verdict: "a", then: leaf(1) }] }
      const { log, run } = yield* judged([ask("q", "a")], [dag({ name: "bad", root: bad })])
      assert.include(result(run, 0).error!, "node \"only\" (root): a choice needs at least 2 options, it has 1")
      assert.strictEqual(log.length, 0)
    }))
})

describe("multimodal metrics over HTTP", () => {
  const dir = mkdtempSync(join(tmpdir(), "assay-images-"))
  const png = join(dir, "tiny.png")
  writeFileSync(png, Buffer.from(PNG_BASE64, "base64"))
  const text = join(dir, "notes.png")
  writeFileSync(text, "these are not image bytes")
  const illustrated = (image: Record<string, string>) =>
    ask("Describe the water cycle", "", {
      actualOutput: [
        { type: "text", text: "Water evaporates from the sea." },
        { type: "image", ...image },
        { type: "text", text: "Then it rains." }
      ] as never
    })

  it.live("image-coherence and image-helpfulness send each image (file or data URL) as an image part", () =>
    Effect.gen(function*() {
      const { log, run } = yield* judged(
        [illustrated({ path: png }), illustrated({ url: `data:image/png;base64,${PNG_BASE64}` })],
        [imageCoherence(), imageHelpfulness()]
      )
      assert.deepStrictEqual(run.cases.flatMap((c) => c.metrics.map((m) => m.score)), [0.8, 0.8, 0.8, 0.8])
      assert.strictEqual(log.length, 4)
      for (const entry of log) assert.deepStrictEqual(entry.images, [{ mediaType: "image/png", bytes: PNG_BYTES }])
      assert.include(log[0]!.lastUserMessage!, "Text before the image:\nWater evaporates from the sea.")
      assert.include(log[0]!.lastUserMessage!, "Text after the image:\nThen it rains.")
    }))

  it.live("text-to-image = √(SC·PQ)/10; https URLs are passed through; Anthropic gets an image block", () =>
    Effect.gen(function*() {
      const generated = ask("A red bicycle", "", { actualOutput: [{ type: "image", base64: PNG_BASE64 }, { type: "image", url: "https://img.example/b.png" }] as never })
      const openai = yield* judged([generated], [textToImage()])
      assert.closeTo(result(openai.run, 0).score!, 0.6, 1e-9)
      assert.deepStrictEqual(openai.log[0]!.images, [{ mediaType: "image/png", bytes: PNG_BYTES }, { url: "https://img.example/b.png" }])
      const anthropic = yield* judged([generated], [textToImage()], {}, {
        judge: (baseUrl) => judgeOver(Anthropic.layer({ model: "claude-test", baseUrl: baseUrl.replace(/\/v1$/, ""), apiKey: undefined }), quick)
      })
      assert.closeTo(result(anthropic.run, 0).score!, 0.6, 1e-9)
      assert.strictEqual(anthropic.log[0]!.path, "/v1/messages")
      assert.deepStrictEqual(anthropic.log[0]!.images, [{ mediaType: "image/png", bytes: PNG_BYTES }, { url: "https://img.example/b.png" }])
    }))

  it.live("over the size limit, not an image, unreadable or without images: a clear error and no judge call", () =>
    Effect.gen(function*() {
      const { log, run } = yield* judged(
        [illustrated({ path: png }), illustrated({ path: text }), illustrated({ path: join(dir, "missing.png") }), ask("q", "no image here"), illustrated({ url: "ftp://x/y.png" })],
        [imageCoherence({ maxImageBytes: 64 })]
      )
      const errors = run.cases.map((c) => c.metrics[0]!.error ?? "")
      assert.include(errors[0]!, `image #1 (path ${png}) is 0.0 MB, over the 0.0 MB limit`)
      const generous = yield* judged([illustrated({ path: text })], [imageCoherence()])
      assert.include(generous.run.cases[0]!.metrics[0]!.error!, `image #1 (path ${text}) is not an image (PNG, JPEG, GIF or WebP)`)
      assert.include(errors[2]!, "cannot be read")
      assert.include(errors[3]!, "the actual output has no image part to judge")
      assert.include(errors[4]!, "unsupported URL scheme")
      assert.strictEqual(log.length + generous.log.length, 0)
    }))
})
