/**
 * Built-in scripted judge replies for assay's agent, conversational, DAG, JSON and multimodal metrics
 * (`judgeScripts: true`, `--judge-scripts`): every prompt of those metrics gets a schema-valid, deterministic
 * answer computed from the prompt alone, so a test can steer a verdict through its case data:
 *
 * - verdict lists (prompt alignment, argument correctness, tool use, turn relevancy): one verdict per listed
 *   item, `"no"` for an item containing `FAIL`, `"yes"` otherwise;
 * - DAG: binary nodes answer `false` when the prompt contains `FAIL`, else `true`; choice nodes pick the first
 *   allowed verdict quoted in the case text (else the first allowed); task nodes answer `TASK(<first 40 chars of
 *   the actual output>)`; G-Eval steps are one fixed step and its score is 7;
 * - JSON correctness: `"no"` when the JSON value contains `FAIL`, else `"yes"`;
 * - image coherence / helpfulness: 8; text-to-image: semantic consistency 9, perceptual quality 4.
 *
 * Also task completion (score 0.8) and the image parts of a request (see `imagesOf`, kept in the request log).
 *
 * @example
 * ```ts
 * FakeOpenAi.make({ judgeScripts: true })
 * ```
 */
import type { Script } from "./config.js"

const FAIL = "FAIL"

/** The lines of the numbered list that follows `header` in the prompt (up to the next blank line). */
const listAfter = (prompt: string, header: string): ReadonlyArray<string> => {
  const start = prompt.lastIndexOf(`${header}\n`)
  if (start < 0) return []
  const block = prompt.slice(start + header.length + 1).split(/\n\s*\n/)[0] ?? ""
  return block.split("\n").filter((line) => /^\d+\. /.test(line))
}

const verdictsFor = (items: ReadonlyArray<string>) =>
  JSON.stringify({
    verdicts: items.map((item) => (item.includes(FAIL) ? { verdict: "no", reason: "marked FAIL" } : { verdict: "yes", reason: null }))
  })

/** Assistant-turn blocks of the turn-relevancy prompt: each ends with its `Assistant turn N: text` line. */
const assistantTurns = (prompt: string) => prompt.split("\n").filter((line) => /^Assistant turn \d+: /.test(line))

/** The text after the last `Actual output:` header, up to the next blank line. */
const actualOutput = (prompt: string) => {
  const at = prompt.lastIndexOf("Actual output:\n")
  return at < 0 ? "" : (prompt.slice(at + 15).split(/\n\s*\n/)[0] ?? "")
}

const choose = (prompt: string) => {
  const allowed = /Allowed verdicts: (.*)/.exec(prompt)?.[1] ?? "\"\""
  const verdicts = [...allowed.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!)
  const caseText = prompt.slice(prompt.indexOf(allowed) + allowed.length)
  return verdicts.find((v) => caseText.includes(v)) ?? verdicts[0] ?? ""
}

/**
 * The built-in scripts, first match wins (see the module doc).
 *
 * @example
 * ```ts
 * FakeOpenAi.make({ scripts: judgeScripts })
 * ```
 */
export const judgeScripts: ReadonlyArray<Script> = [
  { pattern: /follows each of the instructions/, content: (p) => verdictsFor(listAfter(p, "Instructions:")) },
  { pattern: /suitable choice for the request/, content: (p) => verdictsFor(listAfter(p, "Tool calls:")) },
  { pattern: /input parameters it passed are correct/, content: (p) => verdictsFor(listAfter(p, "Tool calls:")) },
  { pattern: /assistant turn of a conversation is relevant/, content: (p) => verdictsFor(assistantTurns(p)) },
  {
    pattern: /JSON value has the expected structure/,
    content: (p) => JSON.stringify(p.slice(p.indexOf("JSON value:")).includes(FAIL) ? { verdict: "no", reason: "marked FAIL" } : { verdict: "yes", reason: "matches" })
  },
  { pattern: /with true or false/, content: (p) => JSON.stringify({ verdict: !p.includes(FAIL), reason: p.includes(FAIL) ? "marked FAIL" : "holds" }) },
  { pattern: /choosing exactly one of the allowed verdicts/, content: (p) => JSON.stringify({ verdict: choose(p), reason: "closest" }) },
  { pattern: /Carry out the following instructions/, content: (p) => JSON.stringify({ output: `TASK(${actualOutput(p).slice(0, 40)})` }) },
  { pattern: /Write 3 to 4 concise evaluation steps/, content: JSON.stringify({ steps: ["Check the criteria against the case"] }) },
  { pattern: /Follow the evaluation steps to score/, content: JSON.stringify({ score: 7, reason: "mostly meets the steps" }) },
  { pattern: /An image generator was given this prompt/, content: JSON.stringify({ semanticConsistency: 9, perceptualQuality: 4, reason: "faithful but blurry" }) },
  { pattern: /Judge how (coherent|helpful) an image is/, content: JSON.stringify({ score: 8, reason: "fits the text" }) },
  {
    pattern: /Determine the task the user asked for/,
    content: JSON.stringify({ task: "the user's task", outcome: "mostly done", score: 0.8, reason: "one step missing" })
  }
]

/**
 * One image part of a request, as the request log keeps it: inline images by media type and size (bytes
 * decoded from base64), remote ones by URL.
 *
 * @example
 * ```ts
 * const image: LoggedImage = { mediaType: "image/png", bytes: 68 }
 * ```
 */
export interface LoggedImage {
  readonly mediaType?: string | undefined
  readonly bytes?: number | undefined
  readonly url?: string | undefined
}

const base64Bytes = (data: string) => Math.floor((data.replace(/=+$/, "").length * 3) / 4)

const fromUrl = (url: string): LoggedImage => {
  const data = /^data:([^;,]*);base64,(.*)$/s.exec(url)
  return data === null ? { url } : { mediaType: data[1], bytes: base64Bytes(data[2]!) }
}

/** One content part as an image (OpenAI `image_url`/`input_image`, Anthropic `image`), or undefined. */
const imageOf = (part: Record<string, any>): LoggedImage | undefined => {
  if (part?.type === "image_url" && typeof part.image_url?.url === "string") return fromUrl(part.image_url.url)
  if (part?.type === "input_image" && typeof part.image_url === "string") return fromUrl(part.image_url)
  if (part?.type === "image" && part.source?.type === "base64") return { mediaType: part.source.media_type, bytes: base64Bytes(String(part.source.data)) }
  if (part?.type === "image" && part.source?.type === "url") return { url: part.source.url }
  return undefined
}

/**
 * The image parts of a request's last user message (chat completions, responses and Anthropic messages).
 *
 * @example
 * ```ts
 * imagesOf({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }] })
 * // [{ mediaType: "image/png", bytes: 3 }]
 * ```
 */
export const imagesOf = (body: Record<string, unknown>): ReadonlyArray<LoggedImage> => {
  const messages = (Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : []) as Array<Record<string, unknown>>
  const last = messages.filter((m) => m?.role === "user").at(-1)
  const content = Array.isArray(last?.content) ? (last.content as Array<Record<string, any>>) : []
  return content.flatMap((part) => {
    const image = imageOf(part)
    return image === undefined ? [] : [image]
  })
}
