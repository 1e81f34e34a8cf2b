/** Prices: the catalog's, by bare model name for every provider, aliases, overrides, unknown ≠ 0, batch. */
import { bareModel, catalogPrices, costOf, defaultPrices, makeReservation, priceOf, withOverrides } from "@assay/judge"
import { assert, describe, it } from "@effect/vitest"

describe("pricing", () => {
  it("reads the models.dev catalog of OpenAI and Anthropic models", () => {
    assert.deepStrictEqual(catalogPrices["gpt-4o-mini"], { input: 0.15, output: 0.6 })
    assert.deepStrictEqual(catalogPrices["claude-3-5-haiku-20241022"], { input: 0.8, output: 4 })
    assert.isAbove(Object.keys(catalogPrices).length, 25)
  })

  it("prices a bare model name under every provider prefix, and dated or -latest aliases as their family", () => {
    for (const model of ["gpt-4o-mini", "openai:gpt-4o-mini", "openai-compatible:gpt-4o-mini", "openai-responses:gpt-4o-mini", "gpt-4o-mini-2024-07-18"]) {
      assert.deepStrictEqual(priceOf(defaultPrices, model), { input: 0.15, output: 0.6 }, model)
    }
    assert.deepStrictEqual(priceOf(defaultPrices, "anthropic:claude-3-5-haiku-latest"), { input: 0.8, output: 4 })
    assert.deepStrictEqual(priceOf(defaultPrices, "anthropic:claude-haiku-4-5-20251001"), { input: 1, output: 5 })
    assert.strictEqual(bareModel("openai-compatible:llama3.1:8b"), "llama3.1:8b")
  })

  it("an unknown model's cost is unknown (undefined), never 0", () => {
    assert.isUndefined(costOf(defaultPrices, "openai-compatible:my-local-model", { input: 10, output: 10 }))
    assert.strictEqual(costOf(defaultPrices, "openai:gpt-4o-mini", { input: 0, output: 0 }), 0)
  })

  it("config overrides win, keyed by bare name or with a prefix, and may be prefixes", () => {
    const table = withOverrides(defaultPrices, { "openai:gpt-4o-mini": { input: 1, output: 2 }, "llama*": { input: 0, output: 0 } })
    assert.deepStrictEqual(priceOf(table, "anthropic:gpt-4o-mini"), { input: 1, output: 2 })
    assert.strictEqual(costOf(table, "openai-compatible:llama3.1", { input: 1e6, output: 1e6 }), 0)
  })

  it("batch calls cost 1 - batchDiscount of the live price (default half)", () => {
    assert.closeTo(costOf(defaultPrices, "gpt-4o", { input: 1e6, output: 0 }, "batch")!, 1.25, 1e-12)
    const table = withOverrides(defaultPrices, { m: { input: 10, output: 10, batchDiscount: 0.25 } })
    assert.closeTo(costOf(table, "m", { input: 1e6, output: 0 }, "batch")!, 7.5, 1e-12)
  })

  it("reserves input + max tokens when set, else the running mean of output tokens (a prior of 256 first)", () => {
    const r = makeReservation({ input: 1e6, output: 1e6 }) // $1 a token: estimates read as tokens
    const request = { messages: [{ role: "user" as const, content: "abcdefgh" }] } // 2 input tokens
    assert.strictEqual(r.estimate({ ...request, maxTokens: 10 }), 12)
    assert.strictEqual(r.estimate(request), 2 + 256)
    r.observe({ text: "", usage: { input: 2, output: 0 } })
    assert.strictEqual(r.estimate(request), 2 + 128) // (256 + 0) / 2
  })
})
