/**
 * Case images → judge images. An image part of a test case (`{ type: "image", url | path | base64 }`) becomes a
 * {@link ChatImage}: `data:` URLs, base64 and local files are read, checked to be PNG, JPEG, GIF or WebP by their
 * first bytes, held to a size limit and sent inline; `http(s)` URLs are passed on for the provider to fetch.
 * Anything else (another scheme, an unreadable file, bytes that are not an image, an image over the limit) is a
 * `MetricError` naming the image and the reason.
 *
 * @example
 * ```ts
 * const images = yield* resolveImages("image-coherence", imageParts(testCase.actualOutput), { maxBytes: 5_000_000 })
 * ```
 */
import { type Content, type ContentPart, MetricError } from "@assay/core"
import { FileSystem } from "@effect/platform"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem" // not the index, which loads undici
import { Effect, Encoding, Either } from "effect"
import type { ChatImage } from "./chat.js"

/**
 * The default size limit of one image: Anthropic's per-image cap (OpenAI's is higher).
 *
 * @since 0.1.0
 */
export const DEFAULT_MAX_IMAGE_BYTES = 5 * 1024 * 1024

/**
 * An image part of test-case content.
 *
 * @example
 * ```ts
 * const part: ImageRef = { type: "image", path: "cat.png" }
 * ```
 * @since 0.1.0
 */
export type ImageRef = Extract<ContentPart, { readonly type: "image" }>

/**
 * The image parts of a content value, in order (none for a plain string).
 *
 * @example
 * ```ts
 * imageParts([{ type: "text", text: "a" }, { type: "image", url: "https://x/cat.png" }]).length // 1
 * ```
 * @since 0.1.0
 */
export const imageParts = (content: Content | undefined): ReadonlyArray<ImageRef> =>
  content === undefined || typeof content === "string" ? [] : content.filter((p): p is ImageRef => p.type === "image")

// Four signatures: the formats every judge API accepts. A file-type library would recognise hundreds more that
// the APIs would refuse anyway.
const SIGNATURES: ReadonlyArray<readonly [string, (b: Uint8Array) => boolean]> = [
  ["image/png", (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47],
  ["image/jpeg", (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ["image/gif", (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38],
  ["image/webp", (b) => String.fromCharCode(...b.slice(0, 4)) === "RIFF" && String.fromCharCode(...b.slice(8, 12)) === "WEBP"]
]

/**
 * The media type of image bytes from their signature, or undefined when they are not PNG, JPEG, GIF or WebP.
 *
 * @example
 * ```ts
 * sniffImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47])) // "image/png"
 * ```
 * @since 0.1.0
 */
export const sniffImage = (bytes: Uint8Array): string | undefined => SIGNATURES.find(([, test]) => test(bytes))?.[0]

/** Where an image came from, for messages. */
const describe = (image: ImageRef): string =>
  image.path !== undefined
    ? `path ${image.path}`
    : image.url !== undefined
    ? `url ${image.url.startsWith("data:") ? `${image.url.slice(0, 30)}…` : image.url}`
    : "base64 data"

const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`

/** Checked bytes as an inline image. */
const inline = (fail: (why: string) => MetricError, bytes: Uint8Array, maxBytes: number) => {
  if (bytes.length > maxBytes) return Either.left(fail(`is ${megabytes(bytes.length)}, over the ${megabytes(maxBytes)} limit`))
  const mediaType = sniffImage(bytes)
  if (mediaType === undefined) return Either.left(fail("is not an image (PNG, JPEG, GIF or WebP)"))
  return Either.right<ChatImage>({ kind: "inline", mediaType, base64: Encoding.encodeBase64(bytes) })
}

/** Base64 text as checked inline bytes; its decoded size is checked before decoding. */
const fromBase64 = (fail: (why: string) => MetricError, base64: string, maxBytes: number) => {
  const size = Math.floor((base64.replace(/=+$/, "").length * 3) / 4)
  if (size > maxBytes) return Either.left(fail(`is ${megabytes(size)}, over the ${megabytes(maxBytes)} limit`))
  return Either.flatMap(
    Either.mapLeft(Encoding.decodeBase64(base64.trim()), () => fail("is not valid base64")),
    (bytes) => inline(fail, bytes, maxBytes)
  )
}

/** A local file: its size is checked (stat) before it is read. */
const fromFile = (fail: (why: string) => MetricError, path: string, maxBytes: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(path)
    if (info.type !== "File") return yield* fail("is not a file")
    if (Number(info.size) > maxBytes) return yield* fail(`is ${megabytes(Number(info.size))}, over the ${megabytes(maxBytes)} limit`)
    return yield* inline(fail, yield* fs.readFile(path), maxBytes)
  }).pipe(
    Effect.catchTag("SystemError", (e) => Effect.fail(fail(`cannot be read (${e.reason})`))),
    Effect.catchTag("BadArgument", (e) => Effect.fail(fail(`cannot be read (${e.message})`))),
    // The metric's requirements are only the Judge: reading a local file is this step's own business.
    Effect.provide(NodeFileSystem.layer)
  )

/**
 * One case image as a judge image; see the module doc. Relative paths are relative to the working directory.
 *
 * @example
 * ```ts
 * resolveImage("text-to-image", { type: "image", path: "out.png" }, 0, DEFAULT_MAX_IMAGE_BYTES)
 * ```
 * @since 0.1.0
 */
export const resolveImage = (metric: string, image: ImageRef, index: number, maxBytes: number): Effect.Effect<ChatImage, MetricError> => {
  const fail = (why: string) => new MetricError({ metric, message: `image #${index + 1} (${describe(image)}) ${why}` })
  if (image.base64 !== undefined) return fromBase64(fail, image.base64, maxBytes)
  if (image.path !== undefined) return fromFile(fail, image.path, maxBytes)
  const url = image.url ?? ""
  const data = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url)
  if (data !== null) return data[2] === undefined ? Effect.fail(fail("is a data URL that is not base64")) : fromBase64(fail, data[3]!, maxBytes)
  if (/^https?:\/\//i.test(url)) return Effect.succeed({ kind: "url", url })
  return Effect.fail(fail("has an unsupported URL scheme (use http(s), a data: URL, a path or base64)"))
}

/**
 * Every image of a list as judge images, in order; the first bad one fails.
 *
 * @example
 * ```ts
 * resolveImages("image-helpfulness", imageParts(c.actualOutput), DEFAULT_MAX_IMAGE_BYTES)
 * ```
 * @since 0.1.0
 */
export const resolveImages = (metric: string, images: ReadonlyArray<ImageRef>, maxBytes: number = DEFAULT_MAX_IMAGE_BYTES) =>
  Effect.forEach(images, (image, i) => resolveImage(metric, image, i, maxBytes))
