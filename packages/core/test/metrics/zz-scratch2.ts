import { Effect } from "effect"
import * as core from "/work/main/packages/core/src/index.js"
import { punctuatedTokens } from "/work/main/packages/core/src/metrics/text.js"
const N = 200_000
const time = (label: string, f: (i: number) => unknown) => { for (let i = 0; i < 20000; i++) f(i); const t0 = performance.now(); for (let i = 0; i < N; i++) f(i); console.log(label.padEnd(20), ((performance.now() - t0) * 1000 / N).toFixed(2), "µs") }
const texts = ["The capital of France is Paris.", "Paris is the capital and largest city of France, on the Seine.", "I think the answer is probably Lyon, but I am not sure.", "{\"name\": \"Ada\", \"age\": 36}"]
const cases = Array.from({ length: 1000 }, (_, i) => core.LLMTestCase.make({ input: "q", actualOutput: texts[i % 4] + (i % 7 === 0 ? " extra words here" : ""), expectedOutput: texts[(i + 1) % 4] }))
const m = core.bleu(), e = core.exactMatch()
const settings = { maxN: 4, smoothing: "method1", epsilon: 0.1 } as const
time("exact measure", (i) => Effect.runSync(e.measure(cases[i % 1000]!)))
time("bleu measure", (i) => Effect.runSync(m.measure(cases[i % 1000]!)))
time("tokenize", (i) => { punctuatedTokens(cases[i % 1000]!.actualOutput as string, false); punctuatedTokens(cases[i % 1000]!.expectedOutput as string, false) })
time("sentenceBleu", (i) => core.sentenceBleu(punctuatedTokens(cases[i % 1000]!.actualOutput as string, false), [punctuatedTokens(cases[i % 1000]!.expectedOutput as string, false)], settings))
const ta = punctuatedTokens(texts[1]!, false), tb = punctuatedTokens(texts[0]!, false)
time("sentenceBleu fixed", () => core.sentenceBleu(ta, [tb], settings))
const toks = cases.map((c) => [punctuatedTokens(c.actualOutput as string, false), punctuatedTokens(c.expectedOutput as string, false)] as const)
time("sentenceBleu pretok", (i) => core.sentenceBleu(toks[i % 1000]![0], [toks[i % 1000]![1]], settings))
