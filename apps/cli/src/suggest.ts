/**
 * "Did you mean …?" for mistyped metric ids and options: the closest known name by edit distance, when it is
 * close enough to be the likely intent.
 *
 * @example
 * ```ts
 * import { didYouMean } from "./suggest.js"
 * didYouMean("exact-mach", ["exact-match", "contains"]) // " did you mean exact-match?"
 * ```
 */
import { distance } from "fastest-levenshtein"

/**
 * The closest of `known` to `word` as a sentence fragment (with a leading space), or "" when none is within a
 * third of the word's length.
 *
 * @example
 * ```ts
 * didYouMean("--concurency", ["--concurrency", "--cache"]) // " did you mean --concurrency?"
 * ```
 */
export const didYouMean = (word: string, known: Iterable<string>): string => {
  let best: { readonly name: string; readonly d: number } | undefined
  for (const name of known) {
    const d = distance(word, name)
    if (best === undefined || d < best.d) best = { name, d }
  }
  return best !== undefined && best.d <= Math.max(2, Math.floor(word.length / 3)) ? ` did you mean ${best.name}?` : ""
}
