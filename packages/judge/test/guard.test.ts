import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Redacted, Scope, TestClock } from "effect"
import { evaluate } from "@assay/core"
import { FakeOpenAi } from "@assay/fake-openai"
import { answerRelevancy, Judge, JudgeError, judgeLayer, type JudgeSpec, redactor, stopOnFatal } from "@assay/judge"
import { env } from "./cli-env.js"
import { ask, quick, rag } from "./helpers.js"

// The seam every provider error passes through (packages/judge/src/guard.ts): redaction, the fatal latch for
// rejected keys and unreachable endpoints, and the key checks of judgeLayer. Real HTTP to the fake server;
// assertions are on its request log and on the errors, never on elapsed time.

const KEY = "sk-test-9f8e7d6c5b4a3210"
const chat = Effect.flatMap(Judge, (j) => j.chat(ask("hi")))

/** The spec and environment that point each provider at `root` (`http://127.0.0.1:PORT`) with `key`. */
const providers = (root: string, key: string) =>
  [
    [{ provider: "openai-compatible", model: "m", policy: quick }, [["OPENAI_BASE_URL", `${root}/v1`], ["OPENAI_API_KEY", key]]],
    [{ provider: "openai", model: "m", policy: quick }, [["OPENAI_BASE_URL", `${root}/v1`], ["OPENAI_API_KEY", key]]],
    [{ provider: "openai-responses", model: "m", policy: quick }, [["OPENAI_BASE_URL", `${root}/v1`], ["OPENAI_API_KEY", key]]],
    [{ provider: "anthropic", model: "m", policy: quick }, [["ANTHROPIC_BASE_URL", root], ["ANTHROPIC_API_KEY", key]]]
  ] as const satisfies ReadonlyArray<readonly [JudgeSpec, ReadonlyArray<readonly [string, string]>]>

describe("redactor", () => {
  it("removes configured secrets, URL passwords and user-info, Bearer and sk- tokens", () => {
    const redact = redactor([Redacted.make("hunter2-secret"), Redacted.make("postgres://bob:p%40ss-word@db:5432/x"), Redacted.make("ab")])
    assert.strictEqual(redact("401: key hunter2-secret rejected"), "401: key <redacted> rejected")
    assert.strictEqual(redact("login p@ss-word failed"), "login <redacted> failed")
    assert.strictEqual(redact("GET https://alice:pw@proxy.example/v1 failed"), "GET https://<redacted>@proxy.example/v1 failed")
    assert.strictEqual(redact('{"auth":"Bearer abc.def-ghi"}'), '{"auth":"Bearer <redacted>"}')
    assert.strictEqual(redact("bad key sk-proj-AbC123xyz_-9"), "bad key <redacted>")
    assert.strictEqual(redact("a tab and a cab"), "a tab and a cab", "secrets under 4 characters are not searched for")
  })
})

describe("the provider seam, every provider", () => {
  it.live("a 401 that quotes the key: Auth, redacted, naming the provider and variable; later calls make no request", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "the-right-key", echoCredentials: true })
      const root = `http://127.0.0.1:${server.port}`
      for (const [spec, vars] of providers(root, KEY)) {
        yield* server.reset
        const { first, second } = yield* Effect.all({ first: Effect.flip(chat), second: Effect.flip(chat) }).pipe(
          Effect.provide(judgeLayer(spec)),
          env(vars)
        )
        assert.strictEqual(first.kind, "Auth")
        assert.notInclude(first.message, KEY)
        assert.include(first.message, "<redacted>", "the server's echo was there, redacted")
        assert.include(first.message, `${spec.provider} rejected the API key`)
        assert.include(first.message, spec.provider === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY")
        assert.deepStrictEqual(second, first)
        assert.strictEqual((yield* server.log).length, 1, `${spec.provider}: one request, the second call was refused at once`)
      }
    }).pipe(Effect.scoped))

  it.live("nothing listening or no such host: Unreachable after one attempt, naming the URL", () =>
    Effect.gen(function*() {
      for (const [root, code] of [["http://127.0.0.1:9", "ECONNREFUSED"], ["http://nowhere.invalid", "ENOTFOUND"]] as const) {
        for (const [spec, vars] of providers(root, KEY)) {
          const error = yield* Effect.flip(chat).pipe(Effect.provide(judgeLayer(spec)), env(vars))
          assert.strictEqual(error.kind, "Unreachable", `${spec.provider} ${root}`)
          assert.strictEqual(error.attempts, 1)
          assert.include(error.message, `cannot connect to ${root}/v1/`)
          assert.include(error.message, code)
        }
      }
    }))

  it.live("an endpoint that answered before and then refuses connections is retried (a restart), not fatal", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const server = yield* FakeOpenAi.make({}).pipe(Scope.extend(scope))
      const spec: JudgeSpec = { provider: "openai-compatible", model: "m", policy: { ...quick, maxRetries: 2 } }
      const { after, before } = yield* Effect.gen(function*() {
        const before = yield* chat
        yield* Scope.close(scope, Exit.void)
        return { before, after: yield* Effect.flip(chat) }
      }).pipe(Effect.provide(judgeLayer(spec)), env([["OPENAI_BASE_URL", server.baseUrl]]))
      assert.strictEqual(before.text, "ok")
      assert.strictEqual(after.kind, "Transient")
      assert.strictEqual(after.attempts, 3)
      assert.include(after.message, "ECONNREFUSED")
    }))

  it.live("a run with --ignore-errors semantics still stops at the first rejected key: no call per case", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({ apiKey: "the-right-key" })
      const cases = Array.from({ length: 40 }, (_, i) => rag(i))
      const spec: JudgeSpec = { provider: "openai-compatible", model: "m", policy: quick }
      const error = yield* Effect.flatMap(Judge, (judge) => stopOnFatal(judge.fatal, evaluate(cases, [answerRelevancy()], { concurrency: 4, ignoreErrors: true }))).pipe(
        Effect.provide(judgeLayer(spec)),
        env([["OPENAI_BASE_URL", server.baseUrl], ["OPENAI_API_KEY", KEY]]),
        Effect.flip
      )
      assert.strictEqual(error._tag, "JudgeError")
      assert.isAtMost((yield* server.log).length, 4, "only the calls already in flight reached the server")
    }).pipe(Effect.scoped))
})

describe("judgeLayer key checks", () => {
  it.live("openai: and anthropic: without a key fail before any request, whatever the base URL; openai-compatible runs keyless", () =>
    Effect.gen(function*() {
      const server = yield* FakeOpenAi.make({})
      const root = `http://127.0.0.1:${server.port}`
      for (const [spec, vars] of providers(root, KEY)) {
        const keyless = vars.filter(([name]) => !name.endsWith("_API_KEY"))
        const exit = yield* Effect.exit(chat.pipe(Effect.provide(judgeLayer(spec)), env(keyless)))
        if (spec.provider === "openai-compatible") {
          assert.isTrue(Exit.isSuccess(exit))
          continue
        }
        assert.isTrue(Exit.isFailure(exit))
        const message = Exit.isFailure(exit) ? String(exit.cause) : ""
        assert.include(message, spec.provider === "anthropic" ? "set ANTHROPIC_API_KEY" : "set OPENAI_API_KEY")
      }
      assert.strictEqual((yield* server.log).length, 1, "only the keyless openai-compatible call was sent")
    }).pipe(Effect.scoped))
})

describe("stopOnFatal", () => {
  it.effect("the fatal error interrupts the effect and wins over the failure it caused", () =>
    Effect.gen(function*() {
      const fatal = yield* Deferred.make<never, JudgeError>()
      const rejected = new JudgeError({ kind: "Auth", message: "rejected" })
      const waiting = yield* Effect.fork(stopOnFatal(fatal, Effect.as(Effect.sleep("1 hour"), "done")))
      yield* Deferred.fail(fatal, rejected)
      assert.deepStrictEqual(yield* Fiber.join(waiting).pipe(Effect.flip), rejected)
      // The effect failed first (with the metric error the rejected key caused): the fatal error is reported.
      const raced = yield* stopOnFatal(fatal, Effect.fail("metric failed")).pipe(Effect.flip)
      assert.deepStrictEqual(raced, rejected)
      const healthy = yield* Deferred.make<never, JudgeError>()
      const fiber = yield* Effect.fork(stopOnFatal(healthy, Effect.as(Effect.sleep("1 minute"), "done")))
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* Fiber.join(fiber), "done")
    }))
})

