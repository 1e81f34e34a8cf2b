/**
 * Strip secrets from settings before they are persisted: `Redacted` values and any member whose name looks
 * like a credential (api key, secret, password, authorization, access/auth token, bearer) become "<redacted>",
 * and a URL with credentials (`https://user:pass@host/…`) keeps everything but them.
 *
 * @example
 * ```ts
 * scrubSecrets({ model: "gpt-4o", apiKey: "sk-…" }) // { model: "gpt-4o", apiKey: "<redacted>" }
 * ```
 */
import { Redacted } from "effect"

const SECRET_NAME = /(api[-_]?key|secret|password|passwd|authorization|access[-_]?token|auth[-_]?token|bearer|credential)/i
const MASK = "<redacted>"

/**
 * A copy of `value` with secrets replaced; see the module doc.
 *
 * @example
 * ```ts
 * scrubSecrets({ judge: { headers: { Authorization: "Bearer x" } } }) // { judge: { headers: { Authorization: "<redacted>" } } }
 * ```
 */
export const scrubSecrets = (value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return MASK
  if (typeof value === "string") return withoutCredentials(value)
  if (Array.isArray(value)) return value.map(scrubSecrets)
  if (value === null || typeof value !== "object") return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = SECRET_NAME.test(key) ? MASK : scrubSecrets(inner)
  return out
}

/**
 * A URL's text with its user-info replaced by "<redacted>"; any other text unchanged.
 *
 * @example
 * ```ts
 * withoutCredentials("https://bob:pw@proxy.example/v1") // "https://<redacted>@proxy.example/v1"
 * ```
 */
export const withoutCredentials = (text: string): string => {
  if (!text.includes("@") || !URL.canParse(text)) return text
  const url = new URL(text)
  if (url.username === "" && url.password === "") return text
  return `${url.protocol}//${MASK}@${url.host}${url.pathname}${url.search}${url.hash}`
}
