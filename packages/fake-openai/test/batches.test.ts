import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { FakeOpenAi } from "@assay/fake-openai"

// The fake's batch APIs over real HTTP; its Clock is the test's TestClock, so a batch's delay passes with
// TestClock.adjust and nothing here sleeps.

const call = (method: "GET" | "POST", url: string, body?: unknown) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const request = method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson(body ?? {}))
    const response = yield* client.execute(request)
    return { status: response.status, text: yield* response.text }
  }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer), Effect.orDie)

const json = (r: { readonly text: string }) => JSON.parse(r.text)
const params = (content: string) => ({ model: "claude-3-5-haiku-latest", max_tokens: 10, messages: [{ role: "user", content }] })

describe("fake batch APIs", () => {
  it.scoped("Anthropic: in progress until the delay, then results with a failed line; created batches are counted", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ batch: { delay: "10 seconds", failPattern: /broken/ } })
      const root = `${server.baseUrl}/messages/batches`
      const created = json(yield* call("POST", root, { requests: [{ custom_id: "a", params: params("hi") }, { custom_id: "b", params: params("broken") }] }))
      assert.strictEqual(created.processing_status, "in_progress")
      assert.strictEqual(created.results_url, null)
      yield* TestClock.adjust("9 seconds")
      assert.strictEqual(json(yield* call("GET", `${root}/${created.id}`)).processing_status, "in_progress")
      yield* TestClock.adjust("1 second")
      const ended = json(yield* call("GET", `${root}/${created.id}`))
      assert.strictEqual(ended.processing_status, "ended")
      assert.deepStrictEqual(ended.request_counts, { processing: 0, succeeded: 1, errored: 1, canceled: 0, expired: 0 })
      const lines = (yield* call("GET", ended.results_url)).text.trim().split("\n").map((l) => JSON.parse(l))
      assert.deepStrictEqual(lines.map((l) => [l.custom_id, l.result.type]), [["a", "succeeded"], ["b", "errored"]])
      assert.strictEqual(lines[0].result.message.content[0].text, "ok")
      assert.strictEqual(yield* server.batchesCreated, 1)
    }))

  it.scoped("OpenAI: a cancelled batch ends at once; its lines are in the error file", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ batch: { delay: "1 hour" } })
      const jsonl = JSON.stringify({ custom_id: "x", method: "POST", url: "/v1/chat/completions", body: { model: "m", messages: [{ role: "user", content: "q" }] } })
      const form = new FormData()
      form.append("purpose", "batch")
      form.append("file", new Blob([jsonl]), "in.jsonl")
      const file = yield* Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const response = yield* client.execute(HttpClientRequest.post(`${server.baseUrl}/files`).pipe(HttpClientRequest.bodyFormData(form)))
        return JSON.parse(yield* response.text)
      }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer), Effect.orDie)
      const batch = json(yield* call("POST", `${server.baseUrl}/batches`, { input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" }))
      assert.strictEqual(batch.status, "in_progress")
      const cancelled = json(yield* call("POST", `${server.baseUrl}/batches/${batch.id}/cancel`))
      assert.strictEqual(cancelled.status, "cancelled")
      assert.strictEqual(cancelled.output_file_id, null)
      const errors = json(yield* call("GET", `${server.baseUrl}/files/${cancelled.error_file_id}/content`))
      assert.strictEqual(errors.custom_id, "x")
      assert.strictEqual(errors.error.code, "batch_cancelled")
      const log = yield* server.log
      assert.deepStrictEqual(log.map((e) => `${e.method} ${e.path}`).slice(0, 2), ["POST /v1/files", "POST /v1/batches"])
    }))
})
