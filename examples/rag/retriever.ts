/**
 * The "app" under test, part 1: a corpus of markdown files and a keyword retriever over it (BM25 scoring).
 * Both are services provided by Layers, as a real app's vector store would be.
 */
import { FileSystem, Path } from "@effect/platform"
import { Context, Effect, Layer } from "effect"

/** One passage: a paragraph of a corpus file. */
export interface Passage {
  readonly source: string
  readonly text: string
}

/** The documents the app answers from. */
export class Corpus extends Context.Tag("rag/Corpus")<Corpus, { readonly passages: ReadonlyArray<Passage> }>() {}

/** Every paragraph of the markdown files in `dir` (headings dropped). */
export const CorpusFromDir = (dir: string) =>
  Layer.effect(
    Corpus,
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const files = (yield* fs.readDirectory(dir)).filter((f) => f.endsWith(".md")).sort()
      const passages = yield* Effect.forEach(files, (file) =>
        Effect.map(fs.readFileString(path.join(dir, file)), (text) =>
          text.split(/\n\s*\n/).map((p) => p.replace(/^#.*$/gm, "").replace(/\s+/g, " ").trim()).filter((p) => p !== "")
            .map((p) => ({ source: file, text: p }))))
      return { passages: passages.flat() }
    })
  )

const tokens = (text: string): Array<string> => text.toLowerCase().match(/[a-z0-9]+/g) ?? []

/** Finds the passages most relevant to a question. */
export class Retriever extends Context.Tag("rag/Retriever")<Retriever, {
  readonly retrieve: (question: string, k: number) => Effect.Effect<ReadonlyArray<Passage>>
}>() {}

/** BM25 (k1 = 1.2, b = 0.75) over the corpus's passages: small enough to write here, and deterministic. */
export const RetrieverBm25 = Layer.effect(
  Retriever,
  Effect.map(Corpus, ({ passages }) => {
    const docs = passages.map((p) => tokens(p.text))
    const avg = docs.reduce((n, d) => n + d.length, 0) / Math.max(1, docs.length)
    const df = new Map<string, number>()
    for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1)
    const idf = (t: string) => Math.log(1 + (docs.length - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5))
    const score = (query: ReadonlyArray<string>, doc: ReadonlyArray<string>) =>
      query.reduce((sum, t) => {
        const f = doc.filter((w) => w === t).length
        return sum + (f === 0 ? 0 : idf(t) * (f * 2.2) / (f + 1.2 * (0.25 + 0.75 * doc.length / avg)))
      }, 0)
    return {
      retrieve: (question, k) =>
        Effect.sync(() => {
          const query = tokens(question)
          return passages.map((p, i) => ({ p, s: score(query, docs[i]!) })).filter((x) => x.s > 0)
            .sort((a, b) => b.s - a.s).slice(0, k).map((x) => x.p)
        })
    }
  })
)
