/**
 * The text `assay metrics` prints: every metric id with its description, the test-case fields it needs, whether
 * it needs a judge, and its parameters (from the factories' paramsDoc), then the providers.
 *
 * @example
 * ```ts
 * import { metricsText } from "./metrics-text.js"
 * console.log(metricsText())
 * ```
 */
import { catalog, embeddingCatalog, judgeCatalog, requiredFields } from "../metrics/catalog.js"

/**
 * The metric list as text.
 *
 * @example
 * ```ts
 * metricsText().includes("exact-match") // true
 * ```
 */
export const metricsText = (): string =>
  catalog.map((factory) => {
    const judged = (judgeCatalog as ReadonlyArray<unknown>).includes(factory)
    const embedded = (embeddingCatalog as ReadonlyArray<unknown>).includes(factory)
    const needs = judged ? " (needs --judge)" : embedded ? " (uses --embedding-model)" : ""
    const head = `${factory.id}${needs}\n  ${factory.description}\n` +
      `  needs: ${requiredFields(factory)}; judge: ${judged ? "yes" : "no"}`
    const params = factory.paramsDoc.map((p) =>
      `    ${p.name}: ${p.type}${p.default !== undefined ? ` = ${p.default}` : ""} — ${p.description}`)
    return [head, ...params].join("\n")
  }).concat(PROVIDERS).join("\n\n")

/** The judge and target providers (`--judge` / `--target <provider>:<model>`) and where their settings live. */
const PROVIDERS = [
  "providers (--judge / --target <provider>:<model>; ASSAY_JUDGE_API_KEY / ASSAY_JUDGE_BASE_URL win for judges)",
  "  openai              OPENAI_API_KEY, OPENAI_BASE_URL (chat completions)",
  "  openai-responses    OPENAI_API_KEY, OPENAI_BASE_URL (Responses API)",
  "  openai-compatible   OPENAI_API_KEY (optional), OPENAI_BASE_URL (default http://127.0.0.1:11434/v1)",
  "  anthropic           ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL",
  "  gemini              GEMINI_API_KEY or GOOGLE_API_KEY, GEMINI_BASE_URL",
  "  bedrock             AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL_BEDROCK_RUNTIME"
].join("\n")
