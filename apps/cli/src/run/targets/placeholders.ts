/**
 * The `{{…}}` placeholders of the http and exec targets: `{{input}}`, `{{name}}`, `{{context}}`,
 * `{{expectedOutput}}`, `{{retrievalContext}}`, `{{tags}}`, `{{index}}` and `{{metadata.key}}` (nested keys by
 * dots), read from the case. A JSON body template takes them as JSON values (a string that is one placeholder
 * becomes the field's value, of any type; a placeholder inside a longer string is spliced in as text); an exec
 * argument takes them as text. Nothing is ever parsed or interpreted after substitution.
 *
 * @example
 * ```ts
 * import { renderJson, renderText } from "./placeholders.js"
 * renderJson({ q: "{{input}}", ctx: "{{context}}" }, testCase, 0) // { q: "Paris?", ctx: ["…", "…"] }
 * renderText("--question={{input}}", testCase, 0)                 // "--question=Paris?"
 * ```
 */
import { contentText, type LLMTestCase } from "@assay/core"

/** One `{{ name }}` (spaces allowed inside the braces). */
const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g
const WHOLE = /^\{\{\s*([^{}\s]+)\s*\}\}$/
const FIELDS = new Set(["input", "name", "context", "expectedOutput", "retrievalContext", "tags", "index"])

/**
 * The placeholder names in a text.
 *
 * @example
 * ```ts
 * placeholdersIn("{{input}} and {{ metadata.lang }}") // ["input", "metadata.lang"]
 * ```
 */
export const placeholdersIn = (text: string): ReadonlyArray<string> => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!)

/**
 * Why a placeholder name is not one the case can fill (undefined: it is). `env.NAME` is allowed only where
 * `allowEnv` says (headers).
 *
 * @example
 * ```ts
 * checkPlaceholder("inptu", false) // "unknown placeholder {{inptu}}: use input, name, context, …"
 * ```
 */
export const checkPlaceholder = (name: string, allowEnv: boolean): string | undefined => {
  if (name.startsWith("env.")) {
    if (!allowEnv) return `{{${name}}}: environment variables may be referenced in target.headers only`
    return /^env\.[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? undefined : `{{${name}}}: expected {{env.NAME}} with a variable name`
  }
  if (FIELDS.has(name) || /^metadata\.[^.]+(\.[^.]+)*$/.test(name)) return undefined
  return `unknown placeholder {{${name}}}: use ${[...FIELDS].join(", ")}, metadata.<key>${allowEnv ? " or env.<NAME>" : ""}`
}

/**
 * Every problem with the placeholders of a JSON template (strings anywhere in it), with its path.
 *
 * @example
 * ```ts
 * templateProblems({ messages: [{ content: "{{inptu}}" }] }, false) // ["messages.0.content: unknown placeholder …"]
 * ```
 */
export const templateProblems = (template: unknown, allowEnv: boolean, path: ReadonlyArray<string> = []): ReadonlyArray<string> => {
  if (typeof template === "string") {
    return placeholdersIn(template).flatMap((name) => {
      const problem = checkPlaceholder(name, allowEnv)
      return problem === undefined ? [] : [path.length === 0 ? problem : `${path.join(".")}: ${problem}`]
    })
  }
  if (Array.isArray(template)) return template.flatMap((item, i) => templateProblems(item, allowEnv, [...path, String(i)]))
  if (typeof template === "object" && template !== null) {
    return Object.entries(template).flatMap(([key, value]) => templateProblems(value, allowEnv, [...path, key]))
  }
  return []
}

/** The case's value for a placeholder name (null when the case does not have it). */
const valueOf = (name: string, testCase: LLMTestCase, index: number): unknown => {
  if (name === "index") return index
  if (name.startsWith("metadata.")) {
    let current: unknown = testCase.metadata
    for (const key of name.slice("metadata.".length).split(".")) {
      current = typeof current === "object" && current !== null && Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined
    }
    return current ?? null
  }
  return (testCase as unknown as Record<string, unknown>)[name] ?? null
}

/** A value as text: strings as they are, multimodal content as its text, anything else as JSON. */
const asText = (name: string, value: unknown): string => {
  if (typeof value === "string") return value
  if (value === null) return ""
  if ((name === "input" || name === "expectedOutput") && Array.isArray(value)) {
    return contentText(value as Parameters<typeof contentText>[0])
  }
  return JSON.stringify(value)
}

/**
 * A text with every placeholder replaced by the case's value as text (a missing field is empty).
 *
 * @example
 * ```ts
 * renderText("{{input}}; rm -rf /", { _tag: "LLMTestCase", input: "x" }, 0) // "x; rm -rf /" — one argument, never a shell
 * ```
 */
export const renderText = (text: string, testCase: LLMTestCase, index: number): string =>
  text.replace(PLACEHOLDER, (_, name: string) => asText(name, valueOf(name, testCase, index)))

/**
 * A JSON template filled from the case: a string that is exactly one placeholder becomes the case's value (any
 * JSON type; null when missing), other strings get placeholders spliced in as text. Keys are never templated.
 *
 * @example
 * ```ts
 * renderJson({ question: "{{input}}", k: 3 }, testCase, 0) // { question: "…", k: 3 }
 * ```
 */
export const renderJson = (template: unknown, testCase: LLMTestCase, index: number): unknown => {
  if (typeof template === "string") {
    const whole = WHOLE.exec(template)
    return whole ? valueOf(whole[1]!, testCase, index) : renderText(template, testCase, index)
  }
  if (Array.isArray(template)) return template.map((item) => renderJson(item, testCase, index))
  if (typeof template === "object" && template !== null) {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, renderJson(value, testCase, index)]))
  }
  return template
}
