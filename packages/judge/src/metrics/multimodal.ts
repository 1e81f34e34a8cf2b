/**
 * Multimodal metrics: the judge sees the case's images (see `../images.ts` for how they are read and limited).
 *
 * - **image-coherence**: for each image in the actual output, the judge scores 0–10 how well it fits the text
 *   around it (the text parts just before and after); the score is the mean ÷ 10.
 * - **image-helpfulness**: the same frame; the judge scores how much each image helps a reader understand the
 *   text around it.
 * - **text-to-image**: the input is the prompt and the actual output's images are what was generated. The judge
 *   scores semantic consistency with the prompt (SC) and perceptual quality (PQ), each 0–10;
 *   score = √(SC·PQ) ÷ 10, so an image poor on either count scores low.
 *
 * An actual output without any image is a `MetricError` (the metric has nothing to judge).
 *
 * @example
 * ```ts
 * const vision = [imageCoherence(), imageHelpfulness(), textToImage({ maxImageBytes: 2_000_000 })]
 * ```
 */
import { type Content, contentText, type Metric, MetricError, type TestCase } from "@assay/core"
import { Effect, Schema } from "effect"
import { DEFAULT_MAX_IMAGE_BYTES, type ImageRef, resolveImage, resolveImages, imageParts } from "../images.js"
import type { Judge } from "../judge.js"
import { type JudgeContext, judgeMetric, type JudgeMetricOptions } from "./judge-metric.js"

/**
 * Options of the multimodal metrics.
 *
 * @example
 * ```ts
 * const options: MultimodalOptions = { maxImageBytes: 1_000_000 }
 * ```
 * @since 0.1.0
 */
export interface MultimodalOptions extends JudgeMetricOptions {
  /** The largest image (bytes) sent inline; a bigger one is a MetricError (default 5 MiB). */
  readonly maxImageBytes?: number | undefined
}

/** How much text either side of an image is shown with it. */
const CONTEXT_CHARS = 1000

const Rated = Schema.Struct({ score: Schema.Number.pipe(Schema.between(0, 10)), reason: Schema.optional(Schema.String) })

/** Each image of the content with the text just before and just after it. */
const imagesInContext = (content: Content | undefined) => {
  const parts = content === undefined || typeof content === "string" ? [] : content
  return parts.flatMap((part, i) =>
    part.type === "image"
      ? [{
        image: part as ImageRef,
        before: contentText(parts.slice(0, i)).slice(-CONTEXT_CHARS),
        after: contentText(parts.slice(i + 1)).slice(0, CONTEXT_CHARS)
      }]
      : []
  )
}

const actualOf = (testCase: TestCase) => (testCase._tag === "LLMTestCase" ? testCase.actualOutput : undefined)

const noImage = (metric: string) => new MetricError({ metric, message: "the actual output has no image part to judge" })

/** One 0–10 rating per image of the actual output, with its context; the mean ÷ 10. */
const ratePerImage = (name: string, maxBytes: number) => (testCase: TestCase, ctx: JudgeContext) =>
  Effect.gen(function*() {
    const found = imagesInContext(actualOf(testCase))
    if (found.length === 0) return yield* noImage(name)
    const ratings = yield* Effect.forEach(found, (item, i) =>
      Effect.flatMap(resolveImage(name, item.image, i, maxBytes), (image) =>
        ctx.ask(Rated, "rate", { before: item.before || "(none)", after: item.after || "(none)" }, { images: [image] })))
    const mean = ratings.reduce((sum, r) => sum + r.score, 0) / ratings.length
    const reasons = ratings.map((r, i) => `image #${i + 1}: ${r.score}/10${r.reason ? ` (${r.reason})` : ""}`)
    return { score: mean / 10, reason: reasons.join("; ") }
  })

const perImageMetric = (name: string, question: string) => (options: MultimodalOptions = {}): Metric.Metric<Judge> => {
  const maxBytes = options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES
  return judgeMetric({
    name,
    version: "1",
    templates: {
      rate: `${question}

Text before the image:
{{before}}

Text after the image:
{{after}}

The image is attached. Score from 0 (not at all) to 10 (completely).
Reply with JSON only: {"score": <integer 0-10>, "reason": "..."}`
    },
    requires: ["actualOutput"],
    options,
    config: { maxImageBytes: maxBytes },
    score: ratePerImage(name, maxBytes)
  })
}

/**
 * Image coherence; see the module doc.
 *
 * @example
 * ```ts
 * imageCoherence({ threshold: 0.7 })
 * ```
 * @since 0.1.0
 */
export const imageCoherence = perImageMetric(
  "image-coherence",
  "Judge how coherent an image is with the text around it in a document: does it show what the text describes, and does it fit where it is placed?"
)

/**
 * Image helpfulness; see the module doc.
 *
 * @example
 * ```ts
 * imageHelpfulness({})
 * ```
 * @since 0.1.0
 */
export const imageHelpfulness = perImageMetric(
  "image-helpfulness",
  "Judge how helpful an image is to a reader of the text around it: does it add information or make the text easier to understand?"
)

/**
 * Text-to-image prompt templates.
 *
 * @since 0.1.0
 */
export const textToImageTemplates = {
  rate: `An image generator was given this prompt:
{{prompt}}

The generated image(s) are attached. Score two things from 0 to 10:
- semanticConsistency: how faithfully the image(s) show what the prompt asks for;
- perceptualQuality: how natural and free of artifacts (distortions, garbled text, broken anatomy) the image(s) look.

Reply with JSON only: {"semanticConsistency": <integer 0-10>, "perceptualQuality": <integer 0-10>, "reason": "..."}`
}

const TextToImageRating = Schema.Struct({
  semanticConsistency: Schema.Number.pipe(Schema.between(0, 10)),
  perceptualQuality: Schema.Number.pipe(Schema.between(0, 10)),
  reason: Schema.optional(Schema.String)
})

/**
 * Text-to-image; see the module doc.
 *
 * @example
 * ```ts
 * textToImage({ threshold: 0.6 })
 * ```
 * @since 0.1.0
 */
export const textToImage = (options: MultimodalOptions = {}): Metric.Metric<Judge> => {
  const maxBytes = options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES
  return judgeMetric({
    name: "text-to-image",
    version: "1",
    templates: textToImageTemplates,
    requires: ["input", "actualOutput"],
    options,
    config: { maxImageBytes: maxBytes },
    score: (testCase, ctx) =>
      Effect.gen(function*() {
        const refs = imageParts(actualOf(testCase))
        if (refs.length === 0) return yield* noImage("text-to-image")
        const images = yield* resolveImages("text-to-image", refs, maxBytes)
        const prompt = testCase._tag === "LLMTestCase" ? contentText(testCase.input) : ""
        const r = yield* ctx.ask(TextToImageRating, "rate", { prompt }, { images })
        const score = Math.sqrt(r.semanticConsistency * r.perceptualQuality) / 10
        return {
          score,
          reason: `SC ${r.semanticConsistency}/10, PQ ${r.perceptualQuality}/10${r.reason ? `: ${r.reason}` : ""}`
        }
      })
  })
}
