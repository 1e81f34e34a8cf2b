import { Effect } from "effect"
// The three scorers the engine benchmark uses, as plain functions (bare loop) and as assay metrics (engine).
// Plain versions are written here so the bare loop has no framework in it at all.
const norm = (s) => s.trim().toLowerCase()
const exact = (a, b) => (norm(a) === norm(b) ? 1 : 0)
const contains = (a, b) => (norm(a).includes(norm(b).split(" ")[0]) ? 1 : 0)
/** Levenshtein similarity, 1 − distance ÷ the longer length (the bare loops' version of the metric). */
export function levenshtein(a, b) {
  if (a === b) return 1
  let prev = new Array(b.length + 1)
  let cur = new Array(b.length + 1)
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1))
    }
    ;[prev, cur] = [cur, prev]
  }
  return 1 - prev[b.length] / Math.max(a.length, b.length, 1)
}
export const scorers = [exact, contains, levenshtein]

/** The same scorers as assay metrics (the engine path). */
export const metrics = (core) =>
  scorers.map((f, i) =>
    core.Metric.make({
      name: ["exact", "contains", "levenshtein"][i],
      requires: ["actualOutput", "expectedOutput"],
      inline: true,
      measure: (c) => Effect.succeed({ score: f(String(c.actualOutput), String(c.expectedOutput)) })
    }))
