import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { editDistance, rougeScore, sentenceBleu } from "@assay/core"

/** Textbook Wagner–Fischer over code points: the reference the library path is checked against. */
const referenceDistance = (a: string, b: string): number => {
  const x = [...a.normalize("NFC")]
  const y = [...b.normalize("NFC")]
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const curr = [i]
    for (let j = 1; j <= y.length; j++) {
      curr[j] = Math.min(prev[j]! + 1, curr[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1))
    }
    prev = curr
  }
  return prev[y.length]!
}

// Small alphabets make shared characters (and so interesting alignments) likely; the astral ones exercise the
// surrogate-pair re-encoding, the accents NFC.
const alphabet = fc.constantFrom("a", "b", "c", "é", "e\u0301", "😀", "😃", "𝔘", "中")
const text = fc.array(alphabet, { maxLength: 12 }).map((parts) => parts.join(""))
const words = fc.array(fc.constantFrom("the", "cat", "sat", "on", "mat", "a"), { maxLength: 12 })

describe("properties", () => {
  it("editDistance equals a textbook code-point DP on unicode strings", () => {
    fc.assert(fc.property(text, text, (a, b) => {
      const d = editDistance(a, b)
      expect(d.distance).toBe(referenceDistance(a, b))
      expect(d.length).toBe(Math.max([...a.normalize("NFC")].length, [...b.normalize("NFC")].length))
    }), { numRuns: 500 })
  })

  it("BLEU and ROUGE stay in [0, 1] and score a text against itself as 1", () => {
    fc.assert(fc.property(words, words, (a, b) => {
      for (const smoothing of ["none", "method1", "add-one"] as const) {
        const s = sentenceBleu(a, [b], { maxN: 4, smoothing, epsilon: 0.1 }).score
        expect(s).toBeGreaterThanOrEqual(0)
        expect(s).toBeLessThanOrEqual(1 + 1e-12)
      }
      for (const variant of ["rouge1", "rouge2", "rougeL"] as const) {
        const r = rougeScore(a, b, variant)
        expect(r.fmeasure).toBeGreaterThanOrEqual(0)
        expect(r.fmeasure).toBeLessThanOrEqual(1)
        if (a.length >= 2) expect(rougeScore(a, a, variant).fmeasure).toBeCloseTo(1, 12)
      }
      if (a.length >= 4) expect(sentenceBleu(a, [a], { maxN: 4, smoothing: "none", epsilon: 0.1 }).score).toBeCloseTo(1, 12)
    }), { numRuns: 300 })
  })
})
