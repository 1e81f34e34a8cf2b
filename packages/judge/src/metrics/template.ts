/**
 * Prompt templates as data: `{{name}}` placeholders filled by {@link render}, and a stable hash of a metric's
 * templates and version for its cache identity.
 *
 * @example
 * ```ts
 * render("Input: {{input}}", { input: "2+2?" }) // "Input: 2+2?"
 * promptHash("1", { verdicts: "..." }).length // 64
 * ```
 */
import { canonicalJson, sha256 } from "@assay/core"

/**
 * A metric's prompt templates by step name.
 *
 * @example
 * ```ts
 * const templates: Templates = { verdicts: "Judge {{claims}}" }
 * ```
 * @since 0.1.0
 */
export type Templates = Readonly<Record<string, string>>

/**
 * Fill `{{name}}` placeholders; unknown names stay as they are (a unit test checks none remain).
 *
 * @example
 * ```ts
 * render("{{a}} and {{b}}", { a: "x", b: "y" }) // "x and y"
 * ```
 * @since 0.1.0
 */
export const render = (template: string, vars: Readonly<Record<string, string>>): string =>
  template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => vars[name] ?? whole)

/**
 * sha256 of a metric's version and templates (canonical JSON).
 *
 * @example
 * ```ts
 * promptHash("1", templates)
 * ```
 * @since 0.1.0
 */
export const promptHash = (version: string, templates: Templates): string => sha256(canonicalJson({ version, templates }))

/**
 * A numbered list for prompts.
 *
 * @example
 * ```ts
 * numbered(["a", "b"]) // "1. a\n2. b"
 * ```
 * @since 0.1.0
 */
export const numbered = (items: ReadonlyArray<string>): string => items.map((item, i) => `${i + 1}. ${item}`).join("\n")
