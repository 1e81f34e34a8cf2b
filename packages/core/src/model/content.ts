/**
 * Text content of a test case field: a plain string, or a list of multimodal parts.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Content, contentText } from "@assay/core"
 * const c = Schema.decodeUnknownSync(Content)([{ type: "text", text: "a cat" }, { type: "image", url: "https://x/cat.png" }])
 * contentText(c) // "a cat"
 * ```
 */
import { Schema } from "effect"

/**
 * A text part of multimodal content.
 *
 * @since 0.1.0
 */
export const TextPart = Schema.Struct({ type: Schema.Literal("text"), text: Schema.String })

/**
 * An image part: exactly one of `url`, `path` or `base64` locates the image.
 *
 * @since 0.1.0
 */
export const ImagePart = Schema.Struct({
  type: Schema.Literal("image"),
  url: Schema.optional(Schema.String),
  path: Schema.optional(Schema.String),
  base64: Schema.optional(Schema.String),
  mimeType: Schema.optional(Schema.String)
}).pipe(
  Schema.filter((p) =>
    [p.url, p.path, p.base64].filter((x) => x !== undefined).length === 1 ||
    "an image part needs exactly one of url, path or base64"
  )
)

/**
 * One part of multimodal content.
 *
 * @since 0.1.0
 */
export const ContentPart = Schema.Union(TextPart, ImagePart)
export type ContentPart = typeof ContentPart.Type

/**
 * A text field: a string or a list of parts.
 *
 * @since 0.1.0
 */
export const Content = Schema.Union(Schema.String, Schema.Array(ContentPart))
export type Content = typeof Content.Type

/**
 * The text of a content value: the string itself, or its text parts joined by newlines (images are dropped).
 *
 * @example
 * ```ts
 * contentText("hello") // "hello"
 * ```
 * @since 0.1.0
 */
export const contentText = (content: Content | undefined): string => {
  if (content === undefined) return ""
  if (typeof content === "string") return content
  return content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("\n")
}
