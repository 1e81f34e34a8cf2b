/**
 * A scripted Judge for tests and demos: replies are chosen by regular expressions on the last user message
 * (first match wins), with optional score-token logprobs; every request is recorded. No HTTP, no policy.
 *
 * @example
 * ```ts
 * const judge = scriptedJudge([[/statements/, '{"statements": ["a", "b"]}'], [/verdicts/, '{"verdicts": [...]}']])
 * program.pipe(Effect.provide(judge.layer))
 * ```
 */
import { Effect, Layer } from "effect"
import type { ChatReply, ChatRequest, TokenLogprob } from "./chat.js"
import { JudgeError } from "./errors.js"
import { Judge } from "./judge.js"

/**
 * A reply: text, or text with logprobs.
 *
 * @example
 * ```ts
 * const reply: ScriptedReply = '{"score": 8}'
 * ```
 * @since 0.1.0
 */
export type ScriptedReply = string | { readonly text: string; readonly logprobs: ReadonlyArray<TokenLogprob> }

/**
 * A scripted judge and the requests it saw.
 *
 * @example
 * ```ts
 * const { layer, requests } = scriptedJudge([[/score/, '{"score": 8}']])
 * ```
 * @since 0.1.0
 */
export interface ScriptedJudge {
  readonly layer: Layer.Layer<Judge>
  readonly requests: ReadonlyArray<ChatRequest>
}

/**
 * Build a scripted judge; each reply costs 10 input + 5 output tokens and 0.001.
 *
 * @example
 * ```ts
 * scriptedJudge([[/score/, '{"score": 8, "reason": "good"}']], "test:judge")
 * ```
 * @since 0.1.0
 */
export const scriptedJudge = (
  rules: ReadonlyArray<readonly [RegExp, ScriptedReply | ((prompt: string) => ScriptedReply)]>,
  model = "scripted:judge"
): ScriptedJudge => {
  const requests: Array<ChatRequest> = []
  const chat = (request: ChatRequest) =>
    Effect.suspend(() => {
      requests.push(request)
      const prompt = request.messages.filter((m) => m.role === "user").at(-1)?.content ?? ""
      const rule = rules.find(([pattern]) => pattern.test(prompt))
      if (rule === undefined) return Effect.fail(new JudgeError({ kind: "BadRequest", message: `no scripted reply for: ${prompt.slice(0, 80)}` }))
      const reply = typeof rule[1] === "function" ? rule[1](prompt) : rule[1]
      const text = typeof reply === "string" ? reply : reply.text
      return Effect.succeed<ChatReply>({
        text,
        usage: { input: 10, output: 5 },
        cost: 0.001,
        model,
        logprobs: typeof reply === "string" ? undefined : reply.logprobs
      })
    })
  const stats = Effect.sync(() => ({
    model,
    inputTokens: requests.length * 10,
    outputTokens: requests.length * 5,
    cost: requests.length * 0.001,
    policy: undefined
  }))
  return { layer: Layer.succeed(Judge, { model, chat, stats }), requests }
}
