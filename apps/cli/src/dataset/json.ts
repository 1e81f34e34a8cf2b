/**
 * `.json` datasets: an array of cases, or deepeval-style `{"goldens": [...]}` / `{"test_cases": [...]}`
 * (`testCases` too), keys in snake_case or camelCase. The file is loaded whole (JSON has no record
 * boundaries to stream on — use JSONL for big datasets). When a case is invalid the file is parsed once more
 * with `yaml` (a JSON superset that keeps source positions) to name the line of the offending field.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { jsonDataset } from "./json.js"
 * Stream.runCollect(jsonDataset("goldens.json"))
 * ```
 */
import { decodeTestCaseEither, type TestCase } from "@assay/core"
import { FileSystem } from "@effect/platform"
import { Effect, Either, Stream } from "effect"
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml"
import { DatasetError } from "../errors.js"
import { fromInvalid, parseJsonText, type Validation } from "./decode.js"
import { invalidUtf8Lines, reportInvalid } from "./utf8.js"

const LIST_KEYS = ["goldens", "test_cases", "testCases"] as const

/** The array of raw cases in a parsed document, and the key it sat under. */
const caseList = (value: unknown, file: string): Either.Either<{ items: ReadonlyArray<unknown>; key?: string }, DatasetError> => {
  if (Array.isArray(value)) return Either.right({ items: value })
  if (value !== null && typeof value === "object") {
    for (const key of LIST_KEYS) {
      const inner = (value as Record<string, unknown>)[key]
      if (Array.isArray(inner)) return Either.right({ items: inner, key })
    }
  }
  return Either.left(new DatasetError({ file, line: 1, detail: `expected an array of cases or an object with ${LIST_KEYS.join(" / ")}: [...]` }))
}

/**
 * The line of case `index` (or of its field `field`) in JSON text, found through yaml's source positions;
 * undefined when yaml cannot parse the text (e.g. tab indentation).
 *
 * @example
 * ```ts
 * caseLine('[\n{"input": 1}\n]', undefined, 0, "input") // 2
 * ```
 */
export const caseLine = (text: string, key: string | undefined, index: number, field: string | undefined): number | undefined => {
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter })
  if (doc.errors.length > 0) return undefined
  let list: unknown = doc.contents
  if (key !== undefined && isMap(list)) list = list.get(key, true)
  if (!isSeq(list)) return undefined
  const item = list.items[index]
  if (item === undefined || item === null) return undefined
  let offset = (item as { range?: [number, number, number] }).range?.[0]
  if (field !== undefined && isMap(item)) {
    const pair = item.items.find((p) => isScalar(p.key) && (p.key.value === field || snakeToCamel(String(p.key.value)) === field))
    const range = pair !== undefined && isScalar(pair.key) ? pair.key.range : undefined
    if (range) offset = range[0]
  }
  return offset === undefined ? undefined : counter.linePos(offset).line
}

/**
 * The line where case `index` of the list (the root array, or the array under `key`) starts, by a plain scan
 * of the JSON text: the fallback for documents yaml refuses (tabs, values nested too deeply).
 *
 * @example
 * ```ts
 * scanItemLine('[\n{"input": 1},\n{"input": 2}\n]', undefined, 1) // 3
 * ```
 */
export const scanItemLine = (text: string, key: string | undefined, index: number): number | undefined => {
  let depth = 0
  let line = 1
  let listDepth = key === undefined ? 1 : -1 // the depth inside the case list, once it is found
  let expecting = false // the next value at listDepth starts a case
  let item = -1
  let stringStart = -1
  let lastKey = ""
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (stringStart >= 0) {
      if (ch === "\\") i++
      else if (ch === '"') {
        if (depth === 1) lastKey = text.slice(stringStart, i)
        stringStart = -1
      }
      continue
    }
    if (ch === "\n") line++
    if (depth === listDepth && expecting && !/[\s,\]]/.test(ch)) {
      if (++item === index) return line
      expecting = false
    }
    if (ch === '"') stringStart = i + 1
    else if (ch === "," && depth === listDepth) expecting = true
    else if (ch === "{" || ch === "[") {
      depth++
      if (ch === "[" && depth === 2 && listDepth === -1 && lastKey === key) listDepth = 2
      if (depth === listDepth && ch === "[") expecting = true
    } else if (ch === "}" || ch === "]") depth--
  }
  return undefined
}

const snakeToCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/**
 * Stream the cases of a `.json` file (decoded up front, so a bad case fails before any is evaluated).
 *
 * @example
 * ```ts
 * jsonDataset("examples/capitals.json")
 * ```
 */
export const jsonDataset = (file: string, validation?: Validation): Stream.Stream<TestCase, DatasetError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const bytes = yield* fs.readFile(file).pipe(
      Effect.mapError((error) => new DatasetError({ file, detail: `cannot read the file: ${error.message}` }))
    )
    if (validation !== undefined) yield* reportInvalid({ file, strict: validation.strictInput }, invalidUtf8Lines(bytes, 1))
    const text = new TextDecoder().decode(bytes)
    const { items, key } = yield* Either.flatMap(parseJsonText(text, file), (value) => caseList(value, file))
    const cases: Array<TestCase> = []
    for (let index = 0; index < items.length; index++) {
      const decoded = decodeTestCaseEither(items[index], { file, index })
      if (Either.isLeft(decoded)) {
        const field = decoded.left.issues[0]?.split(/[.:]/)[0]
        const line = caseLine(text, key, index, field === "(case)" ? undefined : field) ?? scanItemLine(text, key, index)
        return yield* fromInvalid(decoded.left, file, line)
      }
      const problem = validation?.check?.(decoded.right)
      if (problem !== undefined) {
        const line = caseLine(text, key, index, undefined) ?? scanItemLine(text, key, index)
        return yield* new DatasetError({ file, ...(line !== undefined ? { line } : {}), detail: problem })
      }
      cases.push(decoded.right)
    }
    return Stream.fromIterable(cases)
  }))
