import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { contentText, decodeTestCase, decodeTestCaseEither, MAX_DEPTH } from "@assay/core"

describe("decodeTestCase", () => {
  it.effect("accepts camelCase and deepeval snake_case alike", () =>
    Effect.gen(function*() {
      const snake = yield* decodeTestCase({
        input: "q",
        actual_output: "a",
        expected_output: "e",
        retrieval_context: ["r"],
        tools_called: [{ name: "search", input_parameters: { query_text: "x" } }],
        additional_metadata: { some_key: 1 }
      })
      const camel = yield* decodeTestCase({
        input: "q",
        actualOutput: "a",
        expectedOutput: "e",
        retrievalContext: ["r"],
        toolsCalled: [{ name: "search", inputParameters: { query_text: "x" } }],
        metadata: { some_key: 1 }
      })
      assert.deepStrictEqual(snake, camel)
      assert.strictEqual(snake._tag, "LLMTestCase")
    }))

  it("recognises conversations and multimodal content", () => {
    const conv = decodeTestCaseEither({ turns: [{ role: "user", content: "hi" }], chatbot_role: "helper" })
    assert.isTrue(Either.isRight(conv) && conv.right._tag === "ConversationalTestCase" && conv.right.chatbotRole === "helper")
    const mm = decodeTestCaseEither({ input: [{ type: "text", text: "what is this?" }, { type: "image", url: "https://x/y.png" }] })
    assert.isTrue(Either.isRight(mm))
    if (Either.isRight(mm) && mm.right._tag === "LLMTestCase") assert.strictEqual(contentText(mm.right.input), "what is this?")
  })

  it("names the file, line and every offending field", () => {
    const bad = decodeTestCaseEither({ input: 3, context: ["ok", 4], tools_called: [{ input_parameters: {} }] }, { file: "data.jsonl", line: 7 })
    assert.isTrue(Either.isLeft(bad))
    if (Either.isLeft(bad)) {
      const message = bad.left.message
      assert.match(message, /^data\.jsonl:line 7: /)
      assert.include(message, "input:")
      assert.include(message, "context.1:")
      assert.include(message, "toolsCalled.0.name:")
    }
    const image = decodeTestCaseEither({ input: [{ type: "image" }] })
    assert.isTrue(Either.isLeft(image) && image.left.message.includes("exactly one of url, path or base64"))
    const notObject = decodeTestCaseEither([1], { file: "x.json", index: 2 })
    assert.isTrue(Either.isLeft(notObject) && notObject.left.message === "x.json:case #2: expected an object, got an array")
  })

  it("drops null properties at every level (keys of user data kept), keeps null items of arrays", () => {
    const decoded = decodeTestCaseEither({
      input: "q",
      expected_output: null,
      tools_called: [{ name: "search", description: null, input_parameters: { query_text: "x", page_token: null, list: [null, { a_b: null, c_d: 1 }] } }],
      additional_metadata: { some_key: null, nested_key: { inner_key: 2, gone: null } }
    })
    assert.isTrue(Either.isRight(decoded))
    if (Either.isRight(decoded) && decoded.right._tag === "LLMTestCase") {
      assert.isUndefined(decoded.right.expectedOutput)
      assert.deepStrictEqual(decoded.right.toolsCalled, [{ name: "search", inputParameters: { query_text: "x", list: [null, { c_d: 1 }] } }])
      assert.deepStrictEqual(decoded.right.metadata, { nested_key: { inner_key: 2 } })
    }
  })

  it("refuses a value nested deeper than MAX_DEPTH levels, naming its field, and accepts one level less", () => {
    const nest = (levels: number): unknown => {
      let value: unknown = "leaf"
      for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { k: value }
      return value
    }
    const ok = decodeTestCaseEither({ input: "q", additional_metadata: { deep: nest(MAX_DEPTH - 2) } })
    assert.isTrue(Either.isRight(ok))
    const deep = decodeTestCaseEither({ input: "q", additional_metadata: { deep: nest(MAX_DEPTH - 1) } }, { file: "d.jsonl", line: 3 })
    assert.isTrue(Either.isLeft(deep) && deep.left.message === `d.jsonl:line 3: metadata: nested deeper than ${MAX_DEPTH} levels`)
    const hostile = decodeTestCaseEither({ input: "q", retrieval_context: nest(100_000) })
    assert.isTrue(Either.isLeft(hostile) && hostile.left.message.endsWith(`retrievalContext: nested deeper than ${MAX_DEPTH} levels`))
  })
})
