import { assert, describe, it } from "@effect/vitest"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { Deferred, Effect, Exit, Layer, Option, Redacted } from "effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { evaluate, exactMatch, LLMTestCase, type Task, type TestCase } from "@assay/core"
import { FakeOpenAi } from "@assay/fake-openai"
import { canonicalRequest, Judge, OpenAi, Recording, recordedHttpClient, routeOf } from "@assay/judge"
import { ask, judgeAt, judgeOver, quick } from "./helpers.js"

const SECRET = "sk-RECORDING-unit-4b7e19"

/** A user's task posting each case to `baseUrl` through the platform HttpClient (key in a header and the query). */
const httpTask = (baseUrl: string): Task<HttpClient.HttpClient> => (testCase) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post(`${baseUrl}/chat/completions?api_key=${SECRET}`).pipe(
        HttpClientRequest.setHeader("authorization", `Bearer ${SECRET}`),
        HttpClientRequest.bodyUnsafeJson({ model: "app", user: "volatile-user-id", messages: [{ role: "user", content: testCase._tag === "LLMTestCase" ? String(testCase.input) : "" }] })
      )
    )
    const body = (yield* response.json) as { choices: ReadonlyArray<{ message: { content: string } }> }
    return { testCase: { ...testCase, actualOutput: body.choices[0]!.message.content } as TestCase }
  })

const cases = [
  LLMTestCase.make({ name: "paris", input: "France", expectedOutput: "Paris" }),
  LLMTestCase.make({ input: "Italy", expectedOutput: "Rome" })
]

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "assay-recording-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

describe("canonical requests", () => {
  it("drop the host, secret query parameters and volatile fields, mask secret fields and sort keys", () => {
    assert.strictEqual(routeOf("http://127.0.0.1:8080/v1/x?key=abc&b=2&a=1"), "/v1/x?a=1&b=2")
    assert.deepStrictEqual(
      canonicalRequest({ method: "post", path: "https://h/v1/x", body: { b: 1, api_key: "s", user: "u", a: { token: "t" } } }),
      { method: "POST", path: "/v1/x", body: { a: { token: "[redacted]" }, api_key: "[redacted]", b: 1 } }
    )
    assert.deepStrictEqual(canonicalRequest({ method: "GET", path: "/x", body: null }, { repetition: 2, epoch: 1 }), {
      method: "GET",
      path: "/x",
      body: null,
      repetition: 2,
      epoch: 1
    })
  })
})

describe("recordedHttpClient", () => {
  it.live("records a task's HTTP calls without secrets, replays them with no request, and names the case of a miss", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ defaultReply: "Paris", apiKey: SECRET })
      const file = join(yield* tempDir, "calls.jsonl")
      const http = recordedHttpClient.pipe(Layer.provide(NodeHttpClient.layerUndici))
      const task = httpTask(server.baseUrl)

      const recorded = yield* evaluate(cases, [exactMatch()], { task }).pipe(
        Effect.provide(http),
        Effect.provide(Recording.record(file, { secrets: [Redacted.make(SECRET)] })),
        Effect.provide(NodeContext.layer)
      )
      assert.strictEqual((yield* server.log).length, 2)
      const text = readFileSync(file, "utf8")
      assert.strictEqual(text.trim().split("\n").length, 2)
      assert.notInclude(text, SECRET)
      assert.notInclude(text, "volatile-user-id")

      const replayed = yield* evaluate(cases, [exactMatch()], { task }).pipe(
        Effect.provide(http),
        Effect.provide(Recording.replay(file)),
        Effect.provide(NodeContext.layer)
      )
      assert.strictEqual((yield* server.log).length, 2, "a replay makes no request")
      assert.deepStrictEqual(replayed.cases.map((c) => [c.success, c.metrics[0]!.score]), recorded.cases.map((c) => [c.success, c.metrics[0]!.score]))

      // A case the recording does not hold: the miss names it and completes `missed`.
      const other = [LLMTestCase.make({ name: "spain", input: "Spain", expectedOutput: "Madrid" })]
      const missed = yield* Effect.gen(function*() {
        const recording = yield* Recording
        const run = yield* evaluate(other, [exactMatch()], { task, ignoreErrors: true })
        return { run, miss: yield* Deferred.poll(recording.missed) }
      }).pipe(Effect.provide(http), Effect.provide(Recording.replay(file)), Effect.provide(NodeContext.layer))
      assert.strictEqual((yield* server.log).length, 2)
      assert.isTrue(Option.isSome(missed.miss))
      const exit = yield* Option.getOrThrow(missed.miss).pipe(Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), 'case #0 \\"spain\\"')
    }).pipe(Effect.scoped))
})

describe("judge calls through a recording", () => {
  it.live("both transports and @effect/ai providers record and replay (openai-compatible on undici, openai on HttpClient)", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ defaultReply: "{\"score\": 7}" })
      const dir = yield* tempDir
      const layers = [
        ["compatible", judgeAt(server.baseUrl, quick)],
        ["openai", judgeOver(OpenAi.layer({ model: "gpt-4o-mini", apiKey: Redacted.make(SECRET), baseUrl: server.baseUrl }), quick)]
      ] as const
      for (const [name, judge] of layers) {
        const file = join(dir, `${name}.jsonl`)
        const chat = Effect.flatMap(Judge, (j) => j.chat(ask(`rate ${name}`)))
        const live = yield* chat.pipe(Effect.provide(Layer.provide(judge, Recording.record(file))), Effect.provide(NodeContext.layer))
        const before = (yield* server.log).length
        const again = yield* chat.pipe(Effect.provide(Layer.provide(judge, Recording.replay(file))), Effect.provide(NodeContext.layer))
        assert.strictEqual((yield* server.log).length, before, `${name}: a replay makes no request`)
        assert.deepStrictEqual({ ...again }, { ...live })
        assert.notInclude(readFileSync(file, "utf8"), SECRET)
      }
    }).pipe(Effect.scoped))
})
