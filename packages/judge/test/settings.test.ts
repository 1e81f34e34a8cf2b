import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import * as PathPatch from "effect/ConfigProviderPathPatch"
import { FakeOpenAi } from "@assay/fake-openai"
import {
  ChatProvider,
  Embedder,
  embedderLayer,
  Gemini,
  Judge,
  judgeLayer,
  judgeLayerConfig,
  JudgeSettingsSource,
  OpenAiCompatible
} from "@assay/judge"
import { ask, httpLive, quick } from "./helpers.js"

// The library's settings surface: judge, embedder and provider layers built from plain values or from the
// caller's own Config values, against the fake server on 127.0.0.1. The library names no environment
// variable: under a ConfigProvider that dies on any read, layers built from values still work.

const KEY = "sk-settings-test-0123456789"

/** A ConfigProvider that records and dies on every read: any variable the library read would end the test. */
const noReads = () => {
  const reads: Array<string> = []
  const refuse = (path: ReadonlyArray<string>) =>
    Effect.suspend(() => {
      reads.push(path.join("."))
      return Effect.dieMessage(`the library read the configuration ${path.join(".")}`)
    })
  const provider = ConfigProvider.fromFlat(ConfigProvider.makeFlat({ load: refuse, enumerateChildren: refuse, patch: PathPatch.empty }))
  return { reads, provider }
}

const chat = Effect.flatMap(Judge, (judge) => Effect.zip(judge.chat(ask("hi")), judge.stats))

describe("judge settings as values", () => {
  it.live("judgeLayer(spec, settings) reaches the server with the given key and limits; no configuration is read", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: KEY, defaultReply: "hello" })
      const { provider, reads } = noReads()
      const settings = { apiKey: Redacted.make(KEY), baseUrl: server.baseUrl, maxConnections: 3 }
      for (const spec of [{ provider: "openai-compatible", model: "local" }, { provider: "openai", model: "gpt-4o-mini" }] as const) {
        const [reply, stats] = yield* chat.pipe(Effect.provide(judgeLayer({ ...spec, policy: quick }, settings)), Effect.withConfigProvider(provider))
        assert.strictEqual(reply.text, "hello")
        assert.strictEqual(stats.policy?.cap, 3)
        assert.strictEqual(stats.model, `${spec.provider}:${spec.model}`)
      }
      assert.deepStrictEqual(reads, [])
    }).pipe(Effect.scoped))

  it.live("judgeLayerConfig reads the caller's own Config names", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: KEY, defaultReply: "hello" })
      const env = ConfigProvider.fromMap(new Map([["MY_KEY", KEY], ["MY_URL", server.baseUrl], ["MY_CAP", "2"]]))
      const layer = judgeLayerConfig({ provider: "openai", model: "gpt-4o-mini" }, {
        apiKey: Config.redacted("MY_KEY"),
        baseUrl: Config.string("MY_URL"),
        maxConnections: Config.integer("MY_CAP")
      })
      const [reply, stats] = yield* chat.pipe(Effect.provide(layer), Effect.withConfigProvider(env))
      assert.strictEqual(reply.text, "hello")
      assert.strictEqual(stats.policy?.cap, 2)
    }).pipe(Effect.scoped))

  it.live("without settings or a source nothing is read: openai: fails before any request, openai-compatible: runs keyless", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ defaultReply: "ok" })
      const { provider, reads } = noReads()
      const missing = yield* Effect.exit(chat.pipe(Effect.provide(judgeLayer({ provider: "openai", model: "gpt-4o-mini", baseUrl: server.baseUrl })), Effect.withConfigProvider(provider)))
      assert.isTrue(Exit.isFailure(missing))
      assert.include(String(Exit.isFailure(missing) ? missing.cause : ""), "openai:gpt-4o-mini needs an API key")
      const [reply] = yield* chat.pipe(Effect.provide(judgeLayer({ provider: "openai-compatible", model: "m", baseUrl: server.baseUrl })), Effect.withConfigProvider(provider))
      assert.strictEqual(reply.text, "ok")
      assert.deepStrictEqual(reads, [])
      assert.strictEqual((yield* server.log).length, 1, "only the keyless call was sent")
    }).pipe(Effect.scoped))

  it.live("judgeLayer(spec) takes its settings from a provided JudgeSettingsSource", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: KEY, defaultReply: "sourced" })
      const source = Layer.succeed(JudgeSettingsSource, {
        judge: () => Effect.succeed({ apiKey: Redacted.make(KEY), baseUrl: server.baseUrl }),
        embedder: () => Effect.succeed({})
      })
      const [reply] = yield* chat.pipe(Effect.provide(judgeLayer({ provider: "openai", model: "gpt-4o-mini" })), Effect.provide(source))
      assert.strictEqual(reply.text, "sourced")
    }).pipe(Effect.scoped))

  it.live("embedderLayer(spec, settings) embeds with the given key; no configuration is read", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: KEY })
      const { provider, reads } = noReads()
      const layer = embedderLayer({ provider: "openai", model: "text-embedding-3-small" }, { apiKey: Redacted.make(KEY), baseUrl: server.baseUrl })
      const { vectors } = yield* Effect.flatMap(Embedder, (embedder) => embedder.embed(["a", "b"])).pipe(Effect.provide(layer), Effect.withConfigProvider(provider))
      assert.strictEqual(vectors.length, 2)
      assert.deepStrictEqual(reads, [])
    }).pipe(Effect.scoped))
})

describe("providers: make / layer / layerConfig", () => {
  const complete = Effect.flatMap(ChatProvider, (provider) => provider.complete(ask("hi")))

  it.live("OpenAiCompatible and Gemini layers from values and from Config reach the server", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: KEY, defaultReply: "ok" })
      const env = ConfigProvider.fromMap(new Map([["MY_KEY", KEY], ["MY_URL", server.baseUrl]]))
      const gemini = `http://127.0.0.1:${server.port}/v1beta`
      const layers = [
        OpenAiCompatible.layer({ baseUrl: server.baseUrl, model: "m", apiKey: Redacted.make(KEY) }),
        OpenAiCompatible.layerConfig({ baseUrl: Config.string("MY_URL"), model: Config.succeed("m"), apiKey: Config.redacted("MY_KEY") }),
        Gemini.layer({ baseUrl: gemini, model: "gemini-2.0-flash", apiKey: Redacted.make(KEY) }),
        Gemini.layerConfig({ baseUrl: Config.succeed(gemini), model: Config.succeed("gemini-2.0-flash"), apiKey: Config.redacted("MY_KEY") })
      ]
      for (const layer of layers) {
        const reply = yield* complete.pipe(Effect.provide(layer.pipe(Layer.provide(httpLive))), Effect.withConfigProvider(env))
        assert.strictEqual(reply.text, "ok")
      }
      const statuses = (yield* server.log).map((e) => e.status)
      assert.deepStrictEqual(statuses, [200, 200, 200, 200])
    }).pipe(Effect.scoped))

  it.live("a transport failure is a classified JudgeError, once: Unreachable naming the URL", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(complete).pipe(
        Effect.provide(OpenAiCompatible.layer({ baseUrl: "http://127.0.0.1:9/v1", model: "m", apiKey: undefined }).pipe(Layer.provide(httpLive)))
      )
      assert.strictEqual(error._tag, "JudgeError")
      assert.strictEqual(error.kind, "Unreachable")
      assert.include(error.message, "http://127.0.0.1:9/v1/chat/completions")
    }))
})
