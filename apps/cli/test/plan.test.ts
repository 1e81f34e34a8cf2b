import { describe, expect, it } from "@effect/vitest"
import { Duration, Option } from "effect"
import { resolvePlan, type RunFlags, toEvalOptions } from "../src/run/plan.js"
import { policyOf } from "../src/run/services.js"

const noFlags: RunFlags = {
  metrics: [], judge: Option.none(), target: Option.none(), baseUrl: Option.none(), prompt: Option.none(),
  concurrency: Option.none(), throttle: Option.none(), ignoreErrors: false, skipOnMissingParams: false,
  maxErrors: Option.none(), timeout: Option.none(), deadline: Option.none(), maxCost: Option.none(), repeat: Option.none(), reducer: Option.none(),
  maxConnections: Option.none(), rpm: Option.none(), tpm: Option.none(), maxRetries: Option.none(),
  attemptTimeout: Option.none(), callDeadline: Option.none(),
  minPassRate: Option.none(), cache: Option.none(), noCache: false, offline: false, record: Option.none(), replay: Option.none(), freshTask: false, strictInput: false, identifier: Option.none(), hyperparameters: {}
}

describe("resolvePlan", () => {
  it("uses defaults when neither flags nor config say anything", () => {
    const plan = resolvePlan("/d.jsonl", noFlags, {}, "/p/.assay/assay.db")
    expect(plan).toMatchObject({ concurrency: 20, repeat: 1, cache: "/p/.assay/assay.db", timeoutMs: null, minPassRate: null, target: null })
  })

  it("flags override the config, hyperparameters merge, --no-cache wins over a cache path", () => {
    const plan = resolvePlan(
      "/d.jsonl",
      { ...noFlags, metrics: ["bleu"], concurrency: Option.some(4), timeout: Option.some(Duration.seconds(2)), noCache: true, hyperparameters: { prompt: "v2" } },
      { metrics: ["rouge"], concurrency: 50, timeout: Duration.seconds(30), deadline: Duration.minutes(5), cache: "/c.db", hyperparameters: { prompt: "v1", model: "m" } },
      "/default.db"
    )
    expect(plan.metrics).toEqual(["bleu"])
    expect(plan.concurrency).toBe(4)
    expect(plan.timeoutMs).toBe(2000)
    expect(plan.deadlineMs).toBe(300_000)
    expect(plan.cache).toBeNull()
    expect(plan.hyperparameters).toEqual({ prompt: "v2", model: "m" })
  })

  it("call-policy settings: flags over config, absent ones left to the run's defaults", () => {
    const plan = resolvePlan("/d.jsonl", { ...noFlags, maxRetries: Option.some(0), callDeadline: Option.some(Duration.seconds(90)) },
      { maxRetries: 3, maxConnections: 12, attemptTimeout: Duration.seconds(20) }, "/db")
    expect(plan.calls).toEqual({ maxRetries: 0, maxConnections: 12, attemptTimeoutMs: 20_000, callDeadlineMs: 90_000 })
    expect(policyOf(plan.calls)).toEqual({
      maxRetries: 0, maxConnections: 12, attemptTimeout: Duration.millis(20_000), deadline: Duration.millis(90_000)
    })
    expect(resolvePlan("/d.jsonl", noFlags, {}, "/db").calls).toEqual({})
  })

  it("a target from the config keeps its template unless the flags replace parts of it", () => {
    const plan = resolvePlan("/d.jsonl", { ...noFlags, baseUrl: Option.some("http://127.0.0.1:1/v1") },
      { target: { model: "openai:m", prompt: "Q: {{input}}" } }, "/db")
    expect(plan.target).toEqual({ model: "openai:m", prompt: "Q: {{input}}", baseUrl: "http://127.0.0.1:1/v1" })
  })

  it("engine options carry every run option", () => {
    const options = toEvalOptions(resolvePlan("/d.jsonl", { ...noFlags, maxErrors: Option.some(0.1), throttle: Option.some(Duration.millis(100)) }, { ignoreErrors: true }, "/db"))
    expect(options).toMatchObject({ maxErrors: 0.1, ignoreErrors: true, concurrency: 20 })
    expect(Duration.toMillis(options.throttle!)).toBe(100)
  })
})
