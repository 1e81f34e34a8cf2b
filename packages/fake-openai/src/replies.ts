/**
 * Reply bodies of the fake server in OpenAI's wire formats (chat completions with optional logprobs, responses,
 * embeddings, error objects) and Anthropic's (messages, error objects).
 *
 * @example
 * ```ts
 * chatCompletion({ model: "m", content: "hi", promptTokens: 3, logprobs: undefined })
 * ```
 */
import type { Script } from "./config.js"

/** A chat message as sent by clients (content may be a string or a list of parts). */
export interface WireMessage {
  readonly role?: string
  readonly content?: unknown
}

/** The text of a message's content. */
export const messageText = (content: unknown): string => {
  if (typeof content === "string") return content
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join("\n")
  }
  return ""
}

/** The last user message of a chat request or the `input` of a responses request. */
export const lastUserMessage = (body: Record<string, unknown>): string => {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<WireMessage>) : undefined
  if (messages) {
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return messageText(messages[i]?.content)
    return ""
  }
  // Gemini: `contents` of `{ role, parts: [{ text }] }`.
  if (Array.isArray(body.contents)) {
    const users = (body.contents as Array<{ readonly role?: string; readonly parts?: unknown }>).filter((c) => c.role === "user")
    return messageText(users[users.length - 1]?.parts)
  }
  if (typeof body.input === "string") return body.input
  if (Array.isArray(body.input)) {
    const users = (body.input as Array<WireMessage>).filter((m) => m.role === "user")
    return messageText(users[users.length - 1]?.content)
  }
  return ""
}

/** Rough token count (≈ 4 characters a token), as tests and the cost table only need a stable number. */
export const countTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

/** The first script matching the message, if any. */
export const matchScript = (scripts: ReadonlyArray<Script>, message: string): Script | undefined =>
  scripts.find((s) => (typeof s.pattern === "string" ? new RegExp(s.pattern) : s.pattern).test(message))

const TOKEN = /\d+|[A-Za-z]+|\s+|[^\sA-Za-z\d]/g

/** Chat-completions logprobs for a reply: probability 1 per token, except the scripted score distribution. */
export const logprobsOf = (content: string, scoreProbabilities: Readonly<Record<string, number>> | undefined) => {
  let scored = false
  return {
    content: (content.match(TOKEN) ?? []).map((token) => {
      if (!scored && scoreProbabilities && /^\d+$/.test(token)) {
        scored = true
        const top = Object.entries(scoreProbabilities).map(([t, p]) => ({ token: t, logprob: Math.log(p), bytes: null }))
        const own = top.find((t) => t.token === token)
        return { token, logprob: own ? own.logprob : 0, bytes: null, top_logprobs: top }
      }
      return { token, logprob: 0, bytes: null, top_logprobs: [{ token, logprob: 0, bytes: null }] }
    })
  }
}

/** A chat-completions body. */
export const chatCompletion = (o: {
  readonly seq: number
  readonly created: number
  readonly model: string
  readonly content: string
  readonly promptTokens: number
  readonly logprobs: ReturnType<typeof logprobsOf> | undefined
}) => {
  const completion = countTokens(o.content)
  return {
    id: `chatcmpl-fake-${o.seq}`,
    object: "chat.completion",
    created: Math.floor(o.created / 1000),
    model: o.model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: o.content, refusal: null },
      logprobs: o.logprobs ?? null,
      finish_reason: "stop"
    }],
    usage: { prompt_tokens: o.promptTokens, completion_tokens: completion, total_tokens: o.promptTokens + completion }
  }
}

/** A responses-API body with one output message. */
export const responseBody = (o: {
  readonly seq: number
  readonly created: number
  readonly model: string
  readonly content: string
  readonly promptTokens: number
}) => {
  const output = countTokens(o.content)
  return {
    id: `resp_fake_${o.seq}`,
    object: "response",
    created_at: Math.floor(o.created / 1000),
    status: "completed",
    error: null,
    incomplete_details: null,
    instructions: null,
    model: o.model,
    output: [{
      type: "message",
      id: `msg_fake_${o.seq}`,
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: o.content, annotations: [], logprobs: [] }]
    }],
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    metadata: {},
    temperature: 1,
    top_p: 1,
    usage: {
      input_tokens: o.promptTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: o.promptTokens + output
    }
  }
}

/** Deterministic unit-length embedding of a text. */
export const embedding = (text: string, dimensions: number): Array<number> => {
  const v = Array.from({ length: dimensions }, (_, i) => {
    let h = 2166136261 ^ i
    for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 16777619)
    return ((h >>> 0) % 2000) / 1000 - 1
  })
  const norm = Math.hypot(...v) || 1
  return v.map((x) => x / norm)
}

/** An embeddings body for one input or a list of inputs. */
export const embeddingsBody = (model: string, input: unknown, dimensions: number) => {
  const inputs = Array.isArray(input) ? input.map(String) : [String(input ?? "")]
  const tokens = inputs.reduce((n, t) => n + countTokens(t), 0)
  return {
    object: "list",
    model,
    data: inputs.map((text, index) => ({ object: "embedding", index, embedding: embedding(text, dimensions) })),
    usage: { prompt_tokens: tokens, total_tokens: tokens }
  }
}

/** An OpenAI error object. */
export const errorBody = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } })

/** An Anthropic Messages API body: one text content block, usage in `input_tokens` / `output_tokens`. */
export const messageBody = (o: {
  readonly seq: number
  readonly model: string
  readonly content: string
  readonly promptTokens: number
}) => ({
  id: `msg_fake_${o.seq}`,
  type: "message",
  role: "assistant",
  model: o.model,
  content: [{ type: "text", text: o.content, citations: null }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: {
    input_tokens: o.promptTokens,
    output_tokens: countTokens(o.content),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0
  }
})

/** An Anthropic error body (`{"type": "error", "error": {"type": ..., "message": ...}}`). */
export const anthropicError = (type: string, message: string) => ({ type: "error", error: { type, message } })

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[a-z0-9]{3,}/g) ?? [])

/**
 * For a prompt with a `Context:` block and a `Question:` line: the context sentence sharing the most words
 * with the question (the first on ties); undefined for any other prompt.
 *
 * @example
 * ```ts
 * answerFromContext("Context:\nParis is in France. Rome is in Italy.\nQuestion: Where is Rome?") // "Rome is in Italy."
 * ```
 */
export const answerFromContext = (message: string): string | undefined => {
  const match = message.match(/Context:\s*([\s\S]*?)\n\s*Question:\s*(.*)/)
  if (match === null) return undefined
  const question = words(match[2]!)
  const sentences = match[1]!.split(/(?<=[.!?])\s+|\n+/).map((s) => s.replace(/^\[[^\]]*\]\s*/, "").trim()).filter((s) => s !== "")
  let best: string | undefined
  let bestScore = 0
  for (const sentence of sentences) {
    let score = 0
    for (const word of words(sentence)) if (question.has(word)) score++
    if (score > bestScore) [best, bestScore] = [sentence, score]
  }
  return best ?? "I don't know."
}

/** A Gemini `generateContent` body: one candidate, usage in `usageMetadata`. */
export const generateContentBody = (o: { readonly model: string; readonly content: string; readonly promptTokens: number }) => {
  const output = countTokens(o.content)
  return {
    candidates: [{ content: { role: "model", parts: [{ text: o.content }] }, finishReason: "STOP", index: 0 }],
    usageMetadata: { promptTokenCount: o.promptTokens, candidatesTokenCount: output, totalTokenCount: o.promptTokens + output },
    modelVersion: o.model
  }
}

/** A Bedrock Converse body: one assistant message, usage in `inputTokens` / `outputTokens`. */
export const converseBody = (o: { readonly content: string; readonly promptTokens: number }) => {
  const output = countTokens(o.content)
  return {
    output: { message: { role: "assistant", content: [{ text: o.content }] } },
    stopReason: "end_turn",
    usage: { inputTokens: o.promptTokens, outputTokens: output, totalTokens: o.promptTokens + output },
    metrics: { latencyMs: 0 }
  }
}
